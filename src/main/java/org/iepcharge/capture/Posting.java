package org.iepcharge.capture;

import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
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
import org.iepcharge.domain.LineKind;
import org.iepcharge.domain.OrderContext;
import org.iepcharge.domain.Patient;
import org.iepcharge.domain.TransactionType;
import org.iepcharge.ledger.DftIds;
import org.iepcharge.ledger.HoldRecord;
import org.iepcharge.ledger.HoldStatus;
import org.iepcharge.ledger.LineStatus;
import org.iepcharge.ledger.StoredLine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deciding a test and putting the result on the books: posting charges, crediting (or withdrawing) them, and queuing
 * each DFT with its MSH-10 and FT1-2 fixed in the same transaction (nothing twice).
 */
final class Posting {
    private static final Logger LOG = LoggerFactory.getLogger(ChargeCapture.class);
    private static final DateTimeFormatter DTM = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");

    private final LinePlanner planner;
    private final DftBuilder dftBuilder;
    private final Clock clock;

    Posting(LinePlanner planner, DftBuilder dftBuilder, Clock clock) {
        this.planner = planner;
        this.dftBuilder = dftBuilder;
        this.clock = clock;
    }

    /**
     * Decides and posts (or holds) the lines of a test not charged yet, closing the holds this supersedes — those
     * of the same order and CPT only: another test's held line is its own (§6). After a release a line the rules
     * hold again keeps the released hold's ID (the planned hold of the same CPT and kind, else the first one)
     * instead of opening a new hold.
     */
    void decide(CaptureContext c, DecisionTrigger trigger, TestRef ref, Optional<OrderContext> context) {
        Holds.close(c, ref, hold -> true, HoldStatus.SUPERSEDED, redecidedOn(trigger));
        Plan plan = c.ledger().plan(planner, trigger, context);
        post(c, trigger, ref, context, plan.lines(), plan.rulesVersion());
        Optional<HoldRecord> released = c.released();
        PlannedHold keeps = released.map(r -> plan.holds().stream()
                .filter(h -> h.cpt().equals(r.cpt()) && h.kind() == r.kind())
                .findFirst().orElse(plan.holds().isEmpty() ? null : plan.holds().get(0))).orElse(null);
        for (PlannedHold hold : plan.holds()) {
            if (hold != keeps || !c.ledger().reopenReleasedHold(released.get().id(), ref, hold)) {
                Holds.open(c, ref, hold, trigger);
            } else {
                c.held();
            }
        }
    }

    /**
     * Per-line difference after a correction (docs/decision-contract.md §7): old and new lines are paired by (CPT,
     * kind) within this order and CPT, never across the tests of an order; changed lines are credited and re-posted.
     */
    void correct(CaptureContext c, DecisionTrigger trigger, TestRef ref, Optional<OrderContext> context,
                 List<StoredLine> posted) {
        Plan plan = c.ledger().plan(planner, trigger, context);
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
        Holds.close(c, ref, hold -> !Holds.isCancelAfterResult(hold), HoldStatus.SUPERSEDED, redecidedOn(trigger));
        Set<String> held = new HashSet<>();
        for (PlannedHold hold : plan.holds()) {
            held.add(lineSlot(hold.cpt().isEmpty() ? ref.cpt() : hold.cpt(), hold.kind()));
            Holds.open(c, ref, hold, trigger);
        }
        // A line the correction removes is credited; one it can no longer decide stays posted, held for review.
        old.values().stream().filter(l -> !held.contains(lineSlot(l.line().cpt(), l.line().kind())))
                .forEach(toCredit::add);
        credit(c, trigger, ref.orderKey(), context, toCredit);
        post(c, trigger, ref, context, toPost, plan.rulesVersion());
    }

