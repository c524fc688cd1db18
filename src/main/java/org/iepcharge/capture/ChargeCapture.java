package org.iepcharge.capture;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.iepcharge.billing.DftBuilder;
import org.iepcharge.domain.ChargeDocument;
import org.iepcharge.domain.ChargeLine;
import org.iepcharge.domain.Disposition;
import org.iepcharge.domain.FinancialTransaction;
import org.iepcharge.domain.LabMessage;
import org.iepcharge.domain.LineKind;
import org.iepcharge.domain.MessageHeader;
import org.iepcharge.domain.OrderContext;
import org.iepcharge.domain.OrderKey;
import org.iepcharge.domain.OrderedTest;
import org.iepcharge.domain.Outcome;
import org.iepcharge.domain.TransactionType;
import org.iepcharge.edge.Inbound;
import org.iepcharge.ledger.CancelState;
import org.iepcharge.ledger.HoldRecord;
import org.iepcharge.ledger.InboundHistory;
import org.iepcharge.ledger.InboundRecord;
import org.iepcharge.ledger.Ledger;
import org.iepcharge.ledger.LedgerException;
import org.iepcharge.ledger.LedgerSession;
import org.iepcharge.ledger.StoredAnswer;
import org.iepcharge.ledger.StoredLine;
import org.iepcharge.ledger.StoredOrder;
import org.iepcharge.rules.HoldReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records one inbound message and its outcome in one ledger transaction, and returns the outcome only once it is
 * durable: the caller ACKs after this returns, never before (nothing lost). Charges and credits are queued in the
 * same transaction with their MSH-10 and FT1-2 fixed (nothing twice).
 */
public final class ChargeCapture {
    /** Resends answered from the ledger (a metric: iep_inbound_resends_total). */
    private final java.util.concurrent.atomic.LongAdder resends = new java.util.concurrent.atomic.LongAdder();

    public long resends() {
        return resends.sum();
    }

    private static final Logger LOG = LoggerFactory.getLogger(ChargeCapture.class);
    /** HL7 table 0123 (result status). */
    private static final Set<String> RESULT_STATUSES = Set.of("A", "C", "F", "I", "O", "P", "R", "S", "X", "Y", "Z");
    private static final Set<String> CONTEXT_CONTROLS = Set.of("", "NW", "XO", "RP", "SC", "SN");
    private static final Set<String> CANCEL_REQUESTS = Set.of("CA", "DC");
    private static final Set<String> CANCEL_REFUSALS = Set.of("UC", "UD");
    private static final Set<String> CANCEL_CONFIRMED = Set.of("CR", "OC", "OD", "DR");
    private static final DateTimeFormatter DTM = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");

    private final Ledger ledger;
    private final LinePlanner planner;
    private final DftBuilder dftBuilder;
    private final boolean chargeOnOrder;
    private final Clock clock;
    private final ChargeIds ids;

    public ChargeCapture(Ledger ledger, LinePlanner planner, DftBuilder dftBuilder, boolean chargeOnOrder,
                         Clock clock) {
        this(ledger, planner, dftBuilder, chargeOnOrder, clock, ChargeIds.LEDGER_SEQUENCES);
    }

    /** As the engine runs it, with the clock (MSH-7, EVN-2, FT1-5) and the MSH-10/FT1-2 source given. */
    public ChargeCapture(Ledger ledger, LinePlanner planner, DftBuilder dftBuilder, boolean chargeOnOrder,
                         Clock clock, ChargeIds ids) {
        this.ledger = ledger;
        this.planner = planner;
        this.dftBuilder = dftBuilder;
        this.chargeOnOrder = chargeOnOrder;
        this.clock = clock;
        this.ids = ids;
    }

