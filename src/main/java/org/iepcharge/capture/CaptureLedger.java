package org.iepcharge.capture;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.iepcharge.billing.StoredDft;
import org.iepcharge.domain.ChargeLine;
import org.iepcharge.domain.OrderContext;
import org.iepcharge.domain.OrderKey;
import org.iepcharge.domain.Outcome;
import org.iepcharge.ledger.AuditWrite;
import org.iepcharge.ledger.CancelState;
import org.iepcharge.ledger.DftIds;
import org.iepcharge.ledger.HoldRecord;
import org.iepcharge.ledger.HoldStatus;
import org.iepcharge.ledger.InboundHistory;
import org.iepcharge.ledger.InboundRecord;
import org.iepcharge.ledger.LedgerException;
import org.iepcharge.ledger.LedgerSession;
import org.iepcharge.ledger.LineStatus;
import org.iepcharge.ledger.StoredLine;
import org.iepcharge.ledger.StoredOrder;

/**
 * The ledger as one capture sees it: one transaction at one instant (written with every row; read from the clock when
 * first needed, so a resend answered from the ledger takes none), asked per test of an order ({@link TestRef}).
 * This is the one place where a {@link SQLException} of the ledger becomes a {@link LedgerException}, so the event
 * handling reads as business steps; the transaction still rolls back whole (the ledger rethrows it to
 * {@link ChargeCapture#capture}, which answers AR 207, or decides again after a unique-key race).
 */
final class CaptureLedger {
    private final LedgerSession session;
    private final ChargeIds ids;
    private final Clock clock;
    private Instant now;
    /** What to do once this transaction has committed, on the caller's thread ({@link ChargeCapture}). */
    private final List<Runnable> afterCommit = new java.util.ArrayList<>(1);

    CaptureLedger(LedgerSession session, ChargeIds ids, Clock clock) {
        this.session = session;
        this.ids = ids;
        this.clock = clock;
    }

    /** Runs {@code action} after the commit, off the ledger writer; not at all if the transaction rolls back. */
    void afterCommit(Runnable action) {
        afterCommit.add(action);
    }

    void runAfterCommit() {
        afterCommit.forEach(Runnable::run);
    }

    /** The instant of this transaction. */
    Instant now() {
        if (now == null) {
            now = clock.instant();
        }
        return now;
    }

    // ---- inbound messages ------------------------------------------------------------------------------------

    InboundHistory inboundHistory(String sender, String controlId, String contentHash) {
        return sql(() -> session.inbound().history(sender, controlId, contentHash));
    }

    /**
     * As {@link #inboundHistory(String, String, String)}, where the next look-up will be {@link #findOrder} for
     * {@code key} and {@code cpt}: the PostgreSQL writer reads that order in the history's round trip.
     */
    InboundHistory inboundHistory(String sender, String controlId, String contentHash, OrderKey key, String cpt) {
        return sql(() -> session.inbound().history(sender, controlId, contentHash, key, cpt));
    }

    long recordInbound(InboundRecord record) {
        return sql(() -> session.inbound().record(record, now()));
    }

    void setOutcome(long messageId, Outcome outcome) {
        run(() -> session.inbound().setOutcome(messageId, outcome));
    }

    // ---- orders and their tests --------------------------------------------------------------------------------

    /** The order a test names; its state for {@code cpt} is read in the same query (see {@link #cancelState}). */
    Optional<StoredOrder> findOrder(OrderKey key, String cpt) {
        return sql(() -> session.orders().find(key, cpt));
    }

    Optional<OrderContext> findOrderContext(OrderKey key) {
        return sql(() -> session.orders().findContext(key));
    }

    boolean hasContext(String orderKey) {
        return sql(() -> session.orders().hasContext(orderKey));
    }

    void saveOrderContext(String orderKey, OrderContext context, long sourceMessageId) {
        run(() -> session.orders().save(orderKey, context, sourceMessageId, now()));
    }

    void updateOrderIdentity(String orderKey, OrderContext context) {
        run(() -> session.orders().updateIdentity(orderKey, context, now()));
    }

    CancelState cancelState(TestRef ref) {
        return sql(() -> session.tests().cancelState(ref.orderKey(), ref.cpt()));
    }

    void setCancelState(TestRef ref, CancelState state) {
        run(() -> session.tests().setCancelState(ref.orderKey(), ref.cpt(), state));
    }

    boolean finalSeen(TestRef ref) {
        return sql(() -> session.tests().finalSeen(ref.orderKey(), ref.cpt()));
    }

    /** True when this is the first final for the test (§7). */
    boolean markFinalSeen(TestRef ref) {
        return sql(() -> session.tests().markFinalSeen(ref.orderKey(), ref.cpt()));
    }

    // ---- charge lines and the outbox ---------------------------------------------------------------------------

    List<StoredLine> linesForOrder(String orderKey) {
        return sql(() -> session.lines().forOrder(orderKey));
    }

    /** The posted (not credited) lines of this order and CPT. */
    List<StoredLine> postedLines(TestRef ref) {
        return linesForOrder(ref.orderKey()).stream()
                .filter(l -> l.isPosted() && l.line().cpt().equals(ref.cpt())).toList();
    }

