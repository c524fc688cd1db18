package org.iepcharge.rules;

/**
 * {@code payers.X.unsupportedWithoutAbn}: a diagnosis list with none on the supporting list and no signed ABN is
 * held for ABN review (default) or billed with GZ, the provider accepting liability [2.1, 3].
 */
public enum UnsupportedWithoutAbn { HOLD, GZ }
