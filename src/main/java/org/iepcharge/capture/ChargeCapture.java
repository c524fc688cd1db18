package org.iepcharge.capture;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import org.iepcharge.billing.DftBuilder;
import org.iepcharge.domain.Disposition;
import org.iepcharge.domain.LabMessage;
import org.iepcharge.domain.MessageHeader;
import org.iepcharge.domain.OrderContext;
import org.iepcharge.domain.OrderKey;
import org.iepcharge.domain.OrderedTest;
import org.iepcharge.domain.Outcome;
import org.iepcharge.edge.Inbound;
import org.iepcharge.ledger.AuditWrite;
import org.iepcharge.ledger.HoldRecord;
import org.iepcharge.ledger.HoldStatus;
import org.iepcharge.ledger.InboundHistory;
import org.iepcharge.ledger.InboundRecord;
import org.iepcharge.ledger.Ledger;
import org.iepcharge.ledger.LedgerException;
import org.iepcharge.ledger.LedgerSession;
import org.iepcharge.ledger.StoredAnswer;
import org.iepcharge.ledger.StoredOrder;
import org.iepcharge.domain.HoldReason;
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

    private final Ledger ledger;
    private final LinePlanner planner;
    private final Clock clock;
    private final ChargeIds ids;
    private final Posting posting;
    private final OrderEvents orders;
    private final ResultEvents results;

    public ChargeCapture(Ledger ledger, LinePlanner planner, DftBuilder dftBuilder, boolean chargeOnOrder,
                         Clock clock) {
        this(ledger, planner, dftBuilder, chargeOnOrder, clock, ChargeIds.LEDGER_SEQUENCES);
    }

    /** As the engine runs it, with the clock (MSH-7, EVN-2, FT1-5) and the MSH-10/FT1-2 source given. */
    public ChargeCapture(Ledger ledger, LinePlanner planner, DftBuilder dftBuilder, boolean chargeOnOrder,
                         Clock clock, ChargeIds ids) {
        this.ledger = ledger;
        this.planner = planner;
        this.clock = clock;
        this.ids = ids;
        this.posting = new Posting(planner, dftBuilder, clock);
        this.orders = new OrderEvents(posting, chargeOnOrder);
        this.results = new ResultEvents(posting, orders, chargeOnOrder);
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
            return write(partition, books -> captureIn(books, in, hash));
        } catch (LedgerException e) {
            if (!isUniqueViolation(e)) {
                throw e;
            }
            // Another node (or connection) stored the same message or line first: decide again on what it stored.
            return write(partition, books -> captureIn(books, in, hash));
        }
    }

    /** The ledger transaction as the capture's steps use it. */
    private CaptureLedger session(LedgerSession s) {
        return new CaptureLedger(s, ids, clock);
    }

    /**
     * Runs {@code work} in a ledger transaction, then — on the caller's thread, once it has committed — what the
     * work left for after the commit (log lines saying what was queued): nothing of it runs on the ledger writer,
     * and nothing is logged for a transaction that rolled back. A batch may run the work more than once (the
     * writer's fallback to savepoints); the last run is the one that committed.
     */
    private <T> T write(String partition, java.util.function.Function<CaptureLedger, T> work) {
        java.util.concurrent.atomic.AtomicReference<CaptureLedger> committed =
                new java.util.concurrent.atomic.AtomicReference<>();
        T result = ledger.write(partition, s -> {
            CaptureLedger books = session(s);
            committed.set(books);
            return work.apply(books);
        });
        committed.get().runAfterCommit();
        return result;
    }

    private Outcome captureIn(CaptureLedger books, Inbound in, String hash) {
        MessageHeader h = in.header();
        String sender = h == null ? "" : h.sender();
        String controlId = h == null ? "" : h.controlId();
        // The first test's order is what onTest looks up next: named here, it travels with the history's read.
        OrderedTest first = in.verdict() == null && in.message() != null && !in.message().tests().isEmpty()
                ? in.message().tests().get(0) : null;
        InboundHistory history = first == null ? books.inboundHistory(sender, controlId, hash)
                : books.inboundHistory(sender, controlId, hash, first.key(),
                planner.chargeMasterCpt(first).orElse(""));
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
        Outcome verdict = in.verdict() != null ? in.verdict() : missingOrderKey(in);
        InboundRecord record = new InboundRecord(sender, controlId, hash, type(h),
                h == null ? "" : h.processingId(), in.raw(), verdict != null ? verdict
                : Outcome.accepted(Disposition.IGNORED));
        if (verdict != null) {
            books.recordInbound(record);
            return verdict;
        }
        CaptureContext c = new CaptureContext(books, record);
        LabMessage message = in.message();
        for (OrderedTest test : message.tests()) {
            onTest(c, message, test);
        }
        return c.finish();
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

    /** One ORC/OBR group: finds its order and charge-master test, then hands it to the order or result events. */
    private void onTest(CaptureContext c, LabMessage message, OrderedTest test) {
        CaptureLedger books = c.ledger();
        DecisionTrigger trigger = new DecisionTrigger(message.header(), test, message.patient());
        Optional<String> cpt = planner.chargeMasterCpt(test);
        Optional<StoredOrder> found = books.findOrder(test.key(), cpt.orElse(""));
        String orderKey = found.map(StoredOrder::orderKey).orElse(test.key().primaryKey());
        Optional<OrderContext> stored = learnNumbers(books, orderKey, found.map(StoredOrder::context), test);
        OrderKey order = stored.map(k -> k.key().mergedWith(test.key())).orElse(test.key());
        if (cpt.isEmpty()) {
            if (planner.looksLikeIep(test)) {
                if (message.isOrder() && OrderEvents.CONTEXT_CONTROLS.contains(test.orderControl())) {
                    // Kept so that releasing the hold, once an analyst maps the code, finds the payer and diagnoses.
                    books.saveOrderContext(orderKey, OrderEvents.contextOf(message, test, stored), c.messageId());
                }
                // No CPT: within its order, the test is told apart from another unmapped one by its code, which the
                // text names (holdOnce keeps one hold per order and text for this reason).
                Holds.holdOnce(c, new TestRef(orderKey, "", order), trigger, HoldReason.UNMAPPED_IEP_LIKE_TEST,
                        "Unmapped IEP-like test " + test.test().code() + "^" + test.test().system()
                                + ": its name looks like immunoelectrophoresis/immunofixation but its code is not in"
                                + " the charge master; recognition is by code only (docs/decision-contract.md §3)");
            }
            return;
        }
        TestEvent event = new TestEvent(message, test, trigger, new TestRef(orderKey, cpt.get(), order), stored);
        if (message.isOrder()) {
            orders.onOrder(c, event);
        } else {
            results.onResult(c, event);
        }
    }

    /**
     * A stored order context completed with the numbers this message adds (a filler number sent with the placer
     * number by an interim result or a status change), so that a later result naming the order by its filler number
     * only finds it (docs/decision-contract.md §1). A number the context has is never replaced.
     */
    private static Optional<OrderContext> learnNumbers(CaptureLedger books, String orderKey,
                                                       Optional<OrderContext> stored, OrderedTest test) {
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
        books.updateOrderIdentity(orderKey, learned);
        return Optional.of(learned);
    }

    // ---- analysts' actions on holds ----------------------------------------------------------------------------

    /** What {@code holds release} did. */
    public enum ReleaseResult { POSTED, HELD_AGAIN, ALREADY_CHARGED, NOT_OPEN }

    /**
     * Re-evaluates a held line with the current rules (after an analyst fixed the charge master, say): posts it or
     * keeps it held — under the same hold ID — with the reason the rules now give. The hold is closed in the same
     * transaction, conditionally, so a hold is never posted twice — not even by two analysts releasing it at once.
     * {@code audit} writes the analyst's audit row in that transaction too.
     */
    public ReleaseResult releaseHold(long holdId, AuditWrite<ReleaseResult> audit) {
        String patient = ledger.read(s -> s.holds().find(holdId)).map(HoldRecord::patientKey).orElse("");
        return write(patient, books -> books.audited(audit, release(books, holdId)));
    }

    private ReleaseResult release(CaptureLedger books, long holdId) {
        Optional<HoldRecord> hold = books.hold(holdId);
        Optional<DecisionTrigger> trigger = books.holdTrigger(holdId);
        if (hold.isEmpty() || trigger.isEmpty()
                || !books.closeHold(holdId, HoldStatus.RELEASED, "released by analyst")) {
            return ReleaseResult.NOT_OPEN;
        }
        OrderedTest test = trigger.get().test();
        Optional<OrderContext> context = books.findOrderContext(test.key());
        OrderKey order = context.map(k -> k.key().mergedWith(test.key())).orElse(test.key());
        // The analyst may have mapped an unmapped code meanwhile: the CPT is what the charge master says now.
        String cpt = planner.chargeMasterCpt(test).orElse(hold.get().cpt());
        TestRef ref = new TestRef(hold.get().orderKey(), cpt, order);
        if (!books.postedLines(ref).isEmpty()) {
            return ReleaseResult.ALREADY_CHARGED;
        }
        if (!planner.isChargeMasterTest(test)) {
            // Still not a test the charge master maps: the same hold, same ID, open again.
            books.reopenReleasedHold(hold.get());
            return ReleaseResult.HELD_AGAIN;
        }
        CaptureContext c = CaptureContext.release(books, hold.get());
        posting.decide(c, trigger.get(), ref, context);
        LOG.info("hold {} released: {}", holdId, c.hasCharged() ? "posted" : "held again");
        return c.hasCharged() ? ReleaseResult.POSTED : ReleaseResult.HELD_AGAIN;
    }

    /**
     * Closes a hold without posting, with the analyst's reason kept on the hold; {@code audit} writes the analyst's
     * audit row in the same transaction.
     */
    public boolean discardHold(long holdId, String reason, AuditWrite<Boolean> audit) {
        return ledger.write(s -> {
            CaptureLedger books = session(s);
            return books.audited(audit, books.closeHold(holdId, HoldStatus.DISCARDED, "discarded by analyst: " + reason));
        });
    }

    private static String type(MessageHeader h) {
        return h == null ? "UNKNOWN" : h.type();
    }

    /**
     * Each thread's SHA-256 digest: {@code MessageDigest.getInstance} searches the security providers on every call
     * (≈ 1 % of the LIS route thread's CPU, BENCHMARKS.md "LIS route thread, fourth pass"); {@code digest} resets the
     * instance, so a kept one starts every message from nothing.
     */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    });

    /** The content hash the ledger keys a message on (with sender and MSH-10). */
    public static String sha256(byte[] raw) {
        return HexFormat.of().formatHex(SHA_256.get().digest(raw));
    }

    private static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
