package org.iepcharge.rules;

import java.util.List;

/**
 * A list of ICD-10-CM codes and inclusive ranges ({@code C90.0-C90.3}), each covering the code and all its
 * descendants: {@code C90.0} covers C90.00, C90.01 and C90.02 (docs/decision-contract.md §5).
 */
public record DiagnosisList(List<Range> ranges) {
    public static final DiagnosisList EMPTY = new DiagnosisList(List.of());

    /**
     * An inclusive range in comparison form (upper case, no dot); both ends have the same length.
     *
     * @param written the range as the rules file writes it, for {@code explain}
     */
    public record Range(String low, String high, String written) {
        boolean covers(String normalisedCode) {
            if (normalisedCode.length() < low.length()) {
                return false;
            }
            // Descendants share the ends' prefix, so comparing that prefix covers the whole subtree.
            String prefix = normalisedCode.substring(0, low.length());
            return prefix.compareTo(low) >= 0 && prefix.compareTo(high) <= 0;
        }
    }

    public DiagnosisList {
        ranges = List.copyOf(ranges);
    }

    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    /** The first range covering the code (comparison form), or null. */
    public Range rangeCovering(String normalisedCode) {
        return ranges.stream().filter(r -> r.covers(normalisedCode)).findFirst().orElse(null);
    }

    public boolean covers(String normalisedCode) {
        return rangeCovering(normalisedCode) != null;
    }
}
