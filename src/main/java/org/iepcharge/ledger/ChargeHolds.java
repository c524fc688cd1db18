package org.iepcharge.ledger;

import static org.iepcharge.ledger.SessionSql.cut;
import static org.iepcharge.ledger.SessionSql.returnedId;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.iepcharge.domain.HoldReason;
import org.iepcharge.domain.LineKind;
import org.iepcharge.ledger.SessionSql.Use;

/** Table {@code charge_hold} within one {@link LedgerSession}: the lines held for an analyst, open or closed. */
public final class ChargeHolds {
    private final SessionSql sql;
    /**
     * PostgreSQL writer: the open holds of orders whose lines {@link ChargeLines#forOrder} read, fetched in the same
     * round trip; dropped by every write to charge_hold of this session.
     */
    private final java.util.Map<String, List<HoldRecord>> openByOrder = new java.util.HashMap<>();

    ChargeHolds(SessionSql sql) {
        this.sql = sql;
    }

    /** The open holds of an order as just read with its lines, the answer to {@link #openForOrder} until a write. */
    void knownOpen(String orderKey, List<HoldRecord> open) {
        openByOrder.put(orderKey, List.copyOf(open));
    }

    /**
     * Opens a hold. {@code trigger} is what re-evaluation needs later (the test as the triggering message gave it),
     * stored as JSON.
     */
    public long open(String orderKey, String cpt, LineKind kind, String patientKey, HoldReason reason,
                     String reasonText, long sourceMessageId, Object trigger, Instant now) throws SQLException {
        openByOrder.clear();
        try (Use use = sql.use(OPEN_HOLD + " RETURNING id")) {
            PreparedStatement ps = use.statement();
            bindHold(ps, orderKey, cpt, kind, patientKey, reason, reasonText, sourceMessageId, trigger, now);
            return returnedId(ps);
        }
    }

    /** As {@link #open}, for a caller that needs no hold ID: on the PostgreSQL writer the insert is held back. */
    public void add(String orderKey, String cpt, LineKind kind, String patientKey, HoldReason reason,
                    String reasonText, long sourceMessageId, Object trigger, Instant now) throws SQLException {
        openByOrder.clear();
        try (Use use = sql.defer(OPEN_HOLD)) {
            PreparedStatement ps = use.statement();
            bindHold(ps, orderKey, cpt, kind, patientKey, reason, reasonText, sourceMessageId, trigger, now);
            ps.executeUpdate();
        }
    }

    private static final String OPEN_HOLD = "INSERT INTO charge_hold (order_key, cpt, kind,"
            + " patient_key, reason_code, reason_text, status, source_message_id, trigger_json, created_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, 'OPEN', ?, ?, ?)";

    private static void bindHold(PreparedStatement ps, String orderKey, String cpt, LineKind kind, String patientKey,
                                 HoldReason reason, String reasonText, long sourceMessageId, Object trigger,
                                 Instant now) throws SQLException {
        ps.setString(1, orderKey);
        ps.setString(2, cpt);
        ps.setString(3, kind.name());
        ps.setString(4, patientKey);
        ps.setString(5, reason.name());
        ps.setString(6, cut(reasonText, 1000));
        ps.setLong(7, sourceMessageId);
        ps.setString(8, LedgerJson.write(trigger));
        ps.setTimestamp(9, Timestamp.from(now));
    }

    /** The trigger stored with a hold, read back as {@code type}. */
    public <T> Optional<T> trigger(long holdId, Class<T> type) throws SQLException {
        try (Use use = sql.use("SELECT trigger_json FROM charge_hold WHERE id = ?")) {
            PreparedStatement ps = use.statement();
            ps.setLong(1, holdId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(LedgerJson.read(rs.getString(1), type)) : Optional.empty();
            }
        }
    }