    /**
     * The durable outcome of an inbound message. Throws {@link LedgerException} when the ledger cannot commit; the
     * caller then answers AR 207 and nothing of the message remains.
     */
    public Outcome capture(Inbound in) {
        String hash = sha256(in.raw());
        // One patient's messages are captured one at a time (repeats, MUE); other patients' in parallel.
        String partition = in.message() == null ? "" : in.message().patient().key();
        try {
            return ledger.write(partition, s -> captureIn(s, in, hash));
        } catch (LedgerException e) {
            if (!isUniqueViolation(e)) {
                throw e;
            }
            // Another node (or connection) stored the same message or line first: decide again on what it stored.
            return ledger.write(partition, s -> captureIn(s, in, hash));
        }
    }

    private Outcome captureIn(LedgerSession s, Inbound in, String hash) throws SQLException {
        MessageHeader h = in.header();
        String sender = h == null ? "" : h.sender();
        String controlId = h == null ? "" : h.controlId();
        InboundHistory history = s.inboundHistory(sender, controlId, hash);
        Optional<StoredAnswer> prior = history.sameContent();
        if (prior.isPresent()) {
            resends.increment();
            LOG.info("{} {} is a resend: original answer {} returned, nothing reprocessed", controlId,
                    type(h), prior.get().outcome().ackCode());
            return prior.get().outcome();
        }
        if (!controlId.isEmpty() && history.controlIdSeen()) {
            LOG.warn("{} {} reuses a control ID with different content: processed as a new message", controlId,
                    type(h));
        }
        Instant now = clock.instant();
        Outcome verdict = in.verdict() != null ? in.verdict() : missingOrderKey(in);
        Outcome provisional = verdict != null ? verdict : Outcome.accepted(Disposition.IGNORED);
        long messageId = s.recordInbound(new InboundRecord(sender, controlId, hash, type(h),
                h == null ? "" : h.processingId(), in.raw(), provisional), now);
        if (verdict != null) {
            return provisional;
        }
        Effects effects = new Effects();
        LabMessage message = in.message();
        for (OrderedTest test : message.tests()) {
            onTest(s, message, test, messageId, now, effects);
        }
        Outcome outcome = Outcome.accepted(effects.disposition());
        s.setOutcome(messageId, outcome);
        return outcome;
    }

    /**
     * One charge-master test of an order: the unit the capture keeps its state for. The line identity is (order,
     * CPT, kind) (docs/decision-contract.md §4): first final, cancel state, posted lines, holds and corrections are
     * all per (order, CPT), so a second charge-master test on the same order is never taken for the first.
     *
     * @param orderKey the key the order is filed under in the ledger ({@link StoredOrder})
     * @param cpt      the CPT the charge master maps the test to ({@code ""} for an unmapped IEP-like test)
     * @param order    the order's whole identity: placer and filler numbers with namespaces, as far as known
     */
    private record TestRef(String orderKey, String cpt, OrderKey order) {
    }

    /**
     * AE 101 for the first test without placer or filler number that we would charge or hold (a charge-master test,
     * or an IEP-like name): its lines could never be matched to their order. A test we never charge needs no order
     * number — recognition comes first.
     */
    private Outcome missingOrderKey(Inbound in) {
        if (!in.accepted()) {
            return null;
        }
        List<OrderedTest> tests = in.message().tests();
        for (int i = 0; i < tests.size(); i++) {
            Outcome owed = in.keylessTests().get(i);
            if (owed != null && (planner.isChargeMasterTest(tests.get(i)) || planner.looksLikeIep(tests.get(i)))) {
                return owed;
            }
        }
        return null;
    }

