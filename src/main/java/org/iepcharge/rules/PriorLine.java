package org.iepcharge.rules;

import org.iepcharge.domain.OrderKey;

/** A technical line already posted (not credited) for the same patient, CPT and date of service. */
public record PriorLine(OrderKey orderKey, String collectionTime, int units) {
    public PriorLine {
        orderKey = orderKey == null ? new OrderKey(null, null) : orderKey;
        collectionTime = collectionTime == null ? "" : collectionTime.trim();
    }

    /** Same order: same placer number, else same filler number (docs/decision-contract.md §1, order keys). */
    boolean isSameOrderAs(OrderKey other) {
        if (!orderKey.placer().isEmpty() && orderKey.placer().equals(other.placer())) {
            return true;
        }
        return !orderKey.filler().isEmpty() && orderKey.filler().equals(other.filler());
    }
}
