package org.iepcharge.domain;

import java.util.List;

/**
 * One decided charge line. Its identity is (order, CPT, kind) (docs/decision-contract.md §4); {@code transactionId} is
 * FT1-2, at most 12 characters, fixed when the line is first stored and carried unchanged by its credit.
 *
 * @param dateOfService the collection date/time (FT1-4)
 * @param performedBy   the pathologist on a P line (FT1-20), {@link Provider#NONE} on a T line
 */
public record ChargeLine(String transactionId, LineKind kind, String cpt, String description, String chargeCode,
                         int units, List<String> modifiers, String dateOfService, Provider performedBy) {
    public ChargeLine {
        transactionId = Text.orEmpty(transactionId);
        modifiers = List.copyOf(modifiers == null ? List.of() : modifiers);
        dateOfService = Text.orEmpty(dateOfService);
        performedBy = performedBy == null ? Provider.NONE : performedBy;
    }

    public ChargeLine withTransactionId(String id) {
        return new ChargeLine(id, kind, cpt, description, chargeCode, units, modifiers, dateOfService, performedBy);
    }
}
