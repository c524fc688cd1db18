package org.iepcharge.ledger;

import java.time.Instant;

/** A line held for an analyst. {@code patientKey} is an identifier, never a name. */
public record HoldRecord(long id, String orderKey, String cpt, String kind, String patientKey, String reasonCode,
                         String reasonText, String status, long sourceMessageId, Instant createdAt) {
    public static final String OPEN = "OPEN";
}
