package org.iepcharge.billing.local;

import java.nio.file.Path;

/**
 * What a {@link BillingReceiver} did with one inbound message. Holds no message content (PHI), only identifiers.
 *
 * @param sequence    1-based arrival number, also the file name prefix
 * @param controlId   MSH-10 ("" if the message had none)
 * @param messageType MSH-9 as sent, e.g. "DFT^P03"
 * @param file        where the message was filed, or null if it could not be stored
 * @param answer      MSA-1 of the ACK sent back
 * @param redelivery  true if this MSH-10 had already arrived since the receiver started
 */
public record ReceivedMessage(long sequence, String controlId, String messageType, Path file, String answer,
                              boolean redelivery) {
}
