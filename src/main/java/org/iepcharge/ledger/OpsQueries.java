package org.iepcharge.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * What the operator console reads from the ledger, and the audit trail it writes. Plain portable SQL; everything
 * runs inside a {@link LedgerSession} so the ledger keeps its own connections and transactions.
 */
public final class OpsQueries {
    private OpsQueries() {
    }

    /** One inbound message as listed (no content). */
    public record MessageRow(long id, String controlId, String type, Instant receivedAt, String disposition,
                             String ackCode, int errorCode, String errorLocation, String errorText) {
    }

    /** A full message for an authenticated analyst: raw bytes (null once retention erased them) and the rest. */
    public record MessageDetail(MessageRow row, String sender, byte[] raw, List<StoredLine> lines,
                                List<HoldRecord> holds, List<DftRow> dfts) {
    }

    /** A DFT in the outbox with billing's last answer. */
    public record DftRow(long id, String controlId, String orderKey, String status, int attempts, String lastAnswer,
                         Instant createdAt, Instant deliveredAt) {
    }

    /** Search criteria; null or empty = not restricted. */
    public record MessageFilter(String controlId, String orderNumber, String patientKey, Instant from, Instant to,
                                String type, String disposition) {
    }

    /** An audit record. */
    public record AuditRecord(String id, Instant actedAt, String actor, String action, String target, String reason,
                              String result) {
    }

    private static final String MESSAGE_COLUMNS = "SELECT m.id, m.control_id, m.message_type, m.received_at,"
            + " m.disposition, m.ack_code, m.error_code, m.error_location, m.error_text FROM inbound_message m";

