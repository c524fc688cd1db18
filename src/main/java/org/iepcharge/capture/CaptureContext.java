package org.iepcharge.capture;

import java.util.Optional;

import org.iepcharge.domain.Disposition;
import org.iepcharge.domain.Outcome;
import org.iepcharge.ledger.InboundRecord;
import org.iepcharge.ledger.HoldRecord;

/**
 * One message's capture, handed to every step that handles it: its ledger transaction, the ledger row the message
 * is stored as (the source of every line and hold it makes), and what it did so far, for its disposition. An
 * analyst's release replays the message that opened the hold, with that hold in hand.
 *
 * <p>The message's row is written once, with its outcome, when capture ends ({@link #finish}) — unless a step needs
 * its id before (a context, line or hold references it): then it is written at that moment with the disposition that
 * step gives the message, and updated at the end only if the message ended otherwise (a held message that then
 * charged). Most messages so take one statement for their row instead of an insert and an update.
 */
final class CaptureContext {
    private final CaptureLedger ledger;
    private final InboundRecord inbound;
    private final HoldRecord released;
    private long messageId;
    private Disposition stored;
    private boolean charged;
    private boolean held;
    private boolean withdrawn;

    /** A new message's capture; its row is written by {@link #messageId} or {@link #finish}. */
    CaptureContext(CaptureLedger ledger, InboundRecord inbound) {
        this.ledger = ledger;
        this.inbound = inbound;
        this.released = null;
        this.messageId = NOT_STORED;
    }

    private CaptureContext(CaptureLedger ledger, HoldRecord released) {
        this.ledger = ledger;
        this.inbound = null;
        this.released = released;
        this.messageId = released.sourceMessageId();
    }

    private static final long NOT_STORED = -1;

    /** {@code holds release}: the message that opened {@code released} decided again. */
    static CaptureContext release(CaptureLedger ledger, HoldRecord released) {
        return new CaptureContext(ledger, released);
    }

    /** The hold an analyst released to get here, if this is a release. */
    Optional<HoldRecord> released() {
        return Optional.ofNullable(released);
    }

    CaptureLedger ledger() {
        return ledger;
    }

    /** The message's row, for a step that stores order context: written now if it is not yet. */
    long messageId() {
        return messageId(disposition());
    }

    /**
     * The message's row, for a step that gives the message {@code step} (CHARGED for a posted line, HELD for a
     * hold): written now if it is not yet, with the disposition the message has once that step is done.
     */
    long messageId(Disposition step) {
        if (messageId == NOT_STORED) {
            Disposition provisional = dispositionOf(charged || step == Disposition.CHARGED,
                    held || step == Disposition.HELD, withdrawn || step == Disposition.WITHDRAWN);
            messageId = ledger.recordInbound(inbound.withOutcome(Outcome.accepted(provisional)));
            stored = provisional;
        }
        return messageId;
    }

    /** Writes the message's outcome (its row, or the final answer over a provisional one) and returns it. */
    Outcome finish() {
        Outcome outcome = Outcome.accepted(disposition());
        if (messageId == NOT_STORED) {
            messageId = ledger.recordInbound(inbound.withOutcome(outcome));
        } else if (stored != outcome.disposition()) {
            ledger.setOutcome(messageId, outcome);
        }
        stored = outcome.disposition();
        return outcome;
    }

    /** A charge or a credit was queued for billing. */
    void charged() {
        charged = true;
    }

    void held() {
        held = true;
    }

    /** A charge was withdrawn with its credit before billing received it. */
    void withdrawn() {
        withdrawn = true;
    }

    boolean hasCharged() {
        return charged;
    }

    Disposition disposition() {
        return dispositionOf(charged, held, withdrawn);
    }

    private static Disposition dispositionOf(boolean charged, boolean held, boolean withdrawn) {
        return charged ? Disposition.CHARGED : held ? Disposition.HELD
                : withdrawn ? Disposition.WITHDRAWN : Disposition.IGNORED;
    }
}
