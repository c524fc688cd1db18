package org.iepcharge.ledger;

/**
 * Where the cancel of one charge-master test of an order stands (docs/decision-contract.md §7). Kept per (order, CPT):
 * a cancel names one ORC/OBR group, so cancelling one test of an order leaves the others alone.
 */
public enum CancelState {
    /** No cancel, or a cancel request the LIS refused (UC/UD). */
    NONE,
    /** ORC-1 CA or DC: asked, not confirmed; nothing is credited for a request. */
    REQUESTED,
    /** Confirmed (CR, OC, OD, DR, or OBR-25 X) while nothing was posted, or credited under chargeTrigger ORDER. */
    CANCELLED
}
