package org.iepcharge.edge;

import org.iepcharge.domain.Outcome;

/** A message the edge refuses, with the AE/AR answer it gets. The message text never quotes field values (PHI). */
public final class InboundRejection extends Exception {
    private final transient Outcome outcome;

    public InboundRejection(Outcome outcome) {
        super(outcome.ackCode() + " " + outcome.errorCode() + " " + outcome.errorLocation() + ": " + outcome.errorText(),
                null, false, false);
        this.outcome = outcome;
    }

    public Outcome outcome() {
        return outcome;
    }
}
