package org.iepcharge.rules;

import java.util.Objects;

import org.iepcharge.domain.MessageHeader;
import org.iepcharge.domain.OrderContext;
import org.iepcharge.domain.OrderedTest;
import org.iepcharge.domain.Patient;

/**
 * Everything one charge decision looks at.
 *
 * @param test    the order group: from the result, or from the order under {@code chargeTrigger: ORDER}
 * @param context the remembered order context (payer, diagnoses, ABN, ordering provider, patient class); null when
 *                the result came first, which makes the payer unknown (§1)
 * @param header  MSH of the triggering message (MSH-10 for {@code explain}, MSH-11 for production traffic)
 * @param patient the triggering message's patient, used for the repeat check when there is no context
 * @param history posted lines, for the same-day repeat and MUE rules
 */
public record DecisionInput(OrderedTest test, OrderContext context, MessageHeader header, Patient patient,
                            ChargeHistory history) {
    public DecisionInput {
        Objects.requireNonNull(test, "test");
        Objects.requireNonNull(header, "header");
        patient = patient == null ? Patient.NONE : patient;
        history = history == null ? ChargeHistory.none() : history;
    }

    public DecisionInput(OrderedTest test, OrderContext context, MessageHeader header, ChargeHistory history) {
        this(test, context, header, null, history);
    }

    /** The patient key for ledger look-ups: the order context's, else the triggering message's. */
    String patientKey() {
        Patient known = context != null && !context.patient().id().isEmpty() ? context.patient() : patient;
        return known.id().isEmpty() ? "" : known.key();
    }
}
