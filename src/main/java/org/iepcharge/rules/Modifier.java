package org.iepcharge.rules;

import java.util.Arrays;
import java.util.Optional;

/**
 * The modifiers the engine can write, declared in the order they are written on a line (docs/decision-contract.md §5):
 * pricing (26, TC), then 90, 91, then 59 / X{EPSU}, then GA / GZ / GY.
 */
public enum Modifier {
    PROFESSIONAL("26", Slot.PRICING, "CPTM"),
    TECHNICAL("TC", Slot.PRICING, "HCPCS"),
    REFERENCE_LAB("90", Slot.REFERRAL, "CPTM"),
    REPEAT("91", Slot.REPEAT, "CPTM"),
    DISTINCT("59", Slot.DISTINCT, "CPTM"),
    SEPARATE_ENCOUNTER("XE", Slot.DISTINCT, "HCPCS"),
    SEPARATE_STRUCTURE("XS", Slot.DISTINCT, "HCPCS"),
    SEPARATE_PRACTITIONER("XP", Slot.DISTINCT, "HCPCS"),
    UNUSUAL_NON_OVERLAPPING("XU", Slot.DISTINCT, "HCPCS"),
    ABN_ON_FILE("GA", Slot.LIABILITY, "HCPCS"),
    NO_ABN_EXPECTED_DENIAL("GZ", Slot.LIABILITY, "HCPCS"),
    STATUTORY_EXCLUSION("GY", Slot.LIABILITY, "HCPCS");

    /** Groups of §5; GA, GZ and GY share one because no two of them may be on one line [2.1]. */
    public enum Slot { PRICING, REFERRAL, REPEAT, DISTINCT, LIABILITY }

    /** At most four modifiers per line (docs/decision-contract.md §5). */
    public static final int MAX_PER_LINE = 4;

    private final String code;
    private final Slot slot;
    private final String codingSystem;

    Modifier(String code, Slot slot, String codingSystem) {
        this.code = code;
        this.slot = slot;
        this.codingSystem = codingSystem;
    }

    public String code() {
        return code;
    }

    public Slot slot() {
        return slot;
    }

    /** FT1-26 coding system: CPT modifiers are CPTM, HCPCS level II modifiers HCPCS (table 0396 [4.2]). */
    public String codingSystem() {
        return codingSystem;
    }

    public static Optional<Modifier> of(String code) {
        return Arrays.stream(values()).filter(m -> m.code.equals(code)).findFirst();
    }
}