    /**
     * Credits posted lines. A charge whose DFT has not left the outbox is withdrawn with its credit instead: neither
     * is sent (§7). Otherwise the credit carries the charge's FT1-2 with FT1-6 = CD.
     */
    void credit(CaptureContext c, DecisionTrigger trigger, String orderKey, Optional<OrderContext> context,
                List<StoredLine> lines) {
        if (lines.isEmpty()) {
            return;
        }
        CaptureLedger ledger = c.ledger();
        Map<String, List<StoredLine>> byDft = new LinkedHashMap<>();
        lines.forEach(l -> byDft.computeIfAbsent(l.postedDft(), k -> new ArrayList<>()).add(l));
        // Whole DFTs only: every line of the order still posted (whatever its CPT) that the DFT carried.
        List<StoredLine> allPosted = ledger.linesForOrder(orderKey).stream().filter(StoredLine::isPosted).toList();
        List<StoredLine> toSend = new ArrayList<>();
        for (Map.Entry<String, List<StoredLine>> group : byDft.entrySet()) {
            long stillPostedInDft = allPosted.stream().filter(l -> l.postedDft().equals(group.getKey())).count();
            if (stillPostedInDft == group.getValue().size() && ledger.withdrawPending(group.getKey())) {
                for (StoredLine l : group.getValue()) {
                    ledger.closeLine(l.id(), LineStatus.WITHDRAWN, null);
                }
                LOG.info("{} withdrawn with its credit before delivery", group.getKey());
                c.withdrawn();
            } else {
                toSend.addAll(group.getValue());
            }
        }
        if (toSend.isEmpty()) {
            return;
        }
        String dftId = ledger.nextDftControlId();
        List<FinancialTransaction> transactions = new ArrayList<>();
        for (StoredLine l : toSend) {
            if (ledger.closeLine(l.id(), LineStatus.CREDITED, dftId)) {
                transactions.add(new FinancialTransaction(TransactionType.CD, l.line()));
            }
        }
        if (!transactions.isEmpty()) {
            queue(c, new Dft(dftId, trigger, orderKey, context, transactions));
        }
    }

    private void post(CaptureContext c, DecisionTrigger trigger, TestRef ref, Optional<OrderContext> context,
                      List<ChargeLine> lines, String rulesVersion) {
        if (lines.isEmpty()) {
            return;
        }
        CaptureLedger ledger = c.ledger();
        DftIds ids = ledger.nextDftIds(lines.size());
        String dftId = ids.controlId();
        List<StoredLine> history = ledger.linesForOrder(ref.orderKey());
        List<FinancialTransaction> transactions = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            ChargeLine planned = lines.get(i);
            ChargeLine line = planned.withTransactionId(ids.transactionIds().get(i));
            int generation = 1 + (int) history.stream()
                    .filter(l -> l.line().cpt().equals(line.cpt()) && l.line().kind() == line.kind()).count();
            ledger.insertLine(ref, generation, line, trigger, rulesVersion, c.messageId(Disposition.CHARGED),
                    dftId);
            transactions.add(new FinancialTransaction(TransactionType.CG, line));
        }
        queue(c, new Dft(dftId, trigger, ref.orderKey(), context, transactions));
    }

    /** One DFT to queue: its MSH-10, what it is for, and its FT1 segments. */
    private record Dft(String controlId, DecisionTrigger trigger, String orderKey, Optional<OrderContext> context,
                       List<FinancialTransaction> transactions) {
    }

    private void queue(CaptureContext c, Dft dft) {
        DecisionTrigger trigger = dft.trigger();
        OrderContext ctx = dft.context().orElseGet(() -> bareContext(trigger));
        ChargeDocument document = new ChargeDocument(dft.controlId(), trigger.header().processingId().isEmpty() ? "P"
                : trigger.header().processingId(), DTM.format(c.ledger().now().atZone(clock.getZone())), ctx,
                trigger.test().key().filler(), dft.transactions());
        // Checked now, built when sent: the HAPI build is off the ledger writer, and the stored document fixes every
        // value of the DFT, so each delivery sends the same bytes (docs/decision-contract.md §8).
        c.ledger().enqueue(dft.controlId(), dft.orderKey(), dftBuilder.stored(document));
        int lines = dft.transactions().size();
        String message = trigger.header().controlId();
        // Logged by the caller once the DFT is committed: formatting a log event is no work for the ledger writer.
        c.ledger().afterCommit(() -> LOG.info("{} queued for billing: {} line(s) for message {}", dft.controlId(),
                lines, message));
        c.charged();
    }

    private static String redecidedOn(DecisionTrigger trigger) {
        return "re-decided on message " + trigger.header().controlId();
    }

    /** The line identity within one order: (CPT, kind) (§4). */
    private static String lineSlot(String cpt, LineKind kind) {
        return cpt + "/" + kind.name();
    }

    private static boolean changed(ChargeLine a, ChargeLine b) {
        return !a.cpt().equals(b.cpt()) || !a.modifiers().equals(b.modifiers()) || a.units() != b.units()
                || !a.dateOfService().equals(b.dateOfService());
    }

    private static OrderContext bareContext(DecisionTrigger t) {
        return new OrderContext(t.test().key(), Patient.NONE, null, List.of(),
                t.test().diagnoses(), "", t.test().orderingProvider(), "");
    }
}