    /** Newest first; {@code limit + 1} rows are read so the caller knows whether there is a next page. */
    public static List<MessageRow> searchMessages(LedgerSession s, MessageFilter f, int offset, int limit)
            throws SQLException {
        StringBuilder sql = new StringBuilder(MESSAGE_COLUMNS).append(" WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (present(f.controlId())) {
            sql.append(" AND m.control_id = ?");
            args.add(f.controlId().strip());
        }
        if (present(f.type())) {
            sql.append(" AND m.message_type LIKE ?");
            args.add(f.type().strip() + "%");
        }
        if (present(f.disposition())) {
            sql.append(" AND m.disposition = ?");
            args.add(f.disposition().strip().toUpperCase(java.util.Locale.ROOT));
        }
        if (f.from() != null) {
            sql.append(" AND m.received_at >= ?");
            args.add(Timestamp.from(f.from()));
        }
        if (f.to() != null) {
            sql.append(" AND m.received_at < ?");
            args.add(Timestamp.from(f.to()));
        }
        if (present(f.orderNumber())) {
            // An order number is the placer's or the filler's; the order key contains both.
            String like = "%" + f.orderNumber().strip() + "%";
            sql.append(" AND m.id IN (SELECT source_message_id FROM order_context WHERE order_key LIKE ?"
                    + " UNION SELECT source_message_id FROM charge_line WHERE order_key LIKE ?"
                    + " UNION SELECT source_message_id FROM charge_hold WHERE order_key LIKE ?)");
            args.add(like);
            args.add(like);
            args.add(like);
        }
        if (present(f.patientKey())) {
            String key = f.patientKey().strip();
            sql.append(" AND m.id IN (SELECT source_message_id FROM order_context WHERE patient_key = ?"
                    + " UNION SELECT source_message_id FROM charge_line WHERE patient_key = ?"
                    + " UNION SELECT source_message_id FROM charge_hold WHERE patient_key = ?)");
            args.add(key);
            args.add(key);
            args.add(key);
        }
        sql.append(" ORDER BY m.id DESC LIMIT ").append(limit + 1).append(" OFFSET ").append(Math.max(0, offset));
        try (PreparedStatement ps = s.connection().prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            List<MessageRow> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(messageRow(rs));
                }
            }
            return out;
        }
    }

    public static Optional<MessageDetail> message(LedgerSession s, long id) throws SQLException {
        MessageRow row;
        String sender;
        byte[] raw;
        try (PreparedStatement ps = s.connection().prepareStatement(MESSAGE_COLUMNS.replace("FROM",
                ", m.sender, m.raw FROM") + " WHERE m.id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                row = messageRow(rs);
                sender = rs.getString(10);
                raw = rs.getBytes(11);
            }
        }
        List<StoredLine> lines = s.lines().fromMessage(id);
        List<HoldRecord> holds = s.holds().fromMessage(id);
        List<DftRow> dfts = new ArrayList<>();
        try (PreparedStatement ps = s.connection().prepareStatement(DFT_COLUMNS + " WHERE o.control_id IN"
                + " (SELECT posted_dft FROM charge_line WHERE source_message_id = ?"
                + " UNION SELECT credit_dft FROM charge_line WHERE source_message_id = ?) ORDER BY o.id")) {
            ps.setLong(1, id);
            ps.setLong(2, id);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    dfts.add(dftRow(rs));
                }
            }
        }
        return Optional.of(new MessageDetail(row, sender, raw, lines, holds, dfts));
    }

    /**
     * The raw bytes of the messages of the same order(s) as message {@code id}, up to and including it, oldest first
     * (what {@code explain} needs to replay the decision as the engine made it). Messages whose raw bytes retention
     * erased are left out.
     */
    public static List<byte[]> orderSequence(LedgerSession s, long id) throws SQLException {
        String keys = "SELECT order_key FROM order_context WHERE source_message_id = ?"
                + " UNION SELECT order_key FROM charge_line WHERE source_message_id = ?"
                + " UNION SELECT order_key FROM charge_hold WHERE source_message_id = ?";
        String sql = "SELECT m.raw FROM inbound_message m WHERE m.raw IS NOT NULL AND m.id <= ? AND (m.id = ? OR m.id IN"
                + " (SELECT source_message_id FROM order_context WHERE order_key IN (" + keys + ")"
                + " UNION SELECT source_message_id FROM charge_line WHERE order_key IN (" + keys + ")"
                + " UNION SELECT source_message_id FROM charge_hold WHERE order_key IN (" + keys + ")))"
                + " ORDER BY m.id";
        try (PreparedStatement ps = s.connection().prepareStatement(sql)) {
            ps.setLong(1, id);
            for (int i = 2; i <= 11; i++) {
                ps.setLong(i, id);
            }
            List<byte[]> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getBytes(1));
                }
            }
            return out;
        }
    }

    private static final String DFT_COLUMNS = "SELECT o.id, o.control_id, o.order_key, o.status, o.attempts,"
            + " o.last_error, o.created_at, o.delivered_at FROM outbox o";

    /** Messages answered AE/AR, newest first. */
    public static List<MessageRow> lastErrors(LedgerSession s, int limit) throws SQLException {
        try (PreparedStatement ps = s.connection().prepareStatement(MESSAGE_COLUMNS
                + " WHERE m.ack_code IN ('AE', 'AR') ORDER BY m.id DESC LIMIT " + limit)) {
            List<MessageRow> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(messageRow(rs));
                }
            }
            return out;
        }
    }

    /** Inbound messages since {@code since}, by disposition. */
    public static Map<String, Long> dispositionsSince(LedgerSession s, Instant since) throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        try (PreparedStatement ps = s.connection().prepareStatement("SELECT disposition, COUNT(*) FROM"
                + " inbound_message WHERE received_at >= ? GROUP BY disposition ORDER BY disposition")) {
            ps.setTimestamp(1, Timestamp.from(since));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return out;
    }

    /** Outbox state for health and metrics. */
    /** {@code failing}: pending DFTs with at least one failed attempt (billing down or refusing for now). */
    public record OutboxState(long pending, long parked, long failing, Instant oldestUndelivered) {
    }

    public static OutboxState outboxState(LedgerSession s) throws SQLException {
        try (PreparedStatement ps = s.connection().prepareStatement("SELECT"
                + " SUM(CASE WHEN status = 'PENDING' THEN 1 ELSE 0 END),"
                + " SUM(CASE WHEN status = 'PARKED' THEN 1 ELSE 0 END), MIN(created_at),"
                + " SUM(CASE WHEN status = 'PENDING' AND attempts > 0 THEN 1 ELSE 0 END)"
                + " FROM outbox WHERE status IN ('PENDING', 'PARKED')");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            Timestamp oldest = rs.getTimestamp(3);
            return new OutboxState(rs.getLong(1), rs.getLong(2), rs.getLong(4),
                    oldest == null ? null : oldest.toInstant());
        }
    }

    /** Open holds by reason code. */
    public static Map<String, Long> openHoldsByReason(LedgerSession s) throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        try (PreparedStatement ps = s.connection().prepareStatement("SELECT reason_code, COUNT(*) FROM charge_hold"
                + " WHERE status = 'OPEN' GROUP BY reason_code ORDER BY reason_code");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }

    /** Writes one audit record; its ID. */
    public static String audit(LedgerSession s, Instant at, String actor, String action, String target,
                               String reason, String result) throws SQLException {
        String id = UUID.randomUUID().toString();
        try (PreparedStatement ps = s.connection().prepareStatement("INSERT INTO operator_audit (audit_id, acted_at,"
                + " actor, action, target, reason, result) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, id);
            ps.setTimestamp(2, Timestamp.from(at));
            ps.setString(3, cut(actor, 200));
            ps.setString(4, cut(action, 40));
            ps.setString(5, cut(target, 200));
            ps.setString(6, cut(reason, 1000));
            ps.setString(7, cut(result, 200));
            ps.executeUpdate();
        }
        return id;
    }

    /** Newest first. */
    public static List<AuditRecord> auditTrail(LedgerSession s, int limit) throws SQLException {
        List<AuditRecord> out = new ArrayList<>();
        try (PreparedStatement ps = s.connection().prepareStatement("SELECT audit_id, acted_at, actor, action,"
                + " target, reason, result FROM operator_audit ORDER BY acted_at DESC, audit_id LIMIT " + limit);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new AuditRecord(rs.getString(1), rs.getTimestamp(2).toInstant(), rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7)));
            }
        }
        return out;
    }

    /** A cheap statement that proves the ledger answers (health). */
    public static void ping(LedgerSession s) throws SQLException {
        Connection c = s.connection();
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM operator_audit WHERE 1 = 0");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
        }
    }

    private static MessageRow messageRow(ResultSet rs) throws SQLException {
        return new MessageRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant(),
                rs.getString(5), rs.getString(6), rs.getInt(7), rs.getString(8), rs.getString(9));
    }

    private static DftRow dftRow(ResultSet rs) throws SQLException {
        Timestamp delivered = rs.getTimestamp(8);
        return new DftRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5),
                rs.getString(6), rs.getTimestamp(7).toInstant(), delivered == null ? null : delivered.toInstant());
    }

    private static boolean present(String s) {
        return s != null && !s.isBlank();
    }

    private static String cut(String s, int max) {
        return s == null ? "" : s.length() <= max ? s : s.substring(0, max);
    }
}
