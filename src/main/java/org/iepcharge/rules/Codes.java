package org.iepcharge.rules;

import java.util.Locale;
import java.util.regex.Pattern;

/** Shapes of the codes the rules file and the decision handle. */
final class Codes {
    /** CPT: five digits (Category I), or four digits + F (II), T (III) or U (PLA). */
    private static final Pattern CPT = Pattern.compile("\\d{4}[0-9FTU]");
    /** ICD-10-CM without its dot: a letter, a digit, then one to five letters/digits (3 to 7 characters). */
    private static final Pattern ICD10CM = Pattern.compile("[A-Z][0-9][0-9A-Z]{1,5}");
    /** As written: an optional dot after the third character. */
    private static final Pattern ICD10CM_WRITTEN = Pattern.compile("[A-Za-z][0-9][0-9A-Za-z](\\.?[0-9A-Za-z]{1,4})?");

    static final String CPT_SHAPE = "5 digits, or 4 digits + F/T/U";
    static final String ICD10CM_SHAPE = "letter, digit, letter or digit, then up to 4 more after an optional dot";

    private Codes() {
    }

    static boolean isCpt(String code) {
        return CPT.matcher(code).matches();
    }

    static boolean isIcd10Cm(String code) {
        return ICD10CM_WRITTEN.matcher(code).matches();
    }

    /** The comparison form of docs/decision-contract.md §1: upper case, dot removed. */
    static String normaliseDiagnosis(String code) {
        return code.trim().toUpperCase(Locale.ROOT).replace(".", "");
    }

    static boolean isNormalisedIcd10Cm(String normalised) {
        return ICD10CM.matcher(normalised).matches();
    }

    /** An HL7 date/time that at least names a day: YYYYMMDD[...]. */
    static boolean hasDate(String hl7DateTime) {
        return hl7DateTime.length() >= 8 && hl7DateTime.substring(0, 8).chars().allMatch(Character::isDigit);
    }
}