    private void onTest(LedgerSession s, LabMessage message, OrderedTest test, long messageId, Instant now,
                        Effects effects) throws SQLException {
        DecisionTrigger trigger = new DecisionTrigger(message.header(), test, message.patient());
        Optional<StoredOrder> found = s.findOrder(test.key());
        String orderKey = found.map(StoredOrder::orderKey).orElse(test.key().primaryKey());
        Optional<OrderContext> stored = learnNumbers(s, orderKey, found.map(StoredOrder::context), test, now);
        OrderKey order = stored.map(c -> c.key().mergedWith(test.key())).orElse(test.key());
        Optional<String> cpt = planner.chargeMasterCpt(test);
        if (cpt.isEmpty()) {
            if (planner.looksLikeIep(test)) {
                if (message.isOrder() && CONTEXT_CONTROLS.contains(test.orderControl())) {
                    // Kept so that releasing the hold, once an analyst maps the code, finds the payer and diagnoses.
                    s.saveOrderContext(orderKey, contextOf(message, test, orderKey, stored), messageId, now);
                }
                // No CPT: within its order, the test is told apart from another unmapped one by its code, which the
                // text names (holdOnce keeps one hold per order and text for this reason).
                holdOnce(s, new TestRef(orderKey, "", order), LineKind.T, trigger,
                        HoldReason.UNMAPPED_IEP_LIKE_TEST.name(),
                        "Unmapped IEP-like test " + test.test().code() + "^" + test.test().system()
                                + ": its name looks like immunoelectrophoresis/immunofixation but its code is not in"
                                + " the charge master; recognition is by code only (docs/decision-contract.md §3)",
                        messageId, now, effects);
            }
            return;
        }
        TestRef ref = new TestRef(orderKey, cpt.get(), order);
        if (message.isOrder()) {
            onOrder(s, message, test, trigger, ref, stored, messageId, now, effects);
        } else {
            onResult(s, message, test, trigger, ref, stored, messageId, now, effects);
        }
    }

    /**
     * A stored order context completed with the numbers this message adds (a filler number sent with the placer
     * number by an interim result or a status change), so that a later result naming the order by its filler number
     * only finds it (docs/decision-contract.md §1). A number the context has is never replaced.
     */
    private static Optional<OrderContext> learnNumbers(LedgerSession s, String orderKey,
                                                       Optional<OrderContext> stored, OrderedTest test, Instant now)
            throws SQLException {
        if (stored.isEmpty()) {
            return stored;
        }
        OrderContext c = stored.get();
        OrderKey whole = c.key().mergedWith(test.key());
        if (whole.equals(c.key())) {
            return stored;
        }
        OrderContext learned = new OrderContext(whole, c.patient(), c.visit(), c.insurance(), c.diagnoses(),
                c.abnStatus(), c.orderingProvider(), c.sourceControlId());
        s.updateOrderIdentity(orderKey, learned, now);
        return Optional.of(learned);
    }

    // ---- ORM / OML ---------------------------------------------------------------------------------------------

    private void onOrder(LedgerSession s, LabMessage message, OrderedTest test, DecisionTrigger trigger,
                         TestRef ref, Optional<OrderContext> stored, long messageId, Instant now,
                         Effects effects) throws SQLException {
        String orderKey = ref.orderKey();
        String control = test.orderControl();
        if (CONTEXT_CONTROLS.contains(control)) {
            OrderContext context = contextOf(message, test, orderKey, stored);
            s.saveOrderContext(orderKey, context, messageId, now);
            reevaluateHolds(s, orderKey, context, messageId, now, effects);
            // Under chargeTrigger ORDER each charge-master test of the order is posted at order time (§7).
            if (chargeOnOrder && control.equals("NW") && postedLines(s, ref).isEmpty()
                    && openHolds(s, ref).isEmpty()) {
                decide(s, trigger, ref, Optional.of(context), messageId, now, effects);
            }
            return;
        }
        // A context found by placer or filler number is the row of orderKey: only without one is there a doubt.
        if (stored.isEmpty() && !s.hasContext(orderKey)) {
            s.saveOrderContext(orderKey, contextOf(message, test, orderKey, stored), messageId, now);
        }
        // A cancel names one ORC/OBR group: it concerns that test of the order only (§7).
        if (CANCEL_REQUESTS.contains(control)) {
            // A request only: the LIS may still answer UC/UD (unable to cancel), so nothing is credited yet.
            s.setCancelState(orderKey, ref.cpt(), CancelState.REQUESTED);
        } else if (CANCEL_REFUSALS.contains(control)) {
            if (s.cancelState(orderKey, ref.cpt()) == CancelState.REQUESTED) {
                s.setCancelState(orderKey, ref.cpt(), CancelState.NONE);
            }
        } else if (CANCEL_CONFIRMED.contains(control)) {
            onConfirmedCancel(s, trigger, ref, messageId, now, effects);
        }
    }

