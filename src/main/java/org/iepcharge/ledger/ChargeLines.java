package org.iepcharge.ledger;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.iepcharge.domain.ChargeLine;
import org.iepcharge.domain.EntityId;
import org.iepcharge.domain.OrderKey;
import org.iepcharge.ledger.SessionSql.Use;

/** Table {@code charge_line} within one {@link LedgerSession}: every line posted, credited or withdrawn. */
public final class ChargeLines {
    private final SessionSql sql;
    /** {@link #forOrder} answers of this transaction, dropped by every write to charge_line. */
    private final java.util.Map<String, List<StoredLine>> linesByOrder = new java.util.HashMap<>();
    /** The session's holds: on the PostgreSQL writer {@link #forOrder} reads an order's open holds with its lines. */
    private final ChargeHolds holds;

    ChargeLines(SessionSql sql, ChargeHolds holds) {
        this.sql = sql;
        this.holds = holds;
    }

    /** Every line ever stored for an order (posted, credited or withdrawn), oldest first. */
    public List<StoredLine> forOrder(String orderKey) throws SQLException {
        // One message's capture asks for its order's lines up to three times; only insert and close change
        // them, and a session is one transaction, so the answer is kept until one of those runs.
        List<StoredLine> known = linesByOrder.get(orderKey);
        if (known != null) {
            return known;
        }
        if (sql.defers()) {
            return withOpenHolds(orderKey);
        }
        // Sorted here, not by ORDER BY: the index on order_key is the line identity's (order, CPT, kind, generation),
        // so SQLite would sort the rows by id in a temporary B-tree (EXPLAIN QUERY PLAN: USE TEMP B-TREE FOR ORDER BY).
        try (Use use = sql.use(OF_ORDER)) {
            PreparedStatement ps = use.statement();
            ps.setString(1, orderKey);
            return keep(orderKey, lines(ps));
        }
    }

    /**
     * The order has no line at all, as {@link OrderContexts#find(OrderKey, String)} read in its query: the answer to
     * {@link #forOrder} until a line is written.
     */
    void knownNone(String orderKey) {
        linesByOrder.put(orderKey, List.of());
    }

    private List<StoredLine> keep(String orderKey, List<StoredLine> found) {
        found.sort(java.util.Comparator.comparingLong(StoredLine::id));
        List<StoredLine> lines = List.copyOf(found);
        linesByOrder.put(orderKey, lines);
        return lines;
    }

    private static final String OF_ORDER = "SELECT id, order_key, generation, line_json, status, production,"
            + " patient_key, rules_version, posted_dft, placer_key, filler_key FROM charge_line WHERE order_key = ?";

    /**
     * PostgreSQL writer: an order's lines and its open holds in one round trip (two queries in one statement string,
     * as {@link DeferredWrites} sends its writes). Capture reads both for every IEP order and result (an order's
     * posted lines, then its holds to keep or close), each a round trip of its own before: 0.66 of ≈ 8.4 statements
     * per message in the bench's mix (PostgreSQL statement log, BENCHMARKS.md). Until a hold is written, the holds are
     * the answer {@link ChargeHolds#openForOrder} gives.
     */
    private List<StoredLine> withOpenHolds(String orderKey) throws SQLException {
        try (Use use = sql.use(OF_ORDER + ";\n" + ChargeHolds.OPEN_FOR_ORDER)) {
            PreparedStatement ps = use.statement();
            ps.setString(1, orderKey);
            ps.setString(2, orderKey);
            ps.execute();
            List<StoredLine> found;
            try (ResultSet rs = ps.getResultSet()) {
                found = lines(rs);
            }
            ps.getMoreResults();
            try (ResultSet rs = ps.getResultSet()) {
                holds.knownOpen(orderKey, ChargeHolds.holds(rs));
            }
            return keep(orderKey, found);
        }
    }

