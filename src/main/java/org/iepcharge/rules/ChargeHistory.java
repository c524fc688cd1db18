package org.iepcharge.rules;

import java.util.List;

/**
 * What the decision needs from the ledger, implemented by the caller inside its ledger transaction. The decision
 * itself stays a pure function of its input.
 */
@FunctionalInterface
public interface ChargeHistory {
    /**
     * Technical (kind T) lines posted and not credited, from production traffic only (MSH-11 = P; §7), for this
     * patient, CPT and date of service. Lines of the order being decided may be included; the decision ignores them.
     *
     * @param patientKey    {@link org.iepcharge.domain.Patient#key()}
     * @param dateOfService the collection date, YYYYMMDD
     */
    List<PriorLine> postedTechnicalLines(String patientKey, String cpt, String dateOfService);

    /** No charges posted yet (tests, and the first charge of a fresh ledger). */
    static ChargeHistory none() {
        return (patientKey, cpt, dateOfService) -> List.of();
    }
}
