package org.iepcharge.ledger;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

import org.iepcharge.domain.EntityId;
import org.iepcharge.domain.OrderContext;
import org.iepcharge.domain.OrderKey;
import org.iepcharge.ledger.SessionSql.Use;
import org.iepcharge.ledger.TestStates.TestState;

/** Table {@code order_context} within one {@link LedgerSession}: what an order message said about its order. */
public final class OrderContexts {
    private final SessionSql sql;
    /** The session's test states, which {@link #find(OrderKey, String)} fills with what it read in its query. */
    private final TestStates tests;
    /** The session's lines and holds, told by {@link #find(OrderKey, String)} when the order has none of them. */
    private final ChargeLines lines;
    private final ChargeHolds holds;

    OrderContexts(SessionSql sql, TestStates tests, ChargeLines lines, ChargeHolds holds) {
        this.sql = sql;
        this.tests = tests;
        this.lines = lines;
        this.holds = holds;
    }

    /** Stores (or replaces) the context an order message carried; its cancel state is kept. */
    public void save(OrderContext context, long sourceMessageId, Instant now) throws SQLException {
        save(context.key().primaryKey(), context, sourceMessageId, now);
    }

    /**
     * Stores (or replaces) the context of the order filed under {@code orderKey} (see {@link StoredOrder}); its cancel
     * state is kept. One statement either way (an upsert, the same SQL on SQLite and PostgreSQL): the row's
     * absence need not be known first.
     */
    public void save(String orderKey, OrderContext context, long sourceMessageId, Instant now)
            throws SQLException {
        try (Use use = sql.defer("INSERT INTO order_context (order_key, placer_key, filler_key,"
                + " patient_key, source_message_id, context_json, cancel_state, final_seen, updated_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, 'NONE', FALSE, ?) ON CONFLICT (order_key) DO UPDATE SET"
                + " placer_key = excluded.placer_key, filler_key = excluded.filler_key,"
                + " patient_key = excluded.patient_key, source_message_id = excluded.source_message_id,"
                + " context_json = excluded.context_json, updated_at = excluded.updated_at")) {
            PreparedStatement ps = use.statement();
            ps.setString(1, orderKey);
            ps.setString(2, context.key().placer().key());
            ps.setString(3, context.key().filler().key());
            ps.setString(4, context.patient().key());
            ps.setLong(5, sourceMessageId);
            ps.setString(6, LedgerJson.write(context));
            ps.setTimestamp(7, Timestamp.from(now));
            ps.executeUpdate();
        }
    }

    /**
     * The context of an order: matched on the placer number first, then the filler number (docs/decision-contract.md
     * §1).
     */
    public Optional<OrderContext> findContext(OrderKey key) throws SQLException {
        return find(key).map(StoredOrder::context);
    }

    /**
     * The order a key names, with the key it is filed under: matched on the placer number first, then the filler
     * number (docs/decision-contract.md §1).
     */
    public Optional<StoredOrder> find(OrderKey key) throws SQLException {
        return find(key, "");
    }

    /**
     * As {@link #find(OrderKey)}, reading in the same query the state of the order's test {@code cpt} (cancel
     * state, final seen), which this session's {@link TestStates#cancelState}, {@link TestStates#finalSeen},
     * {@link TestStates#markFinalSeen} and {@link TestStates#setCancelState} then answer from: one statement where
     * capture used to take three.
     */
    public Optional<StoredOrder> find(OrderKey key, String cpt) throws SQLException {
        if (key.placer().isEmpty() && key.filler().isEmpty()) {
            return Optional.empty();
        }
        // One statement for both numbers: a message whose order is not stored (most results: tests never charged)
        // took two, a miss by placer and a miss by filler. An absent number is bound as NULL, which matches no row.
        return orderWhere(key.placer().isEmpty() ? null : key.placer().key(),
                key.filler().isEmpty() ? null : key.filler().key(), key.primaryKey(), cpt);
    }

