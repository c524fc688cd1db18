package org.iepcharge.capture;

import org.iepcharge.domain.MessageHeader;
import org.iepcharge.domain.OrderedTest;
import org.iepcharge.domain.Patient;

/**
 * The test and message that triggered a decision, kept with a hold so that a later release or late order context
 * re-evaluates with the same facts (pathologist, performing lab, collection date).
 */
public record DecisionTrigger(MessageHeader header, OrderedTest test, Patient patient) {
    public DecisionTrigger {
        patient = patient == null ? Patient.NONE : patient;
    }

    public String patientKey() {
        return patient.key();
    }
}
