package org.iepcharge.rules;

/** {@code site.chargeTrigger}: charge on the first final result (default) or when the order is placed [4.5]. */
public enum ChargeTrigger { RESULT, ORDER }
