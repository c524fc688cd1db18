package org.iepcharge.capture;

import java.util.function.Predicate;

import org.iepcharge.domain.Disposition;
import org.iepcharge.domain.LineKind;
import org.iepcharge.ledger.HoldRecord;
import org.iepcharge.ledger.HoldStatus;
import org.iepcharge.domain.HoldReason;

/** Opening and closing the holds of one test of an order (docs/decision-contract.md §6). */
final class Holds {
    private Holds() {
    }

    /**
     * Holds the test for a reason the event handling finds (§7), unless a hold with the same reason is open already
     * for this order and CPT; for an unmapped test (no CPT) unless one for the same test code (named in the text) is.
     */
    static void holdOnce(CaptureContext c, TestRef ref, DecisionTrigger trigger, HoldReason reason, String text) {
        boolean open = c.ledger().openHolds(ref).stream().anyMatch(h -> h.reasonCode() == reason
                && (!ref.cpt().isEmpty() || h.reasonText().equals(text)));
        if (!open) {
            c.ledger().openHold(ref, new PlannedHold(LineKind.T, ref.cpt(), reason, text), trigger,
                    c.messageId(Disposition.HELD));
        }
        c.held();
    }

    /** Holds a line the rules could not decide. */
    static void open(CaptureContext c, TestRef ref, PlannedHold hold, DecisionTrigger trigger) {
        c.ledger().openHold(ref, hold, trigger, c.messageId(Disposition.HELD));
        c.held();
    }

    /** Closes the open holds of this test that {@code which} picks, with the note kept as their audit entry. */
    static void close(CaptureContext c, TestRef ref, Predicate<HoldRecord> which, HoldStatus status, String note) {
        for (HoldRecord hold : c.ledger().openHolds(ref)) {
            if (which.test(hold)) {
                c.ledger().closeHold(hold.id(), status, note);
            }
        }
    }

    /** Decided by an analyst, not by more context or a correction. */
    static boolean isCancelAfterResult(HoldRecord hold) {
        return hold.reasonCode() == HoldReason.CANCEL_AFTER_RESULT;
    }
}
