package org.iepcharge.ledger;

/** The ledger could not commit (or read). The caller answers AR 207 and the LIS may resend. */
public class LedgerException extends RuntimeException {
    public LedgerException(String message, Throwable cause) {
        super(message, cause);
    }
}
