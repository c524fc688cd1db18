package org.iepcharge.ledger;

import java.time.Instant;

import org.iepcharge.domain.LineKind;
import org.iepcharge.domain.HoldReason;

/** A line held for an analyst. {@code patientKey} is an identifier, never a name. */
public record HoldRecord(long id, String orderKey, String cpt, LineKind kind, String patientKey, HoldReason reasonCode,
                         String reasonText, HoldStatus status, long sourceMessageId, Instant createdAt) {
}