    /**
     * The order's context with its (order, CPT) row and the order-wide row V4 carried over (cpt ''), each joined on
     * its primary key. Each number is looked up on its own index (ix_context_placer, ix_context_filler) by a scalar
     * subquery; the placer number's row wins, and of orders sharing a number the first filed (lowest id), as before.
     * Scalar subqueries, not a UNION ALL sorted by ORDER BY ... LIMIT 1: on SQLite that form materialised the union
     * and sorted it in two temporary B-trees on every message (EXPLAIN QUERY PLAN: MATERIALIZE, USE TEMP B-TREE FOR
     * ORDER BY), which made this lookup the writer's costliest statement (issue 9, BENCHMARKS.md "Writer, third
     * pass"). This form is a rowid lookup after two index probes: https://www.sqlite.org/eqp.html
     *
     * <p>One row whether or not the order is stored (the one-row {@code FROM (SELECT 1)}): the order's key is the
     * stored row's, else the key capture files a new order under ({@link OrderKey#primaryKey}). For that key it also
     * says whether the order has any charge line and any open hold (an index probe each: uq_line_identity,
     * ix_hold_order). Most orders have neither when their order message and first final result arrive, and capture
     * then skips reading them: two statements fewer for an IEP result, one for an IEP order (BENCHMARKS.md "Writer,
     * fifth pass"). The order's numbers are read from their columns, which {@link #updateIdentity} keeps current.
     */
    static final String ORDER_WITH_TEST = "SELECT c.order_key, c.context_json, t.final_seen, t.cancel_state,"
            + " w.final_seen, w.cancel_state, c.placer_key, c.filler_key,"
            + " EXISTS (SELECT 1 FROM charge_line l WHERE l.order_key = COALESCE(c.order_key, ?)),"
            + " EXISTS (SELECT 1 FROM charge_hold h WHERE h.order_key = COALESCE(c.order_key, ?) AND h.status = 'OPEN')"
            + " FROM (SELECT 1 AS one) o"
            + " LEFT JOIN order_context c ON c.id = COALESCE((SELECT MIN(id) FROM order_context WHERE placer_key = ?),"
            + " (SELECT MIN(id) FROM order_context WHERE filler_key = ?))"
            + " LEFT JOIN order_test t ON t.order_key = COALESCE(c.order_key, ?) AND t.cpt = ?"
            + " LEFT JOIN order_test w ON w.order_key = COALESCE(c.order_key, ?) AND w.cpt = ''";

    /**
     * {@link #ORDER_WITH_TEST} on PostgreSQL, same parameters and columns: each order_test row is read by a LATERAL
     * subquery with LIMIT 1, which the planner cannot fold into a join, so it always probes order_test's primary key
     * with both columns. As plain joins on {@code COALESCE(c.order_key, ?)}, a plan made while order_test was small
     * scanned it whole (sequentially, or the whole primary-key index on its second column, cpt) and filtered on the
     * order key; kept as the writers' generic plan, that scan grew with the ledger (auto_explain of the bench's
     * writers on a fresh schema: Seq Scan on order_test in most samples; EXPLAIN of the generic plan on empty tables,
     * BENCHMARKS.md "PostgreSQL: the writers' plans"). SQLite has no LATERAL and keeps ORDER_WITH_TEST.
     * https://www.postgresql.org/docs/15/queries-table-expressions.html#QUERIES-LATERAL
     */
    static final String ORDER_WITH_TEST_PG = ORDER_WITH_TEST.substring(0,
            ORDER_WITH_TEST.indexOf(" LEFT JOIN order_test t"))
            + " LEFT JOIN LATERAL (SELECT final_seen, cancel_state FROM order_test"
            + " WHERE order_key = COALESCE(c.order_key, ?) AND cpt = ? LIMIT 1) t ON TRUE"
            + " LEFT JOIN LATERAL (SELECT final_seen, cancel_state FROM order_test"
            + " WHERE order_key = COALESCE(c.order_key, ?) AND cpt = '' LIMIT 1) w ON TRUE";

    /** The order look-up as this database is asked it. */
    static String orderWithTest(SqlDialect dialect) {
        return dialect == SqlDialect.POSTGRESQL ? ORDER_WITH_TEST_PG : ORDER_WITH_TEST;
    }

    /** The placer number's order if there is one, else the filler number's; of several, the first filed. */
    private Optional<StoredOrder> orderWhere(String placerKey, String fillerKey, String newOrderKey, String cpt)
            throws SQLException {
        ReadAhead ahead = readAhead;
        readAhead = null;
        if (ahead != null && ahead.issued() == sql.issued() && ahead.cpt().equals(cpt)
                && java.util.Objects.equals(ahead.placerKey(), placerKey)
                && java.util.Objects.equals(ahead.fillerKey(), fillerKey)
                && ahead.row().newOrderKey().equals(newOrderKey)) {
            return stored(ahead.row(), cpt);
        }
        try (Use use = sql.use(orderWithTest(sql.dialect()))) {
            PreparedStatement ps = use.statement();
            bindOrderWithTest(ps, 0, placerKey, fillerKey, newOrderKey, cpt);
            try (ResultSet rs = ps.executeQuery()) {
                return stored(row(rs, newOrderKey, cpt), cpt);
            }
        }
    }

    /**
     * One answer of {@link #ORDER_WITH_TEST}: the order's key and context as stored (null: not stored), its numbers
     * as their columns hold them, the test's state, whether the order (stored or to be filed under
     * {@code newOrderKey}) has lines and open holds.
     */
    private record OrderRow(String storedKey, String contextJson, String placerKey, String fillerKey,
                            Optional<TestState> state, boolean hasLines, boolean hasOpenHolds, String newOrderKey) {
        String orderKey() {
            return storedKey != null ? storedKey : newOrderKey;
        }
    }

    /**
     * PostgreSQL writer: the answer {@link #ORDER_WITH_TEST} gave for these numbers and CPT, read in the round trip of
     * the message's history ({@link InboundMessages#history(String, String, String, OrderKey, String)}), and the
     * session's statement count then: the next {@link #find(OrderKey, String)} for the same numbers takes it if no
     * statement ran in between (nothing written since it was read); anything else drops it.
     */
    private record ReadAhead(String placerKey, String fillerKey, String cpt, OrderRow row, long issued) {
    }