    // ---- ORU ---------------------------------------------------------------------------------------------------

    private void onResult(LedgerSession s, LabMessage message, OrderedTest test, DecisionTrigger trigger,
                          TestRef ref, Optional<OrderContext> stored, long messageId, Instant now,
                          Effects effects) throws SQLException {
        String orderKey = ref.orderKey();
        String status = test.effectiveResultStatus();
        if (!status.isEmpty() && !RESULT_STATUSES.contains(status)) {
            holdOnce(s, ref, LineKind.T, trigger, HoldReason.UNKNOWN_RESULT_STATUS.name(),
                    "Result status OBR-25 is not a value of HL7 table 0123", messageId, now, effects);
            return;
        }
        if (status.equals("X")) {
            onConfirmedCancel(s, trigger, ref, messageId, now, effects);
            return;
        }
        if (!status.equals("F") && !status.equals("C")) {
            return; // interim (P, A, I, S, O, R, Y, Z, or an empty OBR-25 with non-final OBX): nothing yet (§7)
        }
        if (stored.isEmpty() && !s.hasContext(orderKey)) {
            s.saveOrderContext(orderKey, contextOf(message, test, orderKey, Optional.empty()), messageId, now);
        }
        // The first final for this order and CPT (§7): another test of the same order resulted before is no reason.
        boolean firstFinal = s.markFinalSeen(orderKey, ref.cpt());
        List<StoredLine> posted = postedLines(s, ref);
        // Nothing above rewrote a context that was found, so it is what a second read would return.
        Optional<OrderContext> context = stored.isPresent() ? stored : s.findOrderContext(test.key());
        if (s.cancelState(orderKey, ref.cpt()) == CancelState.CANCELLED && posted.isEmpty()) {
            holdOnce(s, ref, LineKind.T, trigger, HoldReason.CANCEL_AFTER_RESULT.name(),
                    "A result arrived for an order the LIS had cancelled: the test was performed; review",
                    messageId, now, effects);
            return;
        }
        if (posted.isEmpty()) {
            decide(s, trigger, ref, context, messageId, now, effects);
        } else if (status.equals("C") || (chargeOnOrder && firstFinal)) {
            // Under chargeTrigger ORDER the first final result is a correction: recompute with its facts (§7).
            correct(s, trigger, ref, context, posted, messageId, now, effects);
        }
        // A further final for an order and CPT already charged: nothing (§7).
    }

    // ---- decisions ---------------------------------------------------------------------------------------------

    /**
     * Decides and posts (or holds) the lines of a test not charged yet, closing the holds this supersedes — those
     * of the same order and CPT only: another test's held line is its own (§6).
     */
    private void decide(LedgerSession s, DecisionTrigger trigger, TestRef ref, Optional<OrderContext> context,
                        long messageId, Instant now, Effects effects) throws SQLException {
        decide(s, trigger, ref, context, messageId, now, effects, null);
    }

    /**
     * As above; {@code released} is the hold an analyst released to get here: a line the rules hold again keeps its
     * ID (the planned hold of the same CPT and kind, else the first one) instead of opening a new hold.
     */
    private void decide(LedgerSession s, DecisionTrigger trigger, TestRef ref, Optional<OrderContext> context,
                        long messageId, Instant now, Effects effects, HoldRecord released) throws SQLException {
        for (HoldRecord hold : openHolds(s, ref)) {
            s.closeHold(hold.id(), "SUPERSEDED", "re-decided on message " + trigger.header().controlId(), now);
        }
        Plan plan = planner.plan(trigger, context, s);
        post(s, trigger, ref, context, plan.lines(), messageId, plan.rulesVersion(), now, effects);
        PlannedHold keeps = released == null ? null : plan.holds().stream()
                .filter(h -> h.cpt().equals(released.cpt()) && h.kind().name().equals(released.kind()))
                .findFirst().orElse(plan.holds().isEmpty() ? null : plan.holds().get(0));
        for (PlannedHold hold : plan.holds()) {
            if (hold != keeps || !s.reopenReleasedHold(released.id(), hold.cpt().isEmpty() ? ref.cpt() : hold.cpt(),
                    hold.kind().name(), hold.reasonCode(), hold.reasonText())) {
                openHold(s, ref, hold, trigger, messageId, now);
            }
            effects.held = true;
        }
    }

