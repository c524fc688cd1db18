package org.iepcharge.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The retention job's SQL on both databases: rows of every kind and age written straight into the ledger tables, one
 * pruning run "as of" a chosen instant, then what is left is checked row by row. PostgreSQL runs in a fresh schema of
 * the database named by {@code IEP_TEST_PG_URL} (user {@code IEP_TEST_PG_USER}, password
 * {@code IEP_TEST_PG_PASSWORD}); without it that variant is not generated ({@link TestDatabase#backends()}).
 */
class LedgerRetentionTest {
    private static final Instant NOW = Instant.parse("2027-06-01T12:00:00Z");
    private static final int RAW_DAYS = 30;
    private static final int CORRECTION_DAYS = 396;

    @TempDir
    Path tmp;

    private String url;
    private String user;
    private String password;
    private String pgBase;
    private String pgSchema;
    private JdbcLedger ledger;
    private int generation;
    private Connection connection;

    /** "sqlite", and "postgresql" where {@link TestDatabase#backends()} includes it (never a variant that skips). */
    static java.util.stream.Stream<String> backends() {
        return TestDatabase.backends().map(b -> b == TestDatabase.Backend.SQLITE ? "sqlite" : "postgresql");
    }

    private void open(String backend) throws SQLException {
        if (backend.equals("sqlite")) {
            url = JdbcLedger.sqliteFileUrl(tmp);
            user = "";
            password = "";
        } else {
            pgBase = System.getenv("IEP_TEST_PG_URL");
            assertThat(pgBase).as("IEP_TEST_PG_URL (the PostgreSQL variant runs only when it is set)")
                    .isNotBlank();
            user = System.getenv().getOrDefault("IEP_TEST_PG_USER", "iep");
            password = System.getenv().getOrDefault("IEP_TEST_PG_PASSWORD", "");
            pgSchema = "r_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
            try (Connection c = DriverManager.getConnection(pgBase, user, password);
                 Statement st = c.createStatement()) {
                st.execute("CREATE SCHEMA " + pgSchema);
            }
            url = pgBase + (pgBase.contains("?") ? "&" : "?") + "currentSchema=" + pgSchema;
        }
        ledger = JdbcLedger.open(url, user, password);
    }

    /** One autocommit connection for the test's own statements. */
    private Connection db() throws SQLException {
        if (connection == null) {
            connection = DriverManager.getConnection(url, user, password);
        }
        return connection;
    }

    @AfterEach
    void close() throws SQLException {
        if (connection != null) {
            connection.close();
        }
        if (ledger != null) {
            ledger.close();
        }
        if (pgSchema != null) {
            try (Connection c = DriverManager.getConnection(pgBase, user, password);
                 Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS " + pgSchema + " CASCADE");
            }
        }
    }

    // ---- writing rows of a chosen age -------------------------------------------------------------------------

    private static Timestamp daysAgo(int days) {
        return Timestamp.from(NOW.minus(Duration.ofDays(days)));
    }

    private long sql(String statement, Object... args) throws SQLException {
        try (PreparedStatement ps = db().prepareStatement(statement, Statement.RETURN_GENERATED_KEYS)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                return keys.next() ? keys.getLong(1) : -1;
            }
        }
    }

    private long count(String query, Object... args) throws SQLException {
        try (PreparedStatement ps = db().prepareStatement(query)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private long message(String controlId, int ageDays) throws SQLException {
        return sql("INSERT INTO inbound_message (sender, control_id, content_hash, message_type, processing_id,"
                + " received_at, raw, disposition, ack_code, error_code, error_location, error_text)"
                + " VALUES ('LIS|MAINLAB', ?, ?, 'ORU^R01', 'P', ?, ?, 'CHARGED', 'AA', 0, '', '')",
                controlId, "hash-" + controlId, daysAgo(ageDays), ("MSH|^~\\&|" + controlId).getBytes());
    }

    private void context(String order, long sourceMessage, int ageDays) throws SQLException {
        sql("INSERT INTO order_context (order_key, placer_key, filler_key, patient_key, source_message_id,"
                + " context_json, cancel_state, final_seen, updated_at) VALUES (?, ?, '', 'PAT', ?, '{}', 'NONE',"
                + " TRUE, ?)", order, order, sourceMessage, daysAgo(ageDays));
    }

    private void line(String order, long sourceMessage, String dft, int ageDays) throws SQLException {
        sql("INSERT INTO charge_line (transaction_id, order_key, cpt, kind, generation, patient_key, date_of_service,"
                + " units, modifiers, production, status, line_json, rules_version, source_message_id, posted_dft,"
                + " posted_at) VALUES (?, ?, '86320', 'T', ?, 'PAT', '20260101', 1, '', TRUE, 'POSTED', '{}', 'v1',"
                + " ?, ?, ?)", "C" + dft.substring(dft.length() - 11), order, ++generation, sourceMessage, dft,
                daysAgo(ageDays));
    }

    private void dft(String order, String controlId, String status, int ageDays) throws SQLException {
        sql("INSERT INTO outbox (control_id, order_key, payload, status, attempts, next_attempt_at, created_at,"
                + " delivered_at) VALUES (?, ?, ?, ?, 1, ?, ?, ?)", controlId, order, "DFT".getBytes(), status,
                daysAgo(ageDays), daysAgo(ageDays), status.equals("DELIVERED") ? daysAgo(ageDays) : null);
    }

    private void hold(String order, long sourceMessage, String status, int ageDays) throws SQLException {
        sql("INSERT INTO charge_hold (order_key, cpt, kind, patient_key, reason_code, reason_text, status,"
                + " source_message_id, trigger_json, created_at, closed_at) VALUES (?, '86320', 'T', 'PAT', 'R',"
                + " 'r', ?, ?, '{}', ?, ?)", order, status, sourceMessage, daysAgo(ageDays),
                status.equals("OPEN") ? null : daysAgo(ageDays));
    }

    /** A whole order of one age: ORM and ORU messages, context, one line and its DFT in {@code dftStatus}. */
    private long[] order(String order, int ageDays, String dftStatus) throws SQLException {
        long orm = message("ORM-" + order, ageDays);
        long oru = message("ORU-" + order, ageDays);
        context(order, oru, ageDays);
        String dft = "IEPDFT" + String.format("%012d", Math.abs(order.hashCode()) % 1_000_000_000L);
        line(order, oru, dft, ageDays);
        dft(order, dft, dftStatus, ageDays);
        return new long[] {orm, oru};
    }

    private boolean rawKept(long messageId) throws SQLException {
        return count("SELECT COUNT(*) FROM inbound_message WHERE id = ? AND raw IS NOT NULL", messageId) == 1;
    }

    private boolean exists(long messageId) throws SQLException {
        return count("SELECT COUNT(*) FROM inbound_message WHERE id = ?", messageId) == 1;
    }

    private long rowsOf(String order) throws SQLException {
        return count("SELECT COUNT(*) FROM order_context WHERE order_key = ?", order)
                + count("SELECT COUNT(*) FROM charge_line WHERE order_key = ?", order)
                + count("SELECT COUNT(*) FROM charge_hold WHERE order_key = ?", order)
                + count("SELECT COUNT(*) FROM outbox WHERE order_key = ?", order);
    }

    // ---- the rules ---------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void rawBytesGoAfterRawDaysAndFinishedOrdersAfterTheCorrectionWindow(String backend) throws SQLException {
        open(backend);
        long[] fresh = order("FRESH", 5, "DELIVERED");
        long[] month = order("MONTH", 40, "DELIVERED");
        long[] year = order("YEAR", 400, "DELIVERED");
        long lonely = message("ACK-ONLY", 400); // an old message nothing refers to (e.g. a rejected one)
        long lonelyYoung = message("ACK-YOUNG", 100);

        LedgerRetention.Result result = new LedgerRetention(ledger, RAW_DAYS, CORRECTION_DAYS).prune(NOW);

        assertThat(rawKept(fresh[0])).isTrue();
        assertThat(rawKept(fresh[1])).isTrue();
        // 40 days: bytes erased, rows kept (duplicate detection, order context, lines).
        assertThat(rawKept(month[0])).isFalse();
        assertThat(rawKept(month[1])).isFalse();
        assertThat(exists(month[0])).isTrue();
        assertThat(exists(month[1])).isTrue();
        assertThat(rowsOf("MONTH")).isEqualTo(3);
        assertThat(exists(lonelyYoung)).isTrue();
        assertThat(rawKept(lonelyYoung)).isFalse();
        // 400 days, delivered: the whole order and its messages are gone.
        assertThat(rowsOf("YEAR")).isZero();
        assertThat(exists(year[0])).isFalse();
        assertThat(exists(year[1])).isFalse();
        assertThat(exists(lonely)).isFalse();
        assertThat(result.orders()).isEqualTo(1);
        assertThat(result.lines()).isEqualTo(1);
        assertThat(result.dfts()).isEqualTo(1);
        assertThat(result.inbound()).isEqualTo(3);
        assertThat(result.rawErased()).isEqualTo(6); // MONTH x2, YEAR x2, both lonely ones

        // A second run finds nothing more to do.
        LedgerRetention.Result again = new LedgerRetention(ledger, RAW_DAYS, CORRECTION_DAYS).prune(NOW);
        assertThat(again).isEqualTo(new LedgerRetention.Result(0, 0, 0, 0, 0, 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void nothingUnsentParkedOrHeldIsPrunedNorAnythingItReferences(String backend) throws SQLException {
        open(backend);
        long[] pending = order("PENDING", 500, "PENDING");
        long[] parked = order("PARKED", 500, "PARKED");
        long[] held = order("HELD", 500, "DELIVERED");
        long holdMessage = message("ORU-HELD-2", 500);
        hold("HELD", holdMessage, "OPEN", 500);
        // Closed hold on a finished order: goes with the order.
        long[] closed = order("CLOSEDHOLD", 500, "DELIVERED");
        hold("CLOSEDHOLD", closed[1], "CLOSED", 500);
        // An old order whose correction arrived recently: kept whole (its old bytes may go).
        long[] corrected = order("CORRECTED", 500, "DELIVERED");
        long correction = message("ORU-CORRECTED-C", 10);
        line("CORRECTED", correction, "IEPDFT990000000001", 10);
        dft("CORRECTED", "IEPDFT990000000001", "DELIVERED", 10);

        LedgerRetention.Result result = new LedgerRetention(ledger, RAW_DAYS, CORRECTION_DAYS).prune(NOW);

        for (String order : new String[] {"PENDING", "PARKED"}) {
            assertThat(rowsOf(order)).as(order).isEqualTo(3);
        }
        assertThat(rowsOf("HELD")).isEqualTo(4);
        // The messages their rows reference keep their rows and their bytes.
        for (long id : new long[] {pending[1], parked[1], held[1], holdMessage}) {
            assertThat(exists(id)).isTrue();
            assertThat(rawKept(id)).as("raw of message %d", id).isTrue();
        }
        // Messages no row references any more (the ORMs: the context points at the ORU) are not protected.
        assertThat(exists(pending[0])).isFalse();

        assertThat(rowsOf("CLOSEDHOLD")).isZero();
        assertThat(exists(closed[1])).isFalse();
        assertThat(rowsOf("CORRECTED")).isEqualTo(5);
        assertThat(exists(corrected[1])).isTrue();
        assertThat(rawKept(corrected[1])).isFalse();
        assertThat(rawKept(correction)).isTrue();
        assertThat(result.orders()).isEqualTo(1);
        assertThat(result.holds()).isEqualTo(1);
        assertThat(count("SELECT COUNT(*) FROM outbox WHERE status IN ('PENDING', 'PARKED')")).isEqualTo(2);
    }
}
