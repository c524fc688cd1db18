package org.iepcharge.domain;

import java.util.List;

/** An ORM^O01, OML^O21 or ORU^R01 after the edge has parsed and checked it. */
public record LabMessage(MessageHeader header, Patient patient, Visit visit, List<Insurance> insurance,
                         List<Diagnosis> diagnoses, List<OrderedTest> tests) {
    public LabMessage {
        patient = patient == null ? Patient.NONE : patient;
        visit = visit == null ? Visit.NONE : visit;
        insurance = List.copyOf(insurance == null ? List.of() : insurance);
        diagnoses = List.copyOf(diagnoses == null ? List.of() : diagnoses);
        tests = List.copyOf(tests == null ? List.of() : tests);
    }

    public boolean isOrder() {
        return header.messageType().equals("ORM") || header.messageType().equals("OML");
    }

    public boolean isResult() {
        return header.messageType().equals("ORU");
    }
}
