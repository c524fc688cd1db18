package org.iepcharge.ledger;

import java.time.Instant;

/**
 * One queued DFT: its fixed MSH-10 and bytes, and its delivery state.
 *
 * @param payload  the DFT bytes; see {@link #payload()}
 * @param document null, or the document the DFT is built from (migration V7): then {@link #payload()} builds the
 *                 bytes from it, the same bytes on every call
 */
public record OutboxItem(long id, String controlId, String orderKey, byte[] payload, OutboxStatus status,
                         int attempts, Instant nextAttemptAt, String lastError, Instant createdAt, String document) {

    public OutboxItem(long id, String controlId, String orderKey, byte[] payload, OutboxStatus status, int attempts,
                      Instant nextAttemptAt, String lastError, Instant createdAt) {
        this(id, controlId, orderKey, payload, status, attempts, nextAttemptAt, lastError, createdAt, null);
    }

    /** As read from the {@code outbox} row: the status column holds an {@link OutboxStatus} name. */
    OutboxItem(long id, String controlId, String orderKey, byte[] payload, String status, int attempts,
               Instant nextAttemptAt, String lastError, Instant createdAt, String document) {
        this(id, controlId, orderKey, payload, OutboxStatus.valueOf(status), attempts, nextAttemptAt, lastError,
                createdAt, document);
    }

    /**
     * The DFT bytes to send: as stored, or built from the stored document — off the ledger writer, by whoever reads
     * the item (the outbox sender). A build is a pure function of the document, so a redelivery sends the same bytes.
     */
    @Override
    public byte[] payload() {
        return document == null ? payload : OutboxDocuments.renderStored(document);
    }
}
