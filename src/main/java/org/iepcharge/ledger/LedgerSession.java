package org.iepcharge.ledger;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The ledger as seen from inside one transaction: the one object a job of the group committer is handed. Every
 * statement of the engine's charge capture is in one of its tables ({@link #inbound()}, {@link #orders()},
 * {@link #tests()}, {@link #lines()}, {@link #holds()}, {@link #outbox()}, {@link #sequences()}), which share the
 * transaction's connection, statement cache and held-back writes ({@link SessionSql}).
 */
public final class LedgerSession {
    private final SessionSql sql;
    private final InboundMessages inbound;
    private final TestStates tests;
    private final OrderContexts orders;
    private final ChargeLines lines;
    private final ChargeHolds holds;
    private final OutboxRows outbox;
    private final IdSequences sequences;

    LedgerSession(Connection connection, SqlDialect dialect) {
        this(connection, dialect, null);
    }

    /** With {@code statements}, prepared statements are reused across sessions on the same connection. */
    LedgerSession(Connection connection, SqlDialect dialect, StatementCache statements) {
        this(connection, dialect, statements, null);
    }

    /** With {@code deferred} (PostgreSQL writer, with {@code statements}): writes no one reads back are held back. */
    LedgerSession(Connection connection, SqlDialect dialect, StatementCache statements, DeferredWrites deferred) {
        this(connection, dialect, statements, deferred, null);
    }

    /** With {@code ids} (PostgreSQL writer): DFT and transaction IDs come from the writer's reserve ({@link IdReserve}). */
    LedgerSession(Connection connection, SqlDialect dialect, StatementCache statements, DeferredWrites deferred,
            IdReserve ids) {
        this.sql = new SessionSql(connection, dialect, statements, deferred, ids);
        this.tests = new TestStates(sql);
        this.holds = new ChargeHolds(sql);
        this.lines = new ChargeLines(sql, holds);
        this.orders = new OrderContexts(sql, tests, lines, holds);
        this.inbound = new InboundMessages(sql, orders);
        this.outbox = new OutboxRows(sql);
        this.sequences = new IdSequences(sql);
    }

    /**
     * The transaction's connection, for the ledger's own maintenance statements ({@link LedgerRetention}); the
     * writes held back are sent first, so what runs on it sees them, in the order made.
     */
    Connection connection() throws SQLException {
        return sql.connection();
    }

    /**
     * The session's statements, for the ledger's own bookkeeping in a writer's batch (the outbox's claims and answers,
     * {@link JdbcLedger}): counted, cached and held back as the tables' are.
     */
    SessionSql sql() {
        return sql;
    }

    /** Messages received and their answers ({@code inbound_message}). */
    public InboundMessages inbound() {
        return inbound;
    }

    /** Order contexts ({@code order_context}). */
    public OrderContexts orders() {
        return orders;
    }

    /** Per (order, CPT) state: cancel state, final result seen ({@code order_test}). */
    public TestStates tests() {
        return tests;
    }

    /** Charge lines ({@code charge_line}). */
    public ChargeLines lines() {
        return lines;
    }

    /** Holds ({@code charge_hold}). */
    public ChargeHolds holds() {
        return holds;
    }

    /** DFTs queued and withdrawn by capture ({@code outbox}). */
    public OutboxRows outbox() {
        return outbox;
    }

    /** DFT control IDs and FT1 transaction IDs ({@code dft_seq}, {@code transaction_seq}). */
    public IdSequences sequences() {
        return sequences;
    }
}
