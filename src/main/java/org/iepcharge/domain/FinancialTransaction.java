package org.iepcharge.domain;

/** One FT1 to write: a charge line posted (CG) or credited (CD). */
public record FinancialTransaction(TransactionType type, ChargeLine line) {
}
