package org.iepcharge.ledger;

import java.time.Instant;

/** One queued DFT: its fixed MSH-10 and bytes, and its delivery state. */
public record OutboxItem(long id, String controlId, String orderKey, byte[] payload, String status, int attempts,
                         Instant nextAttemptAt, String lastError, Instant createdAt) {
}
