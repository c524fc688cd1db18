package org.iepcharge.billing;

/**
 * What billing answered to one DFT: MSA-1, MSA-2, ERR-3 (0 when absent) and the readable reason (MSA-3 or ERR-8).
 */
public record BillingAnswer(String ackCode, String acknowledgedControlId, int errorCode, String reason) {
}
