package org.iepcharge.ledger;

/**
 * Where a hold stands. Only an {@link #OPEN} hold is acted on; every other state says why it was closed, and is
 * kept in the {@code charge_hold.status} column as its name.
 */
public enum HoldStatus {
    OPEN,
    /** An analyst released it ({@code holds release}): re-decided with the current rules. */
    RELEASED,
    /** An analyst closed it without posting ({@code holds discard}). */
    DISCARDED,
    /** A later message re-decided the test (more context, a correction). */
    SUPERSEDED,
    /** The test was cancelled before anything was posted. */
    CLOSED
}
