package org.iepcharge.domain;

/**
 * One IN1: set ID, coordination-of-benefits priority (IN1-22, null when absent), company ID (IN1-3.1), plan ID
 * (IN1-2.1), company name (IN1-4.1), group number (IN1-8), policy number (IN1-36).
 */
public record Insurance(int setId, Integer priority, String companyId, String planId, String companyName,
                        String groupNumber, String policyNumber) {
    public Insurance {
        companyId = Text.orEmpty(companyId);
        planId = Text.orEmpty(planId);
        companyName = Text.orEmpty(companyName);
        groupNumber = Text.orEmpty(groupNumber);
        policyNumber = Text.orEmpty(policyNumber);
    }
}