    /** The lines a message posted (whatever became of them since). */
    public List<StoredLine> fromMessage(long messageId) throws SQLException {
        try (Use use = sql.use(LINE_COLUMNS + " FROM charge_line WHERE source_message_id = ?"
                + " ORDER BY id")) {
            PreparedStatement ps = use.statement();
            ps.setLong(1, messageId);
            return lines(ps);
        }
    }

    /**
     * Posted, non-credited lines for a patient, CPT and date of service (repeats and MUE, docs/decision-contract.md
     * §5).
     */
    public List<StoredLine> postedForPatient(String patientKey, String cpt, String dateOfService)
            throws SQLException {
        try (Use use = sql.use(LINE_COLUMNS + " FROM charge_line WHERE patient_key = ?"
                + " AND cpt = ? AND date_of_service = ? AND status = 'POSTED' ORDER BY id")) {
            PreparedStatement ps = use.statement();
            ps.setString(1, patientKey);
            ps.setString(2, cpt);
            ps.setString(3, dateOfService);
            return lines(ps);
        }
    }

    private static final String LINE_COLUMNS = "SELECT id, order_key, generation, line_json, status, production,"
            + " patient_key, rules_version, posted_dft, placer_key, filler_key";

    private List<StoredLine> lines(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return lines(rs);
        }
    }

    private static List<StoredLine> lines(ResultSet rs) throws SQLException {
        List<StoredLine> out = new ArrayList<>();
        while (rs.next()) {
            OrderKey order = new OrderKey(EntityId.fromKey(rs.getString(10)), EntityId.fromKey(rs.getString(11)));
            out.add(new StoredLine(rs.getLong(1), rs.getString(2), order, rs.getInt(3),
                    LedgerJson.read(rs.getString(4), ChargeLine.class), LineStatus.valueOf(rs.getString(5)),
                    rs.getBoolean(6),
                    rs.getString(7), rs.getString(8), rs.getString(9)));
        }
        return out;
    }

    /**
     * Stores a posted line. The unique key (order, CPT, kind, generation) makes a second node's attempt to post the
     * same line fail, so its whole transaction is retried and finds the line already there. {@code order} is the
     * order's whole identity (both numbers as far as known), kept with the line (docs/decision-contract.md §1, §4).
     */
    public void insert(String orderKey, OrderKey order, int generation, ChargeLine line, boolean production,
                       String patientKey, String rulesVersion, long sourceMessageId, String dftControlId,
                       Instant now) throws SQLException {
        try (Use use = sql.defer("INSERT INTO charge_line (transaction_id, order_key,"
                + " cpt, kind, generation, patient_key, date_of_service, units, modifiers, production, status,"
                + " line_json, rules_version, source_message_id, posted_dft, posted_at, placer_key, filler_key)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'POSTED', ?, ?, ?, ?, ?, ?, ?)")) {
            PreparedStatement ps = use.statement();
            OrderKey ids = order == null ? new OrderKey(null, null) : order;
            ps.setString(16, ids.placer().isEmpty() ? "" : ids.placer().key());
            ps.setString(17, ids.filler().isEmpty() ? "" : ids.filler().key());
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
            linesByOrder.clear();
            ps.executeUpdate();
        }
    }

    /** Marks a posted line credited (or withdrawn with its charge); false if it was not posted any more. */
    public boolean close(long lineId, LineStatus status, String creditDft, Instant now) throws SQLException {
        try (Use use = sql.use("UPDATE charge_line SET status = ?, credit_dft = ?,"
                + " credited_at = ? WHERE id = ? AND status = 'POSTED'")) {
            PreparedStatement ps = use.statement();
            ps.setString(1, status.name());
            ps.setString(2, creditDft);
            ps.setTimestamp(3, Timestamp.from(now));
            ps.setLong(4, lineId);
            linesByOrder.clear();
            return ps.executeUpdate() == 1;
        }
    }

    /** The date part (YYYYMMDD) of an HL7 date/time: repeats and MUE count per date of service. */
    public static String dateOnly(String dtm) {
        return dtm.length() >= 8 ? dtm.substring(0, 8) : dtm;
    }
}
