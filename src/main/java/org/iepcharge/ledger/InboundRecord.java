package org.iepcharge.ledger;

import org.iepcharge.domain.Outcome;

/** What the ledger keeps of every inbound message: raw bytes, identity, type and the answer given. */
public record InboundRecord(String sender, String controlId, String contentHash, String messageType,
                            String processingId, byte[] raw, Outcome outcome) {

    /** The same message with another answer. */
    public InboundRecord withOutcome(Outcome answer) {
        return new InboundRecord(sender, controlId, contentHash, messageType, processingId, raw, answer);
    }
}
