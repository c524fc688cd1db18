package org.iepcharge.billing;

import java.util.Locale;
import java.util.Set;

import org.iepcharge.domain.Diagnosis;

/**
 * The coding system written with a diagnosis in FT1-19 and DG1-3. An ICD-10-CM diagnosis — inbound system I10, I10C
 * or ICD10CM (the default list of docs/decision-contract.md §1), or none — is written with the receiver's configured
 * identifier (I10 or I10C, docs/decision-contract.md §8 [4.2]). Any other system (e.g. ICD-9 {@code I9C}) is kept as
 * sent: relabelling it as ICD-10 would put a wrong code on the claim.
 */
final class DiagnosisCodingSystem {
    private static final Set<String> ICD10_CM = Set.of("I10", "I10C", "ICD10CM");

    private DiagnosisCodingSystem() {
    }

    static String of(Diagnosis diagnosis, DftSettings settings) {
        String inbound = diagnosis.system().toUpperCase(Locale.ROOT);
        return inbound.isEmpty() || ICD10_CM.contains(inbound) ? settings.icdCodingSystem() : diagnosis.system();
    }
}
