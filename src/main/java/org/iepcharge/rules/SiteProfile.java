package org.iepcharge.rules;

import java.util.List;

/**
 * The deployment's site profile (docs/decision-contract.md §2), the {@code site:} block of the rules file.
 *
 * @param labIds            our CLIA number and LIS mnemonics; any other performing lab is a reference lab
 * @param payerWhenUnknown  {@code HOLD}, or the payer profile to charge with when no payer is known
 */
public record SiteProfile(LabType labType, List<String> labIds, UnknownPerformingLab unknownPerformingLab,
                          ReferredTestAtHospital referredTestAtHospital, boolean professionalBilling,
                          List<String> pathologists, ChargeTrigger chargeTrigger, String payerWhenUnknown,
                          SameDayRepeat sameDayRepeat) {
    public static final String HOLD = "HOLD";

    public SiteProfile {
        labIds = List.copyOf(labIds);
        pathologists = List.copyOf(pathologists);
    }

    public boolean holdsWhenPayerUnknown() {
        return HOLD.equals(payerWhenUnknown);
    }

    public boolean isOurLab(String performingLabId) {
        return labIds.stream().anyMatch(id -> id.equalsIgnoreCase(performingLabId));
    }

    public boolean isOurPathologist(String providerId) {
        return !providerId.isEmpty() && pathologists.contains(providerId);
    }
}
