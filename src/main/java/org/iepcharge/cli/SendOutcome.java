package org.iepcharge.cli;

/**
 * The answer to one sent message.
 *
 * @param ackCode  MSA-1 of the ACK, or "" when there was no usable answer
 * @param ackControlId MSA-2 of the ACK ("" if none)
 * @param errorCode ERR-3 (v2.5+) or ERR-1 (older) code, "" if none
 * @param problem  why there is no usable answer (timeout, connection, invalid ACK), "" if there is one
 * @param connectionFailed true when the billing system could not be reached at all
 */
public record SendOutcome(String ackCode, String ackControlId, String errorCode, String problem,
                          boolean connectionFailed) {

    static SendOutcome answered(String ackCode, String ackControlId, String errorCode) {
        return new SendOutcome(ackCode, ackControlId, errorCode, "", false);
    }

    static SendOutcome noAnswer(String problem, boolean connectionFailed) {
        return new SendOutcome("", "", "", problem, connectionFailed);
    }

    public boolean answered() {
        return !ackCode.isEmpty();
    }

    /** AA or CA: the receiver took responsibility for the message. */
    public boolean accepted() {
        return ackCode.equals("AA") || ackCode.equals("CA");
    }
}