    void insertLine(TestRef ref, int generation, ChargeLine line, DecisionTrigger trigger, String rulesVersion,
                    long sourceMessageId, String dftControlId) {
        run(() -> session.lines().insert(ref.orderKey(), ref.order(), generation, line, trigger.header().isProduction(),
                trigger.patientKey(), rulesVersion, sourceMessageId, dftControlId, now()));
    }

    /** False if the line was not posted any more. */
    boolean closeLine(long lineId, LineStatus status, String creditDft) {
        return sql(() -> session.lines().close(lineId, status, creditDft, now()));
    }

    String nextDftControlId() {
        return sql(() -> ids.nextDftControlId(session));
    }

    /** The MSH-10 of a DFT with the FT1-2 of its {@code charges} lines. */
    DftIds nextDftIds(int charges) {
        return sql(() -> ids.nextDftIds(session, charges));
    }

    /** Queues a DFT as its document: the outbox builds the bytes when it sends (see {@link StoredDft}). */
    void enqueue(String dftControlId, String orderKey, StoredDft dft) {
        run(() -> session.outbox().enqueueDocument(dftControlId, orderKey, dft, now()));
    }

    /** False when the DFT has left the outbox (or is leaving it right now). */
    boolean withdrawPending(String dftControlId) {
        return sql(() -> session.outbox().withdrawPending(dftControlId, now()));
    }

    /** The lines and holds the rules give, with this transaction answering their history questions (§5). */
    Plan plan(LinePlanner planner, DecisionTrigger trigger, Optional<OrderContext> context) {
        return sql(() -> planner.plan(trigger, context, session));
    }

    // ---- holds ---------------------------------------------------------------------------------------------------

    /** Every open hold of an order, whatever its CPT. */
    List<HoldRecord> openHolds(String orderKey) {
        return sql(() -> session.holds().openForOrder(orderKey));
    }

    /** The open holds of this order and CPT. */
    List<HoldRecord> openHolds(TestRef ref) {
        return openHolds(ref.orderKey()).stream().filter(h -> h.cpt().equals(ref.cpt())).toList();
    }

    Optional<HoldRecord> hold(long holdId) {
        return sql(() -> session.holds().find(holdId));
    }

    /** The trigger a hold kept, to decide its test again. */
    Optional<DecisionTrigger> holdTrigger(long holdId) {
        return sql(() -> session.holds().trigger(holdId, DecisionTrigger.class));
    }

    /**
     * Opens a hold for a line of this test: the line the rules name ({@code hold.cpt()}), else the test's own CPT.
     * {@code trigger} is kept with it for re-evaluation.
     */
    void openHold(TestRef ref, PlannedHold hold, DecisionTrigger trigger, long sourceMessageId) {
        String cpt = hold.cpt().isEmpty() ? ref.cpt() : hold.cpt();
        run(() -> session.holds().add(ref.orderKey(), cpt, hold.kind(), trigger.patientKey(), hold.reason(),
                hold.reasonText(), sourceMessageId, trigger, now()));
    }

    /**
     * Opens a hold an analyst just released again, as it was (the test is still not one the charge master maps): the
     * same hold, same ID. False unless the hold is released.
     */
    boolean reopenReleasedHold(HoldRecord hold) {
        return sql(() -> session.holds().reopenReleased(hold.id(), hold.cpt(), hold.kind(), hold.reasonCode(),
                hold.reasonText()));
    }

    /**
     * Opens a hold an analyst just released again for a line of this test the rules hold again, with the reason they
     * now give: a line still held after {@code holds release N} stays hold N. False unless the hold is released.
     */
    boolean reopenReleasedHold(long holdId, TestRef ref, PlannedHold hold) {
        String cpt = hold.cpt().isEmpty() ? ref.cpt() : hold.cpt();
        return sql(() -> session.holds().reopenReleased(holdId, cpt, hold.kind(), hold.reason(), hold.reasonText()));
    }

    /** False if the hold was closed already: a hold is never acted on twice. */
    boolean closeHold(long holdId, HoldStatus status, String note) {
        return sql(() -> session.holds().close(holdId, status, note, now()));
    }

    /** Writes an analyst action's audit row for {@code result} in this transaction; returns {@code result}. */
    <R> R audited(AuditWrite<R> audit, R result) {
        run(() -> audit.write(session, result));
        return result;
    }

    // ---- the one place a SQLException is turned into a LedgerException ------------------------------------------

    @FunctionalInterface
    private interface Statement<T> {
        T run() throws SQLException;
    }

    @FunctionalInterface
    private interface Update {
        void run() throws SQLException;
    }

    private static <T> T sql(Statement<T> statement) {
        try {
            return statement.run();
        } catch (SQLException e) {
            // The cause is kept: ChargeCapture decides again when it is a unique-key race (SQLState 23505).
            throw new LedgerException("ledger statement failed (" + e.getSQLState() + ")", e);
        }
    }

    private static void run(Update update) {
        sql(() -> {
            update.run();
            return null;
        });
    }
}
