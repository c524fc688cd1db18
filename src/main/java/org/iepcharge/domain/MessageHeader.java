package org.iepcharge.domain;

/**
 * MSH as the engine uses it. {@code sender} is MSH-3^MSH-4, the scope of MSH-10 uniqueness.
 */
public record MessageHeader(String sendingApplication, String sendingFacility, String receivingApplication,
                            String receivingFacility, String messageType, String triggerEvent, String controlId,
                            String processingId, String version, String timestamp) {
    public MessageHeader {
        sendingApplication = Text.orEmpty(sendingApplication);
        sendingFacility = Text.orEmpty(sendingFacility);
        receivingApplication = Text.orEmpty(receivingApplication);
        receivingFacility = Text.orEmpty(receivingFacility);
        messageType = Text.orEmpty(messageType);
        triggerEvent = Text.orEmpty(triggerEvent);
        controlId = Text.orEmpty(controlId);
        processingId = Text.orEmpty(processingId);
        version = Text.orEmpty(version);
        timestamp = Text.orEmpty(timestamp);
    }

    public String sender() {
        return sendingApplication + "^" + sendingFacility;
    }

    public String type() {
        return messageType + "^" + triggerEvent;
    }

    /** Training (T) and debugging (D) traffic never counts toward production repeats or duplicates. */
    public boolean isProduction() {
        return !processingId.equals("T") && !processingId.equals("D");
    }
}
