package org.iepcharge.billing;

/**
 * What to do with a DFT after one delivery attempt (docs/decision-contract.md §8 and the delivery rules of issue 2 §7).
 */
public enum DeliveryVerdict {
    /** Billing answered AA or CA for exactly this MSH-10. */
    DELIVERED,
    /** Billing's own trouble or no usable answer: try again later, for as long as it takes. */
    RETRY,
    /** Billing refused the content: park with its reason; later DFTs of the same order wait. */
    PARK
}
