package org.iepcharge.ledger;

/** The ledger would acknowledge outcomes that a crash could lose: the engine refuses to start. */
public final class DurabilityException extends LedgerException {
    public DurabilityException(String message) {
        super(message, null);
    }
}
