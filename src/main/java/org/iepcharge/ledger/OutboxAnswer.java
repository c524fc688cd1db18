package org.iepcharge.ledger;

import java.time.Instant;
import java.util.Objects;

/**
 * What to record of one delivery attempt of an outbox DFT, once billing answered (or did not): recorded by
 * {@link Ledger#recordAnswers} with the same conditions as {@link Ledger#markDelivered},
 * {@link Ledger#scheduleRetry(long, String, String, Instant)} and {@link Ledger#park(long, String, String)}.
 *
 * @param text        DELIVERED: billing's ACK code (AA/CA); RETRY and PARK: the reason shown in {@code outbox}
 * @param nextAttempt RETRY only: when the DFT is due again
 */
public record OutboxAnswer(long outboxId, Kind kind, String text, Instant nextAttempt) {

    /** The three things an attempt can lead to. */
    public enum Kind {
        /** Billing answered AA/CA for this MSH-10. */
        DELIVERED,
        /** No answer, or billing's own trouble: due again at {@code nextAttempt}. */
        RETRY,
        /** Billing refused the content: parked until an analyst retries or discards it. */
        PARK
    }

    public OutboxAnswer {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(text, "text");
        if (kind == Kind.RETRY) {
            Objects.requireNonNull(nextAttempt, "nextAttempt");
        }
    }

    public static OutboxAnswer delivered(long outboxId, String ackCode) {
        return new OutboxAnswer(outboxId, Kind.DELIVERED, ackCode, null);
    }

    public static OutboxAnswer retry(long outboxId, String reason, Instant nextAttempt) {
        return new OutboxAnswer(outboxId, Kind.RETRY, reason, nextAttempt);
    }

    public static OutboxAnswer park(long outboxId, String reason) {
        return new OutboxAnswer(outboxId, Kind.PARK, reason, null);
    }
}
