package org.iepcharge.ledger;

/** Where a queued DFT stands in delivery; kept in the {@code outbox.status} column as its name. */
public enum OutboxStatus {
    /** Waiting for (or in) delivery. */
    PENDING,
    /** Billing answered AA. */
    DELIVERED,
    /** Given up on after a rejection or too many attempts: waits for {@code outbox retry} or {@code discard}. */
    PARKED,
    /** Closed by an analyst ({@code outbox discard}). */
    DISCARDED,
    /** Withdrawn with its credit before it left (docs/decision-contract.md §7). */
    WITHDRAWN
}
