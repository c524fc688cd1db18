package org.iepcharge.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.iepcharge.domain.ChargeLine;
import org.iepcharge.domain.Disposition;
import org.iepcharge.domain.OrderContext;
import org.iepcharge.domain.OrderKey;
import org.iepcharge.domain.Outcome;

/** The ledger as seen from inside one transaction. Every statement of the engine's charge capture is here. */
public final class LedgerSession {
    private final Connection connection;
    private final SqlDialect dialect;

    LedgerSession(Connection connection, SqlDialect dialect) {
        this.connection = connection;
        this.dialect = dialect;
    }

    /** The transaction's connection, for the ledger's own maintenance statements ({@link LedgerRetention}). */
    Connection connection() {
        return connection;
    }

    // ---- inbound messages ------------------------------------------------------------------------------------

    /** The stored answer for exactly this message (same sender, control ID and content), if it was seen. */
    public Optional<StoredAnswer> findAnswer(String sender, String controlId, String contentHash) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT id, disposition, ack_code, error_code,"
                + " error_location, error_text FROM inbound_message WHERE sender = ? AND control_id = ?"
                + " AND content_hash = ?")) {
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

    /** The ledger row of exactly this message, if the engine stored it. */
    public Optional<Long> inboundId(String sender, String controlId, String contentHash) throws SQLException {
        return findAnswer(sender, controlId, contentHash).map(StoredAnswer::messageId);
    }

    /** When a stored message was received. */
    public Optional<Instant> receivedAt(long messageId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT received_at FROM inbound_message WHERE id = ?")) {
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
        try (PreparedStatement ps = connection.prepareStatement("SELECT disposition, ack_code, error_code,"
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

    /** The lines a message posted (whatever became of them since). */
    public List<StoredLine> linesFromMessage(long messageId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT id, order_key, generation, line_json, status,"
                + " production, patient_key, rules_version, posted_dft FROM charge_line WHERE source_message_id = ?"
                + " ORDER BY id")) {
            ps.setLong(1, messageId);
            return lines(ps);
        }
    }

    /** The holds a message opened (open or closed since). */
    public List<HoldRecord> holdsFromMessage(long messageId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(HOLD_COLUMNS
                + " WHERE source_message_id = ? ORDER BY id")) {
            ps.setLong(1, messageId);
            return holds(ps);
        }
    }

    /** Whether this sender already used this control ID (for other content: a wrapped LIS counter). */
    public boolean controlIdSeen(String sender, String controlId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT 1 FROM inbound_message WHERE sender = ? AND control_id = ?")) {
            ps.setString(1, sender);
            ps.setString(2, controlId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Stores a message with a provisional answer; {@link #setOutcome} writes the final one in the same transaction. */
    public long recordInbound(InboundRecord r, Instant receivedAt) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO inbound_message (sender, control_id,"
                + " content_hash, message_type, processing_id, received_at, raw, disposition, ack_code, error_code,"
                + " error_location, error_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, cut(r.sender(), 500));
            ps.setString(2, cut(r.controlId(), 200));
            ps.setString(3, r.contentHash());
            ps.setString(4, cut(r.messageType(), 40));
            ps.setString(5, cut(r.processingId(), 5));
            ps.setTimestamp(6, Timestamp.from(receivedAt));
            ps.setBytes(7, r.raw());
            setOutcome(ps, 8, r.outcome());
            ps.executeUpdate();
            return generatedId(ps);
        }
    }

    public void setOutcome(long messageId, Outcome outcome) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("UPDATE inbound_message SET disposition = ?,"
                + " ack_code = ?, error_code = ?, error_location = ?, error_text = ? WHERE id = ?")) {
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

    // ---- order context ----------------------------------------------------------------------------------------

    /** Stores (or replaces) the context an order message carried; its cancel state is kept. */
    public void saveOrderContext(OrderContext context, long sourceMessageId, Instant now) throws SQLException {
        String orderKey = context.key().primaryKey();
        String json = LedgerJson.write(context);
        try (PreparedStatement update = connection.prepareStatement("UPDATE order_context SET placer_key = ?,"
                + " filler_key = ?, patient_key = ?, source_message_id = ?, context_json = ?, updated_at = ?"
                + " WHERE order_key = ?")) {
            update.setString(1, context.key().placer().key());
            update.setString(2, context.key().filler().key());
            update.setString(3, context.patient().key());
            update.setLong(4, sourceMessageId);
            update.setString(5, json);
            update.setTimestamp(6, Timestamp.from(now));
            update.setString(7, orderKey);
            if (update.executeUpdate() > 0) {
                return;
            }
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO order_context (order_key,"
                + " placer_key, filler_key, patient_key, source_message_id, context_json, cancel_state, final_seen,"
                + " updated_at) VALUES (?, ?, ?, ?, ?, ?, 'NONE', FALSE, ?)")) {
            insert.setString(1, orderKey);
            insert.setString(2, context.key().placer().key());
            insert.setString(3, context.key().filler().key());
            insert.setString(4, context.patient().key());
            insert.setLong(5, sourceMessageId);
            insert.setString(6, json);
            insert.setTimestamp(7, Timestamp.from(now));
            insert.executeUpdate();
        }
    }

    /** The context of an order: matched on the placer number first, then the filler number (charge-rules.md §1). */
    public Optional<OrderContext> findOrderContext(OrderKey key) throws SQLException {
        if (!key.placer().isEmpty()) {
            Optional<OrderContext> byPlacer = contextWhere("placer_key", key.placer().key());
            if (byPlacer.isPresent()) {
                return byPlacer;
            }
        }
        return key.filler().isEmpty() ? Optional.empty() : contextWhere("filler_key", key.filler().key());
    }

    private Optional<OrderContext> contextWhere(String column, String value) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT context_json FROM order_context WHERE " + column + " = ? ORDER BY id")) {
            ps.setString(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(LedgerJson.read(rs.getString(1), OrderContext.class))
                        : Optional.empty();
            }
        }
    }

    // ---- charge lines -----------------------------------------------------------------------------------------

    /** FT1-2: at most 12 characters, from a database sequence so every node draws distinct IDs. */
    public String nextTransactionId() throws SQLException {
        return "C" + pad(nextValue("transaction_seq"), 11);
    }

    /** MSH-10 of a DFT: at most 20 characters. */
    public String nextDftControlId() throws SQLException {
        return "IEPDFT" + pad(nextValue("dft_seq"), 12);
    }

    /** Every line ever stored for an order (posted, credited or withdrawn), oldest first. */
    public List<StoredLine> linesForOrder(String orderKey) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT id, order_key, generation, line_json, status,"
                + " production, patient_key, rules_version, posted_dft FROM charge_line WHERE order_key = ?"
                + " ORDER BY id")) {
            ps.setString(1, orderKey);
            return lines(ps);
        }
    }

    /** Posted, non-credited lines for a patient, CPT and date of service (repeats and MUE, charge-rules.md §5). */
    public List<StoredLine> postedLinesForPatient(String patientKey, String cpt, String dateOfService)
            throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT id, order_key, generation, line_json, status,"
                + " production, patient_key, rules_version, posted_dft FROM charge_line WHERE patient_key = ?"
                + " AND cpt = ? AND date_of_service = ? AND status = 'POSTED' ORDER BY id")) {
            ps.setString(1, patientKey);
            ps.setString(2, cpt);
            ps.setString(3, dateOfService);
            return lines(ps);
        }
    }

    private List<StoredLine> lines(PreparedStatement ps) throws SQLException {
        List<StoredLine> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new StoredLine(rs.getLong(1), rs.getString(2), rs.getInt(3),
                        LedgerJson.read(rs.getString(4), ChargeLine.class), rs.getString(5), rs.getBoolean(6),
                        rs.getString(7), rs.getString(8), rs.getString(9)));
            }
        }
        return out;
    }

    /**
     * Stores a posted line. The unique key (order, CPT, kind, generation) makes a second node's attempt to post the
     * same line fail, so its whole transaction is retried and finds the line already there.
     */
    public void insertLine(String orderKey, int generation, ChargeLine line, boolean production, String patientKey,
                           String rulesVersion, long sourceMessageId, String dftControlId, Instant now)
            throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO charge_line (transaction_id, order_key,"
                + " cpt, kind, generation, patient_key, date_of_service, units, modifiers, production, status,"
                + " line_json, rules_version, source_message_id, posted_dft, posted_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'POSTED', ?, ?, ?, ?, ?)")) {
            ps.setString(1, line.transactionId());
            ps.setString(2, orderKey);
            ps.setString(3, line.cpt());
            ps.setString(4, line.kind().name());
            ps.setInt(5, generation);
            ps.setString(6, patientKey);
            ps.setString(7, dateOnly(line.dateOfService()));
            ps.setInt(8, line.units());
            ps.setString(9, String.join(",", line.modifiers()));
            ps.setBoolean(10, production);
            ps.setString(11, LedgerJson.write(line));
            ps.setString(12, rulesVersion);
            ps.setLong(13, sourceMessageId);
            ps.setString(14, dftControlId);
            ps.setTimestamp(15, Timestamp.from(now));
            ps.executeUpdate();
        }
    }

    /** Marks a posted line credited (or withdrawn with its charge); false if it was not posted any more. */
    public boolean closeLine(long lineId, String status, String creditDft, Instant now) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("UPDATE charge_line SET status = ?, credit_dft = ?,"
                + " credited_at = ? WHERE id = ? AND status = 'POSTED'")) {
            ps.setString(1, status);
            ps.setString(2, creditDft);
            ps.setTimestamp(3, Timestamp.from(now));
            ps.setLong(4, lineId);
            return ps.executeUpdate() == 1;
        }
    }

    /** The date part (YYYYMMDD) of an HL7 date/time: repeats and MUE count per date of service. */
    public static String dateOnly(String dtm) {
        return dtm.length() >= 8 ? dtm.substring(0, 8) : dtm;
    }

    // ---- holds ------------------------------------------------------------------------------------------------

    /**
     * Opens a hold. {@code trigger} is what re-evaluation needs later (the test as the triggering message gave it),
     * stored as JSON.
     */
    public long openHold(String orderKey, String cpt, String kind, String patientKey, String reasonCode,
                         String reasonText, long sourceMessageId, Object trigger, Instant now) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO charge_hold (order_key, cpt, kind,"
                + " patient_key, reason_code, reason_text, status, source_message_id, trigger_json, created_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, 'OPEN', ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, orderKey);
            ps.setString(2, cpt);
            ps.setString(3, kind);
            ps.setString(4, patientKey);
            ps.setString(5, reasonCode);
            ps.setString(6, cut(reasonText, 1000));
            ps.setLong(7, sourceMessageId);
            ps.setString(8, LedgerJson.write(trigger));
            ps.setTimestamp(9, Timestamp.from(now));
            ps.executeUpdate();
            return generatedId(ps);
        }
    }

    /** The trigger stored with a hold, read back as {@code type}. */
    public <T> Optional<T> holdTrigger(long holdId, Class<T> type) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT trigger_json FROM charge_hold WHERE id = ?")) {
            ps.setLong(1, holdId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(LedgerJson.read(rs.getString(1), type)) : Optional.empty();
            }
        }
    }

    public Optional<HoldRecord> hold(long holdId) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(HOLD_COLUMNS + " WHERE id = ?")) {
            ps.setLong(1, holdId);
            List<HoldRecord> found = holds(ps);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
        }
    }

    /** Cancel state of an order: NONE, REQUESTED (CA/DC) or CANCELLED (confirmed, nothing posted). */
    public String cancelState(String orderKey) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT cancel_state FROM order_context WHERE order_key = ?")) {
            ps.setString(1, orderKey);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : "NONE";
            }
        }
    }

    /** Whether a final (or corrected) result was processed for the order. */
    public boolean finalSeen(String orderKey) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT final_seen FROM order_context WHERE order_key = ?")) {
            ps.setString(1, orderKey);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    public void markFinalSeen(String orderKey) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "UPDATE order_context SET final_seen = TRUE WHERE order_key = ?")) {
            ps.setString(1, orderKey);
            ps.executeUpdate();
        }
    }

    /** Whether any context row exists for the order key. */
    public boolean hasContext(String orderKey) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT 1 FROM order_context WHERE order_key = ?")) {
            ps.setString(1, orderKey);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Sets the cancel state; false when the order has no stored context (the caller stores a bare one first). */
    public boolean setCancelState(String orderKey, String state) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "UPDATE order_context SET cancel_state = ? WHERE order_key = ?")) {
            ps.setString(1, state);
            ps.setString(2, orderKey);
            return ps.executeUpdate() == 1;
        }
    }

    public List<HoldRecord> openHolds(String orderKey) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(HOLD_COLUMNS
                + " WHERE order_key = ? AND status = 'OPEN' ORDER BY id")) {
            ps.setString(1, orderKey);
            return holds(ps);
        }
    }

    public List<HoldRecord> allOpenHolds() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(HOLD_COLUMNS + " WHERE status = 'OPEN' ORDER BY id")) {
            return holds(ps);
        }
    }

    /** Closes an open hold; false if it was already closed (so a hold is never acted on twice). */
    public boolean closeHold(long holdId, String status, String note, Instant now) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("UPDATE charge_hold SET status = ?, closed_note = ?,"
                + " closed_at = ? WHERE id = ? AND status = 'OPEN'")) {
            ps.setString(1, status);
            ps.setString(2, cut(note, 1000));
            ps.setTimestamp(3, Timestamp.from(now));
            ps.setLong(4, holdId);
            return ps.executeUpdate() == 1;
        }
    }

    private static final String HOLD_COLUMNS = "SELECT id, order_key, cpt, kind, patient_key, reason_code,"
            + " reason_text, status, source_message_id, created_at FROM charge_hold";

    private static List<HoldRecord> holds(PreparedStatement ps) throws SQLException {
        List<HoldRecord> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new HoldRecord(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getLong(9),
                        rs.getTimestamp(10).toInstant()));
            }
        }
        return out;
    }

    // ---- outbox -----------------------------------------------------------------------------------------------

    /** Queues a DFT whose MSH-10 and bytes are final: a redelivery sends exactly these bytes. */
    public long enqueue(String controlId, String orderKey, byte[] payload, Instant now) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO outbox (control_id, order_key, payload,"
                + " status, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, 'PENDING', 0, ?, ?)",
                Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, controlId);
            ps.setString(2, orderKey);
            ps.setBytes(3, payload);
            ps.setTimestamp(4, Timestamp.from(now));
            ps.setTimestamp(5, Timestamp.from(now));
            ps.executeUpdate();
            return generatedId(ps);
        }
    }

    /**
     * Withdraws a DFT that has not left the outbox (a charge and its credit withdrawn together, charge-rules.md §7).
     * False if it was already delivered or is being delivered right now.
     */
    public boolean withdrawPending(String controlId, Instant now) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("UPDATE outbox SET status = 'WITHDRAWN',"
                + " last_error = 'withdrawn with its credit' WHERE control_id = ? AND status = 'PENDING'"
                + " AND attempts = 0 AND (claimed_until IS NULL OR claimed_until < ?)")) {
            ps.setString(1, controlId);
            ps.setTimestamp(2, Timestamp.from(now));
            return ps.executeUpdate() == 1;
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private long nextValue(String sequence) throws SQLException {
        try (Statement st = connection.createStatement(); ResultSet rs = st.executeQuery(dialect.nextValue(sequence))) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long generatedId(PreparedStatement ps) throws SQLException {
        try (ResultSet keys = ps.getGeneratedKeys()) {
            keys.next();
            return keys.getLong(1);
        }
    }

    private static String pad(long value, int width) {
        String s = Long.toString(value);
        return s.length() >= width ? s : "0".repeat(width - s.length()) + s;
    }

    private static String cut(String s, int max) {
        return s == null ? "" : s.length() <= max ? s : s.substring(0, max);
    }
}
