package org.iepcharge.capture;

import java.util.Optional;

import org.iepcharge.domain.Disposition;
import org.iepcharge.ledger.HoldRecord;

/**
 * One message's capture, handed to every step that handles it: its ledger transaction, the ledger row the message
 * is stored as (the source of every line and hold it makes), and what it did so far, for its disposition. An
 * analyst's release replays the message that opened the hold, with that hold in hand.
 */
final class CaptureContext {
    private final CaptureLedger ledger;
    private final long messageId;
    private final HoldRecord released;
    private boolean charged;
    private boolean held;
    private boolean withdrawn;

    CaptureContext(CaptureLedger ledger, long messageId) {
        this(ledger, messageId, null);
    }

    private CaptureContext(CaptureLedger ledger, long messageId, HoldRecord released) {
        this.ledger = ledger;
        this.messageId = messageId;
        this.released = released;
    }

    /** {@code holds release}: the message that opened {@code released} decided again. */
    static CaptureContext release(CaptureLedger ledger, HoldRecord released) {
        return new CaptureContext(ledger, released.sourceMessageId(), released);
    }

    /** The hold an analyst released to get here, if this is a release. */
    Optional<HoldRecord> released() {
        return Optional.ofNullable(released);
    }

    CaptureLedger ledger() {
        return ledger;
    }

    long messageId() {
        return messageId;
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
        return charged ? Disposition.CHARGED : held ? Disposition.HELD
                : withdrawn ? Disposition.WITHDRAWN : Disposition.IGNORED;
    }
}
