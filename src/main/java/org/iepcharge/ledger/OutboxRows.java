package org.iepcharge.ledger;

import static org.iepcharge.ledger.SessionSql.returnedId;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

import org.iepcharge.ledger.SessionSql.Use;

/**
 * Table {@code outbox} within one {@link LedgerSession}: the DFTs capture queues and withdraws. Their delivery
 * (claims, answers, parking) is {@link Ledger}'s.
 */
public final class OutboxRows {
    private final SessionSql sql;

    OutboxRows(SessionSql sql) {
        this.sql = sql;
    }

    /** Queues a DFT whose MSH-10 and bytes are final: a redelivery sends exactly these bytes. */
    public long enqueue(String controlId, String orderKey, byte[] payload, Instant now) throws SQLException {
        try (Use use = sql.use(ENQUEUE + " RETURNING id")) {
            PreparedStatement ps = use.statement();
            bindOutbox(ps, controlId, orderKey, payload, null, now);
            return returnedId(ps);
        }
    }

    private static final byte[] NO_PAYLOAD = new byte[0];

    /**
     * Queues a DFT as the document it is built from ({@link OutboxDocuments}, migration V7): the writer stores the
     * document, and the bytes are built when the outbox reads the row — the same bytes every time, since the document
     * fixes every value (MSH-10, FT1-2, the times). Building a DFT is HAPI work the writer need not do. Capture needs
     * no outbox ID, so on the PostgreSQL writer the insert is held back ({@link SessionSql#defer}).
     */
    public void enqueueDocument(String controlId, String orderKey, Object document, Instant now) throws SQLException {
        try (Use use = sql.defer(ENQUEUE)) {
            PreparedStatement ps = use.statement();
            bindOutbox(ps, controlId, orderKey, NO_PAYLOAD, LedgerJson.write(document), now);
            ps.executeUpdate();
        }
    }

    private static final String ENQUEUE = "INSERT INTO outbox (control_id, order_key, payload, document,"
            + " status, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, 'PENDING', 0, ?, ?)";

    private static void bindOutbox(PreparedStatement ps, String controlId, String orderKey, byte[] payload,
                                   String document, Instant now) throws SQLException {
        ps.setString(1, controlId);
        ps.setString(2, orderKey);
        ps.setBytes(3, payload);
        ps.setString(4, document);
        ps.setTimestamp(5, Timestamp.from(now));
        ps.setTimestamp(6, Timestamp.from(now));
    }

    /**
     * Withdraws a DFT that has not left the outbox (a charge and its credit withdrawn together,
     * docs/decision-contract.md §7). False if it was already delivered or is being delivered right now.
     */
    public boolean withdrawPending(String controlId, Instant now) throws SQLException {
        try (Use use = sql.use("UPDATE outbox SET status = 'WITHDRAWN',"
                + " last_error = 'withdrawn with its credit' WHERE control_id = ? AND status = 'PENDING'"
                + " AND attempts = 0 AND (claimed_until IS NULL OR claimed_until < ?)")) {
            PreparedStatement ps = use.statement();
            ps.setString(1, controlId);
            ps.setTimestamp(2, Timestamp.from(now));
            return ps.executeUpdate() == 1;
        }
    }
}
