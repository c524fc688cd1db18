package org.iepcharge.hl7;

/**
 * The MSH fields needed before (and even without) a full parse: to pick the charset, to reject by version or type,
 * to choose the acknowledgement mode and to address an ACK. Read by {@link Er7#msh()} so that a message HAPI cannot
 * parse still gets a proper answer.
 *
 * @param acceptAckType      MSH-15 (table 0155: AL, NE, ER, SU), "" when not sent
 * @param applicationAckType MSH-16 (table 0155), "" when not sent
 */
public record MshFields(char fieldSeparator, String encodingCharacters, String sendingApplication,
                        String sendingFacility, String receivingApplication, String receivingFacility,
                        String messageType, String triggerEvent, String controlId, String processingId,
                        String version, String acceptAckType, String applicationAckType, String characterSet) {

    public String sender() {
        return sendingApplication + "^" + sendingFacility;
    }

    /** Original mode when MSH-15 and MSH-16 are both empty, enhanced when either is valued (docs/billing-facts.md §5). */
    public boolean enhancedMode() {
        return !acceptAckType.isEmpty() || !applicationAckType.isEmpty();
    }
}
