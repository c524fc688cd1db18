package org.iepcharge.ledger;

import java.time.Instant;

/** One queued DFT: its fixed MSH-10 and bytes, and its delivery state. */
public record OutboxItem(long id, String controlId, String orderKey, byte[] payload, OutboxStatus status,
                         int attempts, Instant nextAttemptAt, String lastError, Instant createdAt) {

    /** As read from the {@code outbox} row: the status column holds an {@link OutboxStatus} name. */
    OutboxItem(long id, String controlId, String orderKey, byte[] payload, String status, int attempts,
               Instant nextAttemptAt, String lastError, Instant createdAt) {
        this(id, controlId, orderKey, payload, OutboxStatus.valueOf(status), attempts, nextAttemptAt, lastError,
                createdAt);
    }
}
