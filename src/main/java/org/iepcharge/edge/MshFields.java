package org.iepcharge.edge;

/**
 * The MSH fields needed before (and even without) a full parse: to pick the charset, to reject by version or type,
 * and to address an ACK. Read by {@link MshReader} so that a message HAPI cannot parse still gets a proper answer.
 */
public record MshFields(char fieldSeparator, String encodingCharacters, String sendingApplication,
                        String sendingFacility, String receivingApplication, String receivingFacility,
                        String messageType, String triggerEvent, String controlId, String processingId,
                        String version, String characterSet) {

    public String sender() {
        return sendingApplication + "^" + sendingFacility;
    }
}