    /**
     * Per-line difference after a correction (docs/decision-contract.md §7): old and new lines are paired by (CPT, kind) within this order and
     * CPT, never across the tests of an order; changed lines are credited and re-posted.
     */
    private void correct(LedgerSession s, DecisionTrigger trigger, TestRef ref, Optional<OrderContext> context,
                         List<StoredLine> posted, long messageId, Instant now, Effects effects) throws SQLException {
        Plan plan = planner.plan(trigger, context, s);
        Map<String, StoredLine> old = new LinkedHashMap<>();
        posted.forEach(l -> old.put(lineSlot(l.line().cpt(), l.line().kind()), l));
        List<StoredLine> toCredit = new ArrayList<>();
        List<ChargeLine> toPost = new ArrayList<>();
        for (ChargeLine line : plan.lines()) {
            StoredLine before = old.remove(lineSlot(line.cpt(), line.kind()));
            if (before == null) {
                toPost.add(line);
            } else if (changed(before.line(), line)) {
                toCredit.add(before);
                toPost.add(line);
            }
        }
        // The correction re-evaluates this test's open holds (§6); a cancel after result stays for the analyst.
        for (HoldRecord hold : openHolds(s, ref)) {
            if (!hold.reasonCode().equals(HoldReason.CANCEL_AFTER_RESULT.name())) {
                s.closeHold(hold.id(), "SUPERSEDED", "re-decided on message " + trigger.header().controlId(), now);
            }
        }
        Set<String> held = new java.util.HashSet<>();
        for (PlannedHold hold : plan.holds()) {
            held.add(lineSlot(hold.cpt().isEmpty() ? ref.cpt() : hold.cpt(), hold.kind()));
            openHold(s, ref, hold, trigger, messageId, now);
            effects.held = true;
        }
        // A line the correction removes is credited; one it can no longer decide stays posted, held for review.
        old.values().stream().filter(l -> !held.contains(lineSlot(l.line().cpt(), l.line().kind())))
                .forEach(toCredit::add);
        credit(s, trigger, ref.orderKey(), context, toCredit, messageId, now, effects);
        post(s, trigger, ref, context, toPost, messageId, plan.rulesVersion(), now, effects);
    }

    /** The line identity within one order: (CPT, kind) (§4). */
    private static String lineSlot(String cpt, LineKind kind) {
        return cpt + "/" + kind.name();
    }

    private static boolean changed(ChargeLine a, ChargeLine b) {
        return !a.cpt().equals(b.cpt()) || !a.modifiers().equals(b.modifiers()) || a.units() != b.units()
                || !a.dateOfService().equals(b.dateOfService());
    }

    private void onConfirmedCancel(LedgerSession s, DecisionTrigger trigger, TestRef ref, long messageId,
                                   Instant now, Effects effects) throws SQLException {
        String orderKey = ref.orderKey();
        List<StoredLine> posted = postedLines(s, ref);
        if (posted.isEmpty()) {
            s.setCancelState(orderKey, ref.cpt(), CancelState.CANCELLED);
            for (HoldRecord hold : openHolds(s, ref)) {
                s.closeHold(hold.id(), "CLOSED", "order cancelled by message " + trigger.header().controlId(), now);
            }
            return;
        }
        if (chargeOnOrder && !s.finalSeen(orderKey, ref.cpt())) {
            // Charged at order time and never resulted: the credit mirrors each posted line of this test exactly.
            Optional<OrderContext> context = s.findOrderContext(trigger.test().key());
            credit(s, trigger, orderKey, context, posted, messageId, now, effects);
            s.setCancelState(orderKey, ref.cpt(), CancelState.CANCELLED);
            return;
        }
        holdOnce(s, ref, LineKind.T, trigger, HoldReason.CANCEL_AFTER_RESULT.name(),
                "Cancel confirmed after the test was resulted and charged: review before any credit",
                messageId, now, effects);
    }

