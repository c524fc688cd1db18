package org.iepcharge.billing;

import java.time.Duration;
import java.util.Optional;

/**
 * Classifies billing's answer and spaces out retries. A DFT counts as delivered only when billing answers AA (or CA)
 * and MSA-2 equals the MSH-10 we sent: a late ACK for another message must never count (docs/transport-notes.md §1a).
 * AR/AE with ERR-3 206 (record locked) or 207 (internal error) is billing's own trouble and is retried; any other AR/AE
 * is a refusal of this content and parks the DFT.
 */
public final class DeliveryPolicy {
    private final Duration firstRetry;
    private final Duration maxRetry;

    public DeliveryPolicy(Duration firstRetry, Duration maxRetry) {
        this.firstRetry = firstRetry;
        this.maxRetry = maxRetry;
    }

    public DeliveryVerdict classify(String sentControlId, Optional<BillingAnswer> answer) {
        if (answer.isEmpty()) {
            return DeliveryVerdict.RETRY;
        }
        BillingAnswer a = answer.get();
        if (!a.acknowledgedControlId().equals(sentControlId)) {
            return DeliveryVerdict.RETRY;
        }
        return switch (a.ackCode()) {
            case "AA", "CA" -> DeliveryVerdict.DELIVERED;
            case "AE", "AR", "CE", "CR" -> a.errorCode() == 206 || a.errorCode() == 207 ? DeliveryVerdict.RETRY
                    : DeliveryVerdict.PARK;
            default -> DeliveryVerdict.RETRY;
        };
    }

    /** Exponential backoff from the first delay, capped: after {@code attempts} failed attempts. */
    public Duration retryDelay(int attempts) {
        long factor = 1L << Math.min(Math.max(attempts, 0), 16);
        Duration delay = firstRetry.multipliedBy(factor);
        return delay.compareTo(maxRetry) > 0 ? maxRetry : delay;
    }
}