    private ReadAhead readAhead;

    /** Binds {@link #ORDER_WITH_TEST}'s parameters from {@code after + 1}, as {@link #find(OrderKey, String)} does. */
    static void bindOrderWithTest(PreparedStatement ps, int after, OrderKey key, String cpt) throws SQLException {
        bindOrderWithTest(ps, after, placerOf(key), fillerOf(key), key.primaryKey(), cpt);
    }

    private static void bindOrderWithTest(PreparedStatement ps, int after, String placerKey, String fillerKey,
            String newOrderKey, String cpt) throws SQLException {
        ps.setString(after + 1, newOrderKey);
        ps.setString(after + 2, newOrderKey);
        ps.setString(after + 3, placerKey);
        ps.setString(after + 4, fillerKey);
        ps.setString(after + 5, newOrderKey);
        ps.setString(after + 6, cpt);
        ps.setString(after + 7, newOrderKey);
    }

    /** Keeps the answer to {@link #find(OrderKey, String)} read ahead, as {@link ReadAhead} says. */
    void readAhead(ResultSet rs, OrderKey key, String cpt) throws SQLException {
        readAhead = new ReadAhead(placerOf(key), fillerOf(key), cpt, row(rs, key.primaryKey(), cpt), sql.issued());
    }

    private static String placerOf(OrderKey key) {
        return key.placer().isEmpty() ? null : key.placer().key();
    }

    private static String fillerOf(OrderKey key) {
        return key.filler().isEmpty() ? null : key.filler().key();
    }

    private static OrderRow row(ResultSet rs, String newOrderKey, String cpt) throws SQLException {
        if (!rs.next()) {
            throw new SQLException("order look-up returned no row");
        }
        Optional<TestState> state = rs.getString(4) != null ? Optional.of(new TestState(cpt,
                rs.getBoolean(3), CancelState.valueOf(rs.getString(4))))
                : rs.getString(6) != null ? Optional.of(new TestState("", rs.getBoolean(5),
                CancelState.valueOf(rs.getString(6)))) : Optional.empty();
        return new OrderRow(rs.getString(1), rs.getString(2), rs.getString(7), rs.getString(8), state,
                rs.getBoolean(9), rs.getBoolean(10), newOrderKey);
    }

    private Optional<StoredOrder> stored(OrderRow r, String cpt) {
        tests.remember(r.orderKey(), cpt, r.state());
        // Read inside this transaction after every write it made (a read ahead is taken only if no statement ran
        // since): exact until the next write, which drops these answers (ChargeLines, ChargeHolds).
        if (!r.hasLines()) {
            lines.knownNone(r.orderKey());
        }
        if (!r.hasOpenHolds()) {
            holds.knownOpen(r.orderKey(), java.util.List.of());
        }
        if (r.storedKey() == null) {
            return Optional.empty();
        }
        OrderContext context = LedgerJson.read(r.contextJson(), OrderContext.class);
        OrderKey numbers = new OrderKey(EntityId.fromKey(r.placerKey()), EntityId.fromKey(r.fillerKey()));
        return Optional.of(new StoredOrder(r.storedKey(), numbers.equals(context.key()) ? context
                : withKey(context, numbers)));
    }

    private static OrderContext withKey(OrderContext c, OrderKey key) {
        return new OrderContext(key, c.patient(), c.visit(), c.insurance(), c.diagnoses(), c.abnStatus(),
                c.orderingProvider(), c.sourceControlId());
    }

    /**
     * Completes a stored order context with numbers a later message taught (a filler number sent with the placer
     * number by an interim result or a status change), so that a result naming the order by its filler number only
     * finds it (docs/decision-contract.md §1). The row keeps its key and source message. Only the number columns are
     * written: they are the order's numbers as {@link #find} reads them, and the context JSON keeps the key it was
     * saved with. Writing the whole context again as JSON cost every IEP result a Jackson write (2.7 % of the writer
     * thread, writer probe profile) for two short columns. {@code context} must be the stored context with the new
     * numbers: nothing else of it is written.
     */
    public void updateIdentity(String orderKey, OrderContext context, Instant now) throws SQLException {
        try (Use use = sql.defer("UPDATE order_context SET placer_key = ?, filler_key = ?,"
                + " updated_at = ? WHERE order_key = ?")) {
            PreparedStatement ps = use.statement();
            ps.setString(1, context.key().placer().key());
            ps.setString(2, context.key().filler().key());
            ps.setTimestamp(3, Timestamp.from(now));
            ps.setString(4, orderKey);
            ps.executeUpdate();
        }
    }

    /** Whether any context row exists for the order key. */
    public boolean hasContext(String orderKey) throws SQLException {
        try (Use use = sql.use(
                "SELECT 1 FROM order_context WHERE order_key = ?")) {
            PreparedStatement ps = use.statement();
            ps.setString(1, orderKey);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
