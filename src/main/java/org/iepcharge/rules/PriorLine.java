package org.iepcharge.rules;

import org.iepcharge.domain.OrderKey;

/** A technical line already posted (not credited) for the same patient, CPT and date of service. */
public record PriorLine(OrderKey orderKey, String collectionTime, int units) {
    public PriorLine {
        orderKey = orderKey == null ? new OrderKey(null, null) : orderKey;
        collectionTime = collectionTime == null ? "" : collectionTime.trim();
    }

    /**
     * Same order: same placer number, else same filler number (docs/decision-contract.md §1). Both keys must be the
     * order's whole identity (both numbers as far as known): a line filed with its placer number only could not be
     * recognised by a result that names the order by its filler number (issue 12).
     */
    boolean isSameOrderAs(OrderKey other) {
        return orderKey.sameOrderAs(other);
    }
}
