package org.iepcharge.billing;

import java.util.Set;

/**
 * The coding system written with each modifier in FT1-26 (docs/decision-contract.md §8; table 0396 [4.2]): CPT
 * modifiers with {@code CPTM}, HCPCS level II modifiers with {@code HCPCS}. A modifier outside both lists is refused
 * rather than labelled with a guessed system — the engine never guesses a modifier (docs/decision-contract.md, guiding
 * principle).
 */
final class ModifierCodingSystems {
    static final String CPT_MODIFIER = "CPTM";
    static final String HCPCS = "HCPCS";

    private static final Set<String> CPT_MODIFIERS = Set.of("26", "90", "91", "59");
    private static final Set<String> HCPCS_MODIFIERS = Set.of("TC", "GA", "GZ", "GY", "XE", "XS", "XP", "XU");

    private ModifierCodingSystems() {
    }

    static String of(String modifier) {
        if (CPT_MODIFIERS.contains(modifier)) {
            return CPT_MODIFIER;
        }
        if (HCPCS_MODIFIERS.contains(modifier)) {
            return HCPCS;
        }
        throw new IllegalArgumentException("No coding system known for modifier '" + modifier
                + "' (docs/decision-contract.md §8 lists 26, 90, 91, 59, TC, GA, GZ, GY, XE, XS, XP, XU)");
    }
}
