package org.iepcharge.domain;

import java.util.List;

/**
 * One order group (ORC + OBR, with its OBX/SPM) as parsed at the edge.
 *
 * @param orderControl   ORC-1 (table 0119); empty for an ORU without ORC
 * @param test           OBR-4 identifier + coding system
 * @param alternateTest  OBR-4 components 4–6
 * @param resultStatus   OBR-25 as sent (may be empty; see {@link #effectiveResultStatus()})
 * @param collectionTime SPM-17 (v2.5+), else OBR-7; never the result or message date
 * @param abnStatus      ORC-20 (table 0339), empty before v2.3.1 or when not sent
 */
public record OrderedTest(OrderKey key, String orderControl, CodedValue test, CodedValue alternateTest,
                          String resultStatus, String collectionTime, Provider orderingProvider,
                          Provider interpreter, List<Diagnosis> diagnoses, String abnStatus,
                          List<Observation> observations) {
    public OrderedTest {
        orderControl = Text.orEmpty(orderControl);
        test = test == null ? CodedValue.EMPTY : test;
        alternateTest = alternateTest == null ? CodedValue.EMPTY : alternateTest;
        resultStatus = Text.orEmpty(resultStatus);
        collectionTime = Text.orEmpty(collectionTime);
        orderingProvider = orderingProvider == null ? Provider.NONE : orderingProvider;
        interpreter = interpreter == null ? Provider.NONE : interpreter;
        diagnoses = List.copyOf(diagnoses == null ? List.of() : diagnoses);
        abnStatus = Text.orEmpty(abnStatus);
        observations = List.copyOf(observations == null ? List.of() : observations);
    }

    /**
     * OBR-25, else derived from the OBX-11 values under this OBR: all F gives F, any C gives C, otherwise interim
     * (returned as empty).
     */
    public String effectiveResultStatus() {
        if (!resultStatus.isEmpty()) {
            return resultStatus;
        }
        if (observations.isEmpty()) {
            return "";
        }
        if (observations.stream().anyMatch(o -> o.status().equals("C"))) {
            return "C";
        }
        return observations.stream().allMatch(o -> o.status().equals("F")) ? "F" : "";
    }

    /** {@link #effectiveResultStatus()} as the status it stands for. */
    public ResultStatus effectiveStatus() {
        return ResultStatus.of(effectiveResultStatus());
    }
}