    /**
     * Re-evaluates lines held for this order now that its context arrived (§1, order context): every held test of
     * the order, each with the trigger its hold kept, unless that test has lines posted meanwhile.
     */
    private void reevaluateHolds(LedgerSession s, String orderKey, OrderContext context, long messageId, Instant now,
                                 Effects effects) throws SQLException {
        Map<String, List<HoldRecord>> byCpt = new LinkedHashMap<>();
        for (HoldRecord hold : s.openHolds(orderKey)) {
            byCpt.computeIfAbsent(hold.cpt(), k -> new ArrayList<>()).add(hold);
        }
        for (Map.Entry<String, List<HoldRecord>> test : byCpt.entrySet()) {
            TestRef ref = new TestRef(orderKey, test.getKey(), context.key());
            if (test.getKey().isEmpty() || !postedLines(s, ref).isEmpty()) {
                continue;
            }
            for (HoldRecord hold : test.getValue()) {
                if (hold.reasonCode().equals(HoldReason.CANCEL_AFTER_RESULT.name())
                        || hold.reasonCode().equals(HoldReason.UNMAPPED_IEP_LIKE_TEST.name())) {
                    continue; // decided by an analyst, not by more context
                }
                Optional<DecisionTrigger> trigger = s.holdTrigger(hold.id(), DecisionTrigger.class);
                if (trigger.isPresent()) {
                    decide(s, trigger.get(), ref, Optional.of(context), messageId, now, effects);
                    break; // decide() re-decided every line of this order and CPT and closed its holds
                }
            }
        }
    }

    // ---- analysts' actions on holds ----------------------------------------------------------------------------

    /** What {@code holds release} did. */
    public enum ReleaseResult { POSTED, HELD_AGAIN, ALREADY_CHARGED, NOT_OPEN }

    /**
     * Re-evaluates a held line with the current rules (after an analyst fixed the charge master, say): posts it or
     * keeps it held — under the same hold ID — with the reason the rules now give. The hold is closed in the same
     * transaction, conditionally, so a hold is never posted twice — not even by two analysts releasing it at once.
     */
    public ReleaseResult releaseHold(long holdId) {
        String patient = ledger.read(s -> s.hold(holdId)).map(HoldRecord::patientKey).orElse("");
        return ledger.write(patient, s -> {
            Optional<HoldRecord> hold = s.hold(holdId);
            Optional<DecisionTrigger> trigger = s.holdTrigger(holdId, DecisionTrigger.class);
            Instant now = clock.instant();
            if (hold.isEmpty() || trigger.isEmpty() || !s.closeHold(holdId, "RELEASED", "released by analyst", now)) {
                return ReleaseResult.NOT_OPEN;
            }
            String orderKey = hold.get().orderKey();
            Optional<OrderContext> context = s.findOrderContext(trigger.get().test().key());
            OrderKey order = context.map(c -> c.key().mergedWith(trigger.get().test().key()))
                    .orElse(trigger.get().test().key());
            // The analyst may have mapped an unmapped code meanwhile: the CPT is what the charge master says now.
            String cpt = planner.chargeMasterCpt(trigger.get().test()).orElse(hold.get().cpt());
            TestRef ref = new TestRef(orderKey, cpt, order);
            if (!postedLines(s, ref).isEmpty()) {
                return ReleaseResult.ALREADY_CHARGED;
            }
            if (!planner.isChargeMasterTest(trigger.get().test())) {
                // Still not a test the charge master maps: the same hold, same ID, open again.
                s.reopenReleasedHold(holdId, hold.get().cpt(), hold.get().kind(), hold.get().reasonCode(),
                        hold.get().reasonText());
                return ReleaseResult.HELD_AGAIN;
            }
            Effects effects = new Effects();
            decide(s, trigger.get(), ref, context, hold.get().sourceMessageId(), now, effects, hold.get());
            LOG.info("hold {} released: {}", holdId, effects.charged ? "posted" : "held again");
            return effects.charged ? ReleaseResult.POSTED : ReleaseResult.HELD_AGAIN;
        });
    }

