package org.iepcharge.rules;

import java.util.List;
import java.util.Set;

/**
 * One payer profile of the rules file ({@code payers.NAME}), docs/decision-contract.md §5.
 *
 * @param referralModifier90For     lab types whose referred tests this payer pays with 90 [2.1, 2.4]
 * @param technicalModifier         whether this payer wants TC on the technical line when another party bills the
 *                                  interpretation; only for CPTs whose PC/TC indicator allows it [1.2]
 * @param technicalModifierCpts     the CPTs TC applies to; empty means every CPT in the charge master
 * @param medicalNecessityRules     the Medicare rules: diagnosis required, ABN → GA, unsupported → review/GZ,
 *                                  statutory exclusion → GY [2.1, 3]
 * @param abnSignedValues           ORC-20 (table 0339) values meaning a signed ABN, giving GA [2.1]
 * @param inpatientAtIndependentLab {@code CHARGE} (no rule), {@code HOLD}, or the profile that charges instead
 *                                  (a client-bill profile) for an inpatient specimen at an INDEPENDENT lab [2.2]
 */
public record PayerProfile(String name, Set<LabType> referralModifier90For, boolean technicalModifier,
                           List<String> technicalModifierCpts, ProfessionalComponent professionalComponent,
                           boolean medicalNecessityRules, DiagnosisList supportingDiagnoses,
                           DiagnosisList excludedDiagnoses, List<String> abnSignedValues,
                           UnsupportedWithoutAbn unsupportedWithoutAbn, String inpatientAtIndependentLab) {
    public static final String CHARGE = "CHARGE";
    public static final String HOLD = "HOLD";

    public PayerProfile {
        referralModifier90For = Set.copyOf(referralModifier90For);
        technicalModifierCpts = List.copyOf(technicalModifierCpts);
        abnSignedValues = List.copyOf(abnSignedValues);
    }

    /** Whether TC may be written for this CPT under this profile (before the indicator check). */
    public boolean wantsTechnicalModifierFor(String cpt) {
        return technicalModifier && (technicalModifierCpts.isEmpty() || technicalModifierCpts.contains(cpt));
    }
}
