package org.iepcharge.domain;

import java.util.List;

/**
 * What the order (ORM^O01 / OML^O21) told us and a result will not repeat: an ORU carries no IN1 and no DG1
 * (docs/decision-contract.md §1, order context).
 *
 * @param sourceControlId MSH-10 of the message this context came from, for {@code explain}
 */
public record OrderContext(OrderKey key, Patient patient, Visit visit, List<Insurance> insurance,
                           List<Diagnosis> diagnoses, String abnStatus, Provider orderingProvider,
                           String sourceControlId) {
    public OrderContext {
        patient = patient == null ? Patient.NONE : patient;
        visit = visit == null ? Visit.NONE : visit;
        insurance = List.copyOf(insurance == null ? List.of() : insurance);
        diagnoses = List.copyOf(diagnoses == null ? List.of() : diagnoses);
        abnStatus = Text.orEmpty(abnStatus);
        orderingProvider = orderingProvider == null ? Provider.NONE : orderingProvider;
        sourceControlId = Text.orEmpty(sourceControlId);
    }
}
