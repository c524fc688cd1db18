package org.iepcharge.domain;

/**
 * A test's result status: OBR-25, HL7 table 0123, as the rules and the capture act on it (docs/decision-contract.md
 * §7). {@link #NONE} is no status (an empty OBR-25 whose OBX-11 values make it neither final nor corrected: interim);
 * {@link #UNKNOWN} is a value not in the table (held for an analyst).
 */
public enum ResultStatus {
    NONE(""),
    ORDER_RECEIVED("O"),
    SPECIMEN_RECEIVED("I"),
    SCHEDULED("S"),
    SOME_RESULTS("A"),
    PRELIMINARY("P"),
    NOT_VERIFIED("R"),
    FINAL("F"),
    CORRECTED("C"),
    /** No results: the order was cancelled (a confirmed cancel, §7). */
    CANCELLED("X"),
    NO_ORDER_ON_RECORD("Y"),
    NO_PATIENT_ON_RECORD("Z"),
    UNKNOWN(null);

    private final String code;

    ResultStatus(String code) {
        this.code = code;
    }

    /** The status an OBR-25 value (or the value derived from OBX-11) stands for. */
    public static ResultStatus of(String code) {
        for (ResultStatus s : values()) {
            if (s.code != null && s.code.equals(code)) {
                return s;
            }
        }
        return UNKNOWN;
    }

    /** Final or corrected: what charges a test (§7); anything else in the table is interim. */
    public boolean isFinal() {
        return this == FINAL || this == CORRECTED;
    }
}
