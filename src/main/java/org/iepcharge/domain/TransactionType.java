package org.iepcharge.domain;

/** FT1-6: CG charge, CD credit (docs/billing-facts.md §4.2). */
public enum TransactionType { CG, CD }
