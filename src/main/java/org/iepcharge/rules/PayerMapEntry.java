package org.iepcharge.rules;

/**
 * One row of the payer map: an insurance identifier (IN1-3.1 company ID, else IN1-2.1 plan ID) or, only when the
 * analyst writes {@code name:}, a company name (IN1-4) → a payer profile (docs/decision-contract.md §1).
 */
public record PayerMapEntry(MatchOn matchOn, String value, String profile, int line) {
    public enum MatchOn { ID, NAME }

    boolean matches(MatchOn on, String candidate) {
        if (on != matchOn || candidate.isEmpty()) {
            return false;
        }
        return on == MatchOn.ID ? value.equals(candidate) : normaliseName(value).equals(normaliseName(candidate));
    }

    /** Names are typed by people: compare case-insensitively with runs of spaces collapsed. */
    static String normaliseName(String name) {
        return name.trim().replaceAll("\\s+", " ").toUpperCase(java.util.Locale.ROOT);
    }
}
