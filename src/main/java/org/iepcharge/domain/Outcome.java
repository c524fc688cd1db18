package org.iepcharge.domain;

/**
 * The answer owed to the LIS for one message, as stored in the ledger so a resend gets the very same answer.
 *
 * @param ackCode       MSA-1: AA, AE or AR (empty for {@link Disposition#NO_ANSWER})
 * @param errorCode     ERR-3, HL7 table 0357 (0 when accepted)
 * @param errorLocation ERR-2 as {@code SEG^sequence^field} (e.g. {@code OBR^1^4}), empty when not located
 * @param errorText     readable text for ERR-8 / MSA-3; never contains field values (PHI)
 */
public record Outcome(Disposition disposition, String ackCode, int errorCode, String errorLocation, String errorText) {
    public Outcome {
        ackCode = Text.orEmpty(ackCode);
        errorLocation = Text.orEmpty(errorLocation);
        errorText = Text.orEmpty(errorText);
    }

    public static Outcome accepted(Disposition disposition) {
        return new Outcome(disposition, "AA", 0, "", "");
    }

    public static Outcome error(int code, String location, String text) {
        return new Outcome(Disposition.REJECTED, "AE", code, location, text);
    }

    public static Outcome reject(int code, String location, String text) {
        return new Outcome(Disposition.REJECTED, "AR", code, location, text);
    }

    public static Outcome noAnswer() {
        return new Outcome(Disposition.NO_ANSWER, "", 0, "", "");
    }
}
