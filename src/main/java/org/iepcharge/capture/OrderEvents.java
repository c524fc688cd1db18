package org.iepcharge.capture;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.iepcharge.domain.Diagnosis;
import org.iepcharge.domain.LabMessage;
import org.iepcharge.domain.OrderContext;
import org.iepcharge.domain.OrderedTest;
import org.iepcharge.ledger.CancelState;
import org.iepcharge.ledger.HoldRecord;
import org.iepcharge.ledger.HoldStatus;
import org.iepcharge.ledger.StoredLine;
import org.iepcharge.domain.HoldReason;

/**
 * ORM / OML: the order's context (and the holds it may now decide), charges at order time under chargeTrigger
 * ORDER, and cancels — requested, refused and confirmed (docs/decision-contract.md §1, §7).
 */
final class OrderEvents {
    /** ORC-1 values that carry (or replace) the order's context. */
    static final Set<String> CONTEXT_CONTROLS = Set.of("", "NW", "XO", "RP", "SC", "SN");
    private static final Set<String> CANCEL_REQUESTS = Set.of("CA", "DC");
    private static final Set<String> CANCEL_REFUSALS = Set.of("UC", "UD");
    private static final Set<String> CANCEL_CONFIRMED = Set.of("CR", "OC", "OD", "DR");

    private final Posting posting;
    private final boolean chargeOnOrder;

    OrderEvents(Posting posting, boolean chargeOnOrder) {
        this.posting = posting;
        this.chargeOnOrder = chargeOnOrder;
    }

    void onOrder(CaptureContext c, TestEvent e) {
        CaptureLedger ledger = c.ledger();
        TestRef ref = e.ref();
        String control = e.test().orderControl();
        if (CONTEXT_CONTROLS.contains(control)) {
            OrderContext context = contextOf(e.message(), e.test(), e.stored());
            ledger.saveOrderContext(e.orderKey(), context, c.messageId());
            reevaluateHolds(c, e.orderKey(), context);
            // Under chargeTrigger ORDER each charge-master test of the order is posted at order time (§7).
            if (chargeOnOrder && control.equals("NW") && ledger.postedLines(ref).isEmpty()
                    && ledger.openHolds(ref).isEmpty()) {
                posting.decide(c, e.trigger(), ref, Optional.of(context));
            }
            return;
        }
        // A context found by placer or filler number is the row of orderKey: only without one is there a doubt.
        if (e.stored().isEmpty() && !ledger.hasContext(e.orderKey())) {
            ledger.saveOrderContext(e.orderKey(), contextOf(e.message(), e.test(), e.stored()), c.messageId());
        }
        // A cancel names one ORC/OBR group: it concerns that test of the order only (§7).
        if (CANCEL_REQUESTS.contains(control)) {
            // A request only: the LIS may still answer UC/UD (unable to cancel), so nothing is credited yet.
            ledger.setCancelState(ref, CancelState.REQUESTED);
        } else if (CANCEL_REFUSALS.contains(control)) {
            if (ledger.cancelState(ref) == CancelState.REQUESTED) {
                ledger.setCancelState(ref, CancelState.NONE);
            }
        } else if (CANCEL_CONFIRMED.contains(control)) {
            onConfirmedCancel(c, e.trigger(), ref);
        }
    }

    /** A cancel the LIS confirmed: by ORC-1 (CR, OC, OD, DR) or by a result with OBR-25 X. */
    void onConfirmedCancel(CaptureContext c, DecisionTrigger trigger, TestRef ref) {
        CaptureLedger ledger = c.ledger();
        List<StoredLine> posted = ledger.postedLines(ref);
        if (posted.isEmpty()) {
            ledger.setCancelState(ref, CancelState.CANCELLED);
            Holds.close(c, ref, hold -> true, HoldStatus.CLOSED,
                    "order cancelled by message " + trigger.header().controlId());
            return;
        }
        if (chargeOnOrder && !ledger.finalSeen(ref)) {
            // Charged at order time and never resulted: the credit mirrors each posted line of this test exactly.
            Optional<OrderContext> context = ledger.findOrderContext(trigger.test().key());
            posting.credit(c, trigger, ref.orderKey(), context, posted);
            ledger.setCancelState(ref, CancelState.CANCELLED);
            return;
        }
        Holds.holdOnce(c, ref, trigger, HoldReason.CANCEL_AFTER_RESULT,
                "Cancel confirmed after the test was resulted and charged: review before any credit");
    }

    /**
     * Re-evaluates lines held for this order now that its context arrived (§1, order context): every held test of
     * the order, each with the trigger its hold kept, unless that test has lines posted meanwhile.
     */
    private void reevaluateHolds(CaptureContext c, String orderKey, OrderContext context) {
        CaptureLedger ledger = c.ledger();
        Map<String, List<HoldRecord>> byCpt = new LinkedHashMap<>();
        for (HoldRecord hold : ledger.openHolds(orderKey)) {
            byCpt.computeIfAbsent(hold.cpt(), k -> new ArrayList<>()).add(hold);
        }
        for (Map.Entry<String, List<HoldRecord>> test : byCpt.entrySet()) {
            TestRef ref = new TestRef(orderKey, test.getKey(), context.key());
            if (test.getKey().isEmpty() || !ledger.postedLines(ref).isEmpty()) {
                continue;
            }
            for (HoldRecord hold : test.getValue()) {
                if (Holds.isCancelAfterResult(hold) || hold.reasonCode() == HoldReason.UNMAPPED_IEP_LIKE_TEST) {
                    continue; // decided by an analyst, not by more context
                }
                Optional<DecisionTrigger> trigger = ledger.holdTrigger(hold.id());
                if (trigger.isPresent()) {
                    posting.decide(c, trigger.get(), ref, Optional.of(context));
                    break; // decide() re-decided every line of this order and CPT and closed its holds
                }
            }
        }
    }

    /** The order's context: what this message says, keeping stored items an order message does not repeat. */
    static OrderContext contextOf(LabMessage m, OrderedTest test, Optional<OrderContext> stored) {
        List<Diagnosis> dx = new ArrayList<>(m.diagnoses());
        dx.addAll(test.diagnoses());
        OrderContext fresh = new OrderContext(test.key(), m.patient(), m.visit(), m.insurance(), dx,
                test.abnStatus(), test.orderingProvider(), m.header().controlId());
        if (stored.isEmpty() || !m.isOrder()) {
            return fresh;
        }
        OrderContext old = stored.get();
        return new OrderContext(old.key(), fresh.patient(), fresh.visit(),
                fresh.insurance().isEmpty() ? old.insurance() : fresh.insurance(),
                fresh.diagnoses().isEmpty() ? old.diagnoses() : fresh.diagnoses(),
                fresh.abnStatus().isEmpty() ? old.abnStatus() : fresh.abnStatus(),
                fresh.orderingProvider().isEmpty() ? old.orderingProvider() : fresh.orderingProvider(),
                fresh.sourceControlId());
    }
}
