package org.iepcharge.capture;

import java.util.List;
import java.util.Optional;

import org.iepcharge.domain.OrderContext;
import org.iepcharge.domain.ResultStatus;
import org.iepcharge.ledger.CancelState;
import org.iepcharge.ledger.StoredLine;
import org.iepcharge.domain.HoldReason;

/**
 * ORU: the first final result charges the test, a correction re-decides it, a result for a cancelled test is held,
 * OBR-25 X confirms a cancel (docs/decision-contract.md §7).
 */
final class ResultEvents {
    private final Posting posting;
    private final OrderEvents orders;
    private final boolean chargeOnOrder;

    ResultEvents(Posting posting, OrderEvents orders, boolean chargeOnOrder) {
        this.posting = posting;
        this.orders = orders;
        this.chargeOnOrder = chargeOnOrder;
    }

    void onResult(CaptureContext c, TestEvent e) {
        CaptureLedger ledger = c.ledger();
        TestRef ref = e.ref();
        DecisionTrigger trigger = e.trigger();
        ResultStatus status = e.test().effectiveStatus();
        if (status == ResultStatus.UNKNOWN) {
            Holds.holdOnce(c, ref, trigger, HoldReason.UNKNOWN_RESULT_STATUS,
                    "Result status OBR-25 is not a value of HL7 table 0123");
            return;
        }
        if (status == ResultStatus.CANCELLED) {
            orders.onConfirmedCancel(c, trigger, ref);
            return;
        }
        if (!status.isFinal()) {
            return; // interim (P, A, I, S, O, R, Y, Z, or an empty OBR-25 with non-final OBX): nothing yet (§7)
        }
        if (e.stored().isEmpty() && !ledger.hasContext(e.orderKey())) {
            ledger.saveOrderContext(e.orderKey(), OrderEvents.contextOf(e.message(), e.test(), Optional.empty()),
                    c.messageId());
        }
        // The first final for this order and CPT (§7): another test of the same order resulted before is no reason.
        boolean firstFinal = ledger.markFinalSeen(ref);
        List<StoredLine> posted = ledger.postedLines(ref);
        // Nothing above rewrote a context that was found, so it is what a second read would return.
        Optional<OrderContext> context = e.stored().isPresent() ? e.stored()
                : ledger.findOrderContext(e.test().key());
        if (ledger.cancelState(ref) == CancelState.CANCELLED && posted.isEmpty()) {
            Holds.holdOnce(c, ref, trigger, HoldReason.CANCEL_AFTER_RESULT,
                    "A result arrived for an order the LIS had cancelled: the test was performed; review");
            return;
        }
        if (posted.isEmpty()) {
            posting.decide(c, trigger, ref, context);
        } else if (status == ResultStatus.CORRECTED || (chargeOnOrder && firstFinal)) {
            // Under chargeTrigger ORDER the first final result is a correction: recompute with its facts (§7).
            posting.correct(c, trigger, ref, context, posted);
        }
        // A further final for an order and CPT already charged: nothing (§7).
    }
}
