package org.iepcharge.ledger;

import org.iepcharge.domain.Outcome;

/** The answer stored for an inbound message, returned again when the same message is resent. */
public record StoredAnswer(long messageId, Outcome outcome) {
}
