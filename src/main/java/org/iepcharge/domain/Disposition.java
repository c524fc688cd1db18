package org.iepcharge.domain;

/** What became of an inbound message (charge-rules.md §7; the corpus expectations use the same words). */
public enum Disposition {
    /** At least one charge line was posted to the outbox. */
    CHARGED,
    /** Accepted and recorded; nothing to charge (not a charge-master test, interim result, order context stored). */
    IGNORED,
    /** Accepted; at least one line is held for an analyst. */
    HELD,
    /** Answered AE or AR. */
    REJECTED,
    /** An inbound ACK: recorded, never acknowledged. */
    NO_ANSWER
}