    /** Closes a hold without posting, with the analyst's reason kept as the audit entry. */
    public boolean discardHold(long holdId, String reason) {
        return ledger.write(s -> s.closeHold(holdId, "DISCARDED", "discarded by analyst: " + reason,
                clock.instant()));
    }

    // ---- posting -----------------------------------------------------------------------------------------------

    private void post(LedgerSession s, DecisionTrigger trigger, TestRef ref, Optional<OrderContext> context,
                      List<ChargeLine> lines, long messageId, String rulesVersion, Instant now, Effects effects)
            throws SQLException {
        if (lines.isEmpty()) {
            return;
        }
        String orderKey = ref.orderKey();
        String dftId = ids.nextDftControlId(s);
        List<StoredLine> history = s.linesForOrder(orderKey);
        List<FinancialTransaction> transactions = new ArrayList<>();
        for (ChargeLine planned : lines) {
            ChargeLine line = planned.withTransactionId(ids.nextTransactionId(s));
            int generation = 1 + (int) history.stream()
                    .filter(l -> l.line().cpt().equals(line.cpt()) && l.line().kind() == line.kind()).count();
            s.insertLine(orderKey, ref.order(), generation, line, trigger.header().isProduction(),
                    trigger.patientKey(), rulesVersion, messageId, dftId, now);
            transactions.add(new FinancialTransaction(TransactionType.CG, line));
        }
        queue(s, dftId, trigger, orderKey, context, transactions, now);
        effects.charged = true;
    }

    /**
     * Credits posted lines. A charge whose DFT has not left the outbox is withdrawn with its credit instead: neither
     * is sent (§7). Otherwise the credit carries the charge's FT1-2 with FT1-6 = CD.
     */
    private void credit(LedgerSession s, DecisionTrigger trigger, String orderKey, Optional<OrderContext> context,
                        List<StoredLine> lines, long messageId, Instant now, Effects effects) throws SQLException {
        if (lines.isEmpty()) {
            return;
        }
        Map<String, List<StoredLine>> byDft = new LinkedHashMap<>();
        lines.forEach(l -> byDft.computeIfAbsent(l.postedDft(), k -> new ArrayList<>()).add(l));
        // Whole DFTs only: every line of the order still posted (whatever its CPT) that the DFT carried.
        List<StoredLine> allPosted = s.linesForOrder(orderKey).stream().filter(StoredLine::isPosted).toList();
        List<StoredLine> toSend = new ArrayList<>();
        for (Map.Entry<String, List<StoredLine>> group : byDft.entrySet()) {
            long stillPostedInDft = allPosted.stream().filter(l -> l.postedDft().equals(group.getKey())).count();
            if (stillPostedInDft == group.getValue().size() && s.withdrawPending(group.getKey(), now)) {
                for (StoredLine l : group.getValue()) {
                    s.closeLine(l.id(), StoredLine.WITHDRAWN, null, now);
                }
                LOG.info("{} withdrawn with its credit before delivery", group.getKey());
                effects.withdrawn = true;
            } else {
                toSend.addAll(group.getValue());
            }
        }
        if (toSend.isEmpty()) {
            return;
        }
        String dftId = ids.nextDftControlId(s);
        List<FinancialTransaction> transactions = new ArrayList<>();
        for (StoredLine l : toSend) {
            if (s.closeLine(l.id(), StoredLine.CREDITED, dftId, now)) {
                transactions.add(new FinancialTransaction(TransactionType.CD, l.line()));
            }
        }
        if (!transactions.isEmpty()) {
            queue(s, dftId, trigger, orderKey, context, transactions, now);
            effects.charged = true;
        }
    }