    public Optional<HoldRecord> find(long holdId) throws SQLException {
        try (Use use = sql.use(HOLD_COLUMNS + " WHERE id = ?")) {
            PreparedStatement ps = use.statement();
            ps.setLong(1, holdId);
            List<HoldRecord> found = holds(ps);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
        }
    }

    /** The holds a message opened (open or closed since). */
    public List<HoldRecord> fromMessage(long messageId) throws SQLException {
        try (Use use = sql.use(HOLD_COLUMNS
                + " WHERE source_message_id = ? ORDER BY id")) {
            PreparedStatement ps = use.statement();
            ps.setLong(1, messageId);
            return holds(ps);
        }
    }

    /** Every open hold of an order, whatever its CPT. */
    public List<HoldRecord> openForOrder(String orderKey) throws SQLException {
        List<HoldRecord> known = openByOrder.get(orderKey);
        if (known != null) {
            return known;
        }
        try (Use use = sql.use(OPEN_FOR_ORDER)) {
            PreparedStatement ps = use.statement();
            ps.setString(1, orderKey);
            return holds(ps);
        }
    }

    public List<HoldRecord> allOpen() throws SQLException {
        try (Use use = sql.use(HOLD_COLUMNS + " WHERE status = 'OPEN' ORDER BY id")) {
            PreparedStatement ps = use.statement();
            return holds(ps);
        }
    }

    /**
     * Opens again a hold an analyst just released, with the reason the rules now give: a line still held after
     * {@code holds release N} stays hold N, so the analyst's ID keeps meaning the same line. False unless the hold is
     * RELEASED.
     */
    public boolean reopenReleased(long holdId, String cpt, LineKind kind, HoldReason reason, String reasonText)
            throws SQLException {
        openByOrder.clear();
        try (Use use = sql.use("UPDATE charge_hold SET status = 'OPEN', cpt = ?, kind = ?,"
                + " reason_code = ?, reason_text = ?, closed_at = NULL, closed_note = NULL"
                + " WHERE id = ? AND status = 'RELEASED'")) {
            PreparedStatement ps = use.statement();
            ps.setString(1, cpt);
            ps.setString(2, kind.name());
            ps.setString(3, reason.name());
            ps.setString(4, cut(reasonText, 1000));
            ps.setLong(5, holdId);
            return ps.executeUpdate() == 1;
        }
    }

    /** Closes an open hold; false if it was already closed (so a hold is never acted on twice). */
    public boolean close(long holdId, HoldStatus status, String note, Instant now) throws SQLException {
        openByOrder.clear();
        try (Use use = sql.use("UPDATE charge_hold SET status = ?, closed_note = ?,"
                + " closed_at = ? WHERE id = ? AND status = 'OPEN'")) {
            PreparedStatement ps = use.statement();
            ps.setString(1, status.name());
            ps.setString(2, cut(note, 1000));
            ps.setTimestamp(3, Timestamp.from(now));
            ps.setLong(4, holdId);
            return ps.executeUpdate() == 1;
        }
    }

    private static final String HOLD_COLUMNS = "SELECT id, order_key, cpt, kind, patient_key, reason_code,"
            + " reason_text, status, source_message_id, created_at FROM charge_hold";
    static final String OPEN_FOR_ORDER = HOLD_COLUMNS + " WHERE order_key = ? AND status = 'OPEN' ORDER BY id";

    private static List<HoldRecord> holds(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return holds(rs);
        }
    }

    static List<HoldRecord> holds(ResultSet rs) throws SQLException {
        List<HoldRecord> out = new ArrayList<>();
        while (rs.next()) {
            out.add(new HoldRecord(rs.getLong(1), rs.getString(2), rs.getString(3),
                    LineKind.valueOf(rs.getString(4)), rs.getString(5), HoldReason.valueOf(rs.getString(6)),
                    rs.getString(7), HoldStatus.valueOf(rs.getString(8)), rs.getLong(9),
                    rs.getTimestamp(10).toInstant()));
        }
        return out;
    }
}
