package org.iepcharge.ledger;

import static org.iepcharge.ledger.SessionSql.cut;
import static org.iepcharge.ledger.SessionSql.returnedId;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;

import org.iepcharge.domain.Disposition;
import org.iepcharge.domain.OrderKey;
import org.iepcharge.domain.Outcome;
import org.iepcharge.ledger.SessionSql.Use;

/** Table {@code inbound_message} within one {@link LedgerSession}: every message received, with its answer. */
public final class InboundMessages {
    private final SessionSql sql;
    /** PostgreSQL writer: the id {@link #history} drew for this message's row, for {@link #record}. */
    private long reservedInboundId = NO_ID;
    private static final long NO_ID = -1;

    /** The session's orders: on the PostgreSQL writer {@link #history} can read an order with the history. */
    private final OrderContexts orders;

    InboundMessages(SessionSql sql, OrderContexts orders) {
        this.sql = sql;
        this.orders = orders;
    }

    /** The stored answer for exactly this message (same sender, control ID and content), if it was seen. */
    public Optional<StoredAnswer> findAnswer(String sender, String controlId, String contentHash) throws SQLException {
        try (Use use = sql.use("SELECT id, disposition, ack_code, error_code,"
                + " error_location, error_text FROM inbound_message WHERE sender = ? AND control_id = ?"
                + " AND content_hash = ?")) {
            PreparedStatement ps = use.statement();
            ps.setString(1, sender);
            ps.setString(2, controlId);
            ps.setString(3, contentHash);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new StoredAnswer(rs.getLong(1), new Outcome(Disposition.valueOf(rs.getString(2)),
                        rs.getString(3), rs.getInt(4), rs.getString(5), rs.getString(6))));
            }
        }
    }

    /**
     * What the ledger knows of a sender's control ID, in one query: the stored answer for exactly this content (a
     * resend), and whether the control ID was used before at all (for other content: a wrapped LIS counter).
     */
    public InboundHistory history(String sender, String controlId, String contentHash) throws SQLException {
        try (Use use = sql.use(sql.defers() ? HISTORY_DRAWING_ID : HISTORY)) {
            PreparedStatement ps = use.statement();
            ps.setString(1, sender);
            ps.setString(2, controlId);
            try (ResultSet rs = ps.executeQuery()) {
                return history(rs, contentHash);
            }
        }
    }

    /**
     * As {@link #history(String, String, String)}; on the PostgreSQL writer it also reads, in the same round trip,
     * the order {@code key} names with its test {@code cpt} — the look-up capture makes next for a message's first
     * test ({@link OrderContexts#find(OrderKey, String)} then answers from it). Both are reads, so a resend only
     * wastes the order's answer. Every message took a round trip for its history and another for its order: 1 of
     * ≈ 3.8 round trips per message in the bench's mix (WriterProbe, BENCHMARKS.md "PostgreSQL: per-statement
     * costs"). Elsewhere (SQLite, no round trips) the order is looked up when asked, as before.
     */
    public InboundHistory history(String sender, String controlId, String contentHash, OrderKey key, String cpt)
            throws SQLException {
        if (!sql.defers() || (key.placer().isEmpty() && key.filler().isEmpty())) {
            return history(sender, controlId, contentHash);
        }
        try (Use use = sql.use(HISTORY_WITH_ORDER)) {
            PreparedStatement ps = use.statement();
            ps.setString(1, sender);
            ps.setString(2, controlId);
            OrderContexts.bindOrderWithTest(ps, 2, key, cpt);
            ps.execute();
            InboundHistory history;
            try (ResultSet rs = ps.getResultSet()) {
                history = history(rs, contentHash);
            }
            ps.getMoreResults();
            try (ResultSet rs = ps.getResultSet()) {
                orders.readAhead(rs, key, cpt);
            }
            return history;
        }
    }

    private InboundHistory history(ResultSet rs, String contentHash) throws SQLException {
        boolean seen = false;
        Optional<StoredAnswer> same = Optional.empty();
        while (rs.next()) {
            if (sql.defers()) {
                reservedInboundId = rs.getLong(8);
            }
            String hash = rs.getString(7);
            if (hash == null) {
                continue; // PostgreSQL writer: the one row of the id alone, the control ID is new
            }
            seen = true;
            if (same.isEmpty() && hash.equals(contentHash)) {
                same = Optional.of(new StoredAnswer(rs.getLong(1), new Outcome(
                        Disposition.valueOf(rs.getString(2)), rs.getString(3), rs.getInt(4),
                        rs.getString(5), rs.getString(6))));
            }
        }
        return new InboundHistory(same, seen);
    }

    private static final String HISTORY = "SELECT id, disposition, ack_code, error_code, error_location,"
            + " error_text, content_hash FROM inbound_message WHERE sender = ? AND control_id = ?";

    /**
     * PostgreSQL writer: {@link #HISTORY} that also draws the id of the message's row from its identity sequence, in
     * the same round trip, so that {@link #record} knows the id without a {@code RETURNING} and can be held
     * back ({@link DeferredWrites}). The id is drawn after the batch's patient locks, so one patient's messages get
     * ascending ids on every node, as before; a resend wastes one (identity columns have gaps anyway).
     */
    private static final String HISTORY_DRAWING_ID = "SELECT m.id, m.disposition, m.ack_code, m.error_code,"
            + " m.error_location, m.error_text, m.content_hash, n.id"
            + " FROM (SELECT nextval(pg_get_serial_sequence('inbound_message', 'id')) AS id) n"
            + " LEFT JOIN inbound_message m ON m.sender = ? AND m.control_id = ?";

    /** {@link #HISTORY_DRAWING_ID} and then {@link OrderContexts#ORDER_WITH_TEST_PG}, one round trip. */
    private static final String HISTORY_WITH_ORDER = HISTORY_DRAWING_ID + ";\n" + OrderContexts.ORDER_WITH_TEST_PG;

    /** The ledger row of exactly this message, if the engine stored it. */
    public Optional<Long> id(String sender, String controlId, String contentHash) throws SQLException {
        return findAnswer(sender, controlId, contentHash).map(StoredAnswer::messageId);
    }

    /** When a stored message was received. */
    public Optional<Instant> receivedAt(long messageId) throws SQLException {
        try (Use use = sql.use(
                "SELECT received_at FROM inbound_message WHERE id = ?")) {
            PreparedStatement ps = use.statement();
            ps.setLong(1, messageId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getTimestamp(1).toInstant()) : Optional.empty();
            }
        }
    }

    /**
     * The answer stored for the newest inbound message with exactly these bytes (SHA-256 hex of the frame), whatever
     * its sender or control ID; for tests and diagnostics that know the bytes they sent but not how the MSH read.
     */
    public Optional<Outcome> outcomeByContent(String contentHash) throws SQLException {
        try (PreparedStatement ps = sql.rawConnection().prepareStatement("SELECT disposition, ack_code, error_code,"
                + " error_location, error_text FROM inbound_message WHERE content_hash = ? ORDER BY id DESC")) {
            ps.setString(1, contentHash);
            ps.setMaxRows(1);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Outcome(Disposition.valueOf(rs.getString(1)), rs.getString(2), rs.getInt(3),
                        rs.getString(4), rs.getString(5)));
            }
        }
    }

    /** Whether this sender already used this control ID (for other content: a wrapped LIS counter). */
    public boolean controlIdSeen(String sender, String controlId) throws SQLException {
        try (Use use = sql.use(
                "SELECT 1 FROM inbound_message WHERE sender = ? AND control_id = ?")) {
            PreparedStatement ps = use.statement();
            ps.setString(1, sender);
            ps.setString(2, controlId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Stores a message with a provisional answer; {@link #setOutcome} writes the final one in the same transaction. */
    public long record(InboundRecord r, Instant receivedAt) throws SQLException {
        if (reservedInboundId != NO_ID) {
            long id = reservedInboundId;
            reservedInboundId = NO_ID;
            try (Use use = sql.defer("INSERT INTO inbound_message (id, sender, control_id,"
                    + " content_hash, message_type, processing_id, received_at, raw, disposition, ack_code, error_code,"
                    + " error_location, error_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                PreparedStatement ps = use.statement();
                ps.setLong(1, id);
                bindInbound(ps, 1, r, receivedAt);
                ps.executeUpdate();
                return id;
            }
        }
        try (Use use = sql.use("INSERT INTO inbound_message (sender, control_id,"
                + " content_hash, message_type, processing_id, received_at, raw, disposition, ack_code, error_code,"
                + " error_location, error_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")) {
            PreparedStatement ps = use.statement();
            bindInbound(ps, 0, r, receivedAt);
            return returnedId(ps);
        }
    }

    private static void bindInbound(PreparedStatement ps, int after, InboundRecord r, Instant receivedAt)
            throws SQLException {
        ps.setString(after + 1, cut(r.sender(), 500));
        ps.setString(after + 2, cut(r.controlId(), 200));
        ps.setString(after + 3, r.contentHash());
        ps.setString(after + 4, cut(r.messageType(), 40));
        ps.setString(after + 5, cut(r.processingId(), 5));
        ps.setTimestamp(after + 6, Timestamp.from(receivedAt));
        ps.setBytes(after + 7, r.raw());
        setOutcome(ps, after + 8, r.outcome());
    }

    public void setOutcome(long messageId, Outcome outcome) throws SQLException {
        try (Use use = sql.defer("UPDATE inbound_message SET disposition = ?,"
                + " ack_code = ?, error_code = ?, error_location = ?, error_text = ? WHERE id = ?")) {
            PreparedStatement ps = use.statement();
            setOutcome(ps, 1, outcome);
            ps.setLong(6, messageId);
            ps.executeUpdate();
        }
    }

    private static void setOutcome(PreparedStatement ps, int from, Outcome o) throws SQLException {
        ps.setString(from, o.disposition().name());
        ps.setString(from + 1, o.ackCode());
        ps.setInt(from + 2, o.errorCode());
        ps.setString(from + 3, cut(o.errorLocation(), 100));
        ps.setString(from + 4, cut(o.errorText(), 1000));
    }
}