    private void queue(LedgerSession s, String dftId, DecisionTrigger trigger, String orderKey,
                       Optional<OrderContext> context, List<FinancialTransaction> transactions, Instant now)
            throws SQLException {
        OrderContext ctx = context.orElseGet(() -> bareContext(trigger));
        ChargeDocument document = new ChargeDocument(dftId, trigger.header().processingId().isEmpty() ? "P"
                : trigger.header().processingId(), DTM.format(now.atZone(clock.getZone())), ctx,
                trigger.test().key().filler(), transactions);
        byte[] payload = dftBuilder.build(document).getBytes(StandardCharsets.UTF_8);
        s.enqueue(dftId, orderKey, payload, now);
        LOG.info("{} queued for billing: {} line(s) for message {}", dftId, transactions.size(),
                trigger.header().controlId());
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    /**
     * Opens a hold for this order and CPT unless one with the same reason is open already; for an unmapped test
     * (no CPT) unless one for the same test code (named in the text) is open.
     */
    private void holdOnce(LedgerSession s, TestRef ref, LineKind kind, DecisionTrigger trigger, String reasonCode,
                          String reasonText, long messageId, Instant now, Effects effects) throws SQLException {
        boolean open = openHolds(s, ref).stream().anyMatch(h -> h.reasonCode().equals(reasonCode)
                && (!ref.cpt().isEmpty() || h.reasonText().equals(reasonText)));
        if (!open) {
            s.openHold(ref.orderKey(), ref.cpt(), kind.name(), trigger.patientKey(), reasonCode, reasonText,
                    messageId, trigger, now);
        }
        effects.held = true;
    }

    private static void openHold(LedgerSession s, TestRef ref, PlannedHold hold, DecisionTrigger trigger,
                                 long messageId, Instant now) throws SQLException {
        s.openHold(ref.orderKey(), hold.cpt().isEmpty() ? ref.cpt() : hold.cpt(), hold.kind().name(),
                trigger.patientKey(), hold.reasonCode(), hold.reasonText(), messageId, trigger, now);
    }

    /** The posted (not credited) lines of this order and CPT. */
    private static List<StoredLine> postedLines(LedgerSession s, TestRef ref) throws SQLException {
        return s.linesForOrder(ref.orderKey()).stream()
                .filter(l -> l.isPosted() && l.line().cpt().equals(ref.cpt())).toList();
    }

    /** The open holds of this order and CPT. */
    private static List<HoldRecord> openHolds(LedgerSession s, TestRef ref) throws SQLException {
        return s.openHolds(ref.orderKey()).stream().filter(h -> h.cpt().equals(ref.cpt())).toList();
    }

    /** The order's context: what this order message says, keeping stored items it does not repeat. */
    private static OrderContext contextOf(LabMessage m, OrderedTest test, String orderKey,
                                          Optional<OrderContext> stored) {
        List<org.iepcharge.domain.Diagnosis> dx = new ArrayList<>(m.diagnoses());
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

    private static OrderContext bareContext(DecisionTrigger t) {
        return new OrderContext(t.test().key(), org.iepcharge.domain.Patient.NONE, null, List.of(),
                t.test().diagnoses(), "", t.test().orderingProvider(), "");
    }

    private static String type(MessageHeader h) {
        return h == null ? "UNKNOWN" : h.type();
    }

    /** The content hash the ledger keys a message on (with sender and MSH-10). */
    public static String sha256(byte[] raw) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    /** What one message did, for its disposition. */
    private static final class Effects {
        boolean charged;
        boolean held;
        boolean withdrawn;

        Disposition disposition() {
            return charged ? Disposition.CHARGED : held ? Disposition.HELD
                    : withdrawn ? Disposition.WITHDRAWN : Disposition.IGNORED;
        }
    }
}
