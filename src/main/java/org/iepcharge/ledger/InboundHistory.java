package org.iepcharge.ledger;

import java.util.Optional;

/**
 * A sender's control ID as the ledger knows it: the answer stored for the very same content (a resend), and whether
 * the control ID was used at all before.
 */
public record InboundHistory(Optional<StoredAnswer> sameContent, boolean controlIdSeen) {
}
