package org.iepcharge.ledger;

/**
 * Where a stored charge line stands (docs/decision-contract.md §7). The ledger keeps the name in the
 * {@code charge_line.status} column; everything outside the ledger sees this enum.
 */
public enum LineStatus {
    /** Charged (FT1-6 CG) and not credited. */
    POSTED,
    /** Credited (FT1-6 CD with the charge's FT1-2). */
    CREDITED,
    /** Withdrawn with its credit before its DFT left the outbox: neither was sent. */
    WITHDRAWN
}
