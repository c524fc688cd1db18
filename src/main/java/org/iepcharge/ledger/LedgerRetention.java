package org.iepcharge.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the ledger. Two ages:
 * <ul>
 *   <li><b>raw</b> ({@code iep.retention.rawDays}): the bytes of an inbound message ({@code inbound_message.raw}) are
 *       erased. Its row stays: duplicate detection matches sender, control ID and the SHA-256 of the frame
 *       ({@code content_hash}), never the bytes, so a resend is still answered as before.</li>
 *   <li><b>correction</b> ({@code iep.retention.correctionDays}): an order all of whose activity (context, lines,
 *       holds, DFTs) is older is deleted whole — its charge lines, order context, closed holds and sent DFTs — and
 *       then every inbound row older than that which nothing references any more (the duplicate-detection keys).</li>
 * </ul>
 * Never touched, whatever their age: an order with a DFT still to send ({@code PENDING}) or parked ({@code PARKED}),
 * an order with an open hold, and every inbound row (bytes included) such an order's rows reference.
 *
 * <p>Work is done in small batches through {@link Ledger#write}, so charge capture is never stalled for long; each
 * delete re-checks its conditions in the statement itself. Portable SQL (SQLite and PostgreSQL).
 */
public final class LedgerRetention {
    private static final Logger LOG = LoggerFactory.getLogger(LedgerRetention.class);
    private static final int BATCH = 500;

    /** Orders that must be kept whole: something still to send, parked, or held. */
    private static final String PROTECTED_ORDERS = "SELECT p_o.order_key FROM outbox p_o"
            + " WHERE p_o.status IN ('PENDING', 'PARKED')"
            + " UNION SELECT p_h.order_key FROM charge_hold p_h WHERE p_h.status = 'OPEN'";

    private static final String ERASE_RAW = "UPDATE inbound_message SET raw = NULL WHERE id IN ("
            + "SELECT m.id FROM inbound_message m WHERE m.raw IS NOT NULL AND m.received_at < ?"
            + " AND NOT EXISTS (SELECT 1 FROM charge_line l WHERE l.source_message_id = m.id"
            + " AND l.order_key IN (" + PROTECTED_ORDERS + "))"
            + " AND NOT EXISTS (SELECT 1 FROM charge_hold h WHERE h.source_message_id = m.id"
            + " AND (h.status = 'OPEN' OR h.order_key IN (" + PROTECTED_ORDERS + ")))"
            + " AND NOT EXISTS (SELECT 1 FROM order_context c WHERE c.source_message_id = m.id"
            + " AND c.order_key IN (" + PROTECTED_ORDERS + "))"
            + " ORDER BY m.id LIMIT " + BATCH + ")";

    /** An order (by its key, parameter 1) whose every row is older than the cut-off (parameters 2–9). */
    private static final String ORDER_IS_DONE = "c.updated_at < ?"
            + " AND NOT EXISTS (SELECT 1 FROM charge_line l WHERE l.order_key = c.order_key"
            + " AND (l.posted_at >= ? OR l.credited_at >= ?))"
            + " AND NOT EXISTS (SELECT 1 FROM charge_hold h WHERE h.order_key = c.order_key"
            + " AND (h.status = 'OPEN' OR h.created_at >= ? OR h.closed_at >= ?))"
            + " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.order_key = c.order_key"
            + " AND (o.status IN ('PENDING', 'PARKED') OR o.created_at >= ? OR o.delivered_at >= ?))";

    private static final String DONE_ORDERS = "SELECT c.order_key FROM order_context c WHERE " + ORDER_IS_DONE
            + " ORDER BY c.id LIMIT " + BATCH;

    private static final String DELETE_INBOUND = "DELETE FROM inbound_message WHERE id IN ("
            + "SELECT m.id FROM inbound_message m WHERE m.received_at < ?"
            + " AND NOT EXISTS (SELECT 1 FROM order_context c WHERE c.source_message_id = m.id)"
            + " AND NOT EXISTS (SELECT 1 FROM charge_line l WHERE l.source_message_id = m.id)"
            + " AND NOT EXISTS (SELECT 1 FROM charge_hold h WHERE h.source_message_id = m.id)"
            + " ORDER BY m.id LIMIT " + BATCH + ")";

    /** What one run removed. */
    public record Result(int rawErased, int orders, int lines, int holds, int dfts, int inbound) {
        @Override
        public String toString() {
            return rawErased + " raw message(s) erased; " + orders + " finished order(s) deleted (" + lines
                    + " charge line(s), " + holds + " hold(s), " + dfts + " sent DFT(s)); " + inbound
                    + " inbound row(s) deleted";
        }
    }

    private final Ledger ledger;
    private final Duration rawAge;
    private final Duration correctionAge;

    public LedgerRetention(Ledger ledger, int rawDays, int correctionDays) {
        if (rawDays < 1 || correctionDays < rawDays) {
            throw new IllegalArgumentException("need 1 <= rawDays <= correctionDays");
        }
        this.ledger = ledger;
        this.rawAge = Duration.ofDays(rawDays);
        this.correctionAge = Duration.ofDays(correctionDays);
    }

    /** One pruning run as of now (what the engine's timer calls). */
    public Result prune() {
        return prune(Instant.now());
    }

    /** One pruning run as if the time were {@code now} (tests look ahead instead of waiting a year). */
    public Result prune(Instant now) {
        Timestamp rawCut = Timestamp.from(now.minus(rawAge));
        Timestamp correctionCut = Timestamp.from(now.minus(correctionAge));
        int raw = 0;
        int n;
        do {
            n = ledger.write(s -> update(s.connection(), ERASE_RAW, rawCut));
            raw += n;
        } while (n == BATCH);

        int orders = 0;
        int lines = 0;
        int holds = 0;
        int dfts = 0;
        List<String> done;
        do {
            done = ledger.read(s -> doneOrders(s.connection(), correctionCut));
            for (String orderKey : done) {
                int[] removed = ledger.write(s -> deleteOrder(s.connection(), orderKey, correctionCut));
                if (removed != null) {
                    orders++;
                    lines += removed[0];
                    holds += removed[1];
                    dfts += removed[2];
                }
            }
        } while (done.size() == BATCH);

        int inbound = 0;
        do {
            n = ledger.write(s -> update(s.connection(), DELETE_INBOUND, correctionCut));
            inbound += n;
        } while (n == BATCH);
        Result result = new Result(raw, orders, lines, holds, dfts, inbound);
        LOG.info("ledger retention (raw {} days, correction {} days): {}", rawAge.toDays(), correctionAge.toDays(),
                result);
        return result;
    }

    private static List<String> doneOrders(Connection c, Timestamp cut) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(DONE_ORDERS)) {
            for (int i = 1; i <= 7; i++) {
                ps.setTimestamp(i, cut);
            }
            List<String> keys = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    keys.add(rs.getString(1));
                }
            }
            return keys;
        }
    }

    /**
     * Deletes one finished order in one transaction: its context first, guarded by the same "everything is old and
     * nothing is pending, parked or held" condition (so an order that came back to life meanwhile is left alone,
     * and on PostgreSQL a concurrent update of the context row is waited for and re-checked); then its lines,
     * holds and DFTs. Null when the order was not deleted.
     */
    private static int[] deleteOrder(Connection c, String orderKey, Timestamp cut) throws SQLException {
        int contexts;
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM order_context AS c WHERE c.order_key = ? AND "
                + ORDER_IS_DONE)) {
            ps.setString(1, orderKey);
            for (int i = 2; i <= 8; i++) {
                ps.setTimestamp(i, cut);
            }
            contexts = ps.executeUpdate();
        }
        if (contexts == 0) {
            return null;
        }
        deleteByOrder(c, "DELETE FROM order_test WHERE order_key = ?", orderKey);
        int lines = deleteByOrder(c, "DELETE FROM charge_line WHERE order_key = ?", orderKey);
        int holds = deleteByOrder(c, "DELETE FROM charge_hold WHERE order_key = ? AND status <> 'OPEN'", orderKey);
        int dfts = deleteByOrder(c, "DELETE FROM outbox WHERE order_key = ? AND status NOT IN ('PENDING', 'PARKED')",
                orderKey);
        return new int[] {lines, holds, dfts};
    }

    private static int deleteByOrder(Connection c, String sql, String orderKey) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, orderKey);
            return ps.executeUpdate();
        }
    }

    private static int update(Connection c, String sql, Timestamp cut) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setTimestamp(1, cut);
            return ps.executeUpdate();
        }
    }
}
