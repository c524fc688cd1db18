package org.iepcharge.domain;

/** What became of an inbound message (docs/decision-contract.md §7; the corpus expectations use the same words). */
public enum Disposition {
    /** At least one charge line was posted to the outbox. */
    CHARGED,
    /** Accepted and recorded; nothing to charge (not a charge-master test, interim result, order context stored). */
    IGNORED,
    /** Accepted; at least one line is held for an analyst. */
    HELD,
    /**
     * Accepted; a charge still in the outbox was withdrawn together with its credit, so billing receives neither
     * (docs/decision-contract.md §7). Named apart from IGNORED so that a charge "vanishing" is visible in the log.
     */
    WITHDRAWN,
    /** Answered AE or AR. */
    REJECTED,
    /** An inbound ACK: recorded, never acknowledged. */
    NO_ANSWER
}
