package org.iepcharge.ledger;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * One empty ledger database for one test: a fresh SQLite file (the embedded default) in a temporary directory, or a fresh schema in
 * the PostgreSQL database named by {@code IEP_TEST_PG_URL} / {@code IEP_TEST_PG_USER} / {@code IEP_TEST_PG_PASSWORD}
 * (selected with {@code currentSchema=}, so Flyway runs exactly as shipped and creates its history table there).
 *
 * <p>The PostgreSQL variants exist only when {@code IEP_TEST_PG_URL} is set ({@link #backends()}): a test never
 * starts and then skips itself. With the system property {@code iep.test.requirePostgres=true} (as {@code .ci/run}
 * sets) a missing {@code IEP_TEST_PG_URL} fails the tests instead.
 */
final class TestDatabase implements AutoCloseable {

    enum Backend { SQLITE, POSTGRESQL }

    static final String REQUIRE_POSTGRES = "iep.test.requirePostgres";

    final Backend backend;
    final String url;
    final String user;
    final String password;
    private final String baseUrl;
    private final String schema;

    private TestDatabase(Backend backend, String url, String user, String password, String baseUrl, String schema) {
        this.backend = backend;
        this.url = url;
        this.user = user;
        this.password = password;
        this.baseUrl = baseUrl;
        this.schema = schema;
    }

    /**
     * The backends the ledger tests run on: SQLite always, PostgreSQL when {@code IEP_TEST_PG_URL} is set — or required
     * ({@code iep.test.requirePostgres=true}), in which case {@link #create} fails without it.
     */
    static java.util.stream.Stream<Backend> backends() {
        if (postgresConfigured() || Boolean.getBoolean(REQUIRE_POSTGRES)) {
            return java.util.stream.Stream.of(Backend.SQLITE, Backend.POSTGRESQL);
        }
        if (!noticeShown) {
            noticeShown = true;
            System.out.println("Ledger tests run on SQLite only: IEP_TEST_PG_URL (with IEP_TEST_PG_USER and"
                    + " IEP_TEST_PG_PASSWORD) is not set; export them (or run .ci/run) to run them on PostgreSQL too");
        }
        return java.util.stream.Stream.of(Backend.SQLITE);
    }

    private static volatile boolean noticeShown;

    static boolean postgresConfigured() {
        String base = System.getenv("IEP_TEST_PG_URL");
        return base != null && !base.isBlank();
    }

    static TestDatabase create(Backend backend, Path tempDir) {
        if (backend == Backend.SQLITE) {
            return new TestDatabase(backend, JdbcLedger.sqliteFileUrl(tempDir), "", "", null, null);
        }
        String base = System.getenv("IEP_TEST_PG_URL");
        if (base == null || base.isBlank()) {
            fail("PostgreSQL ledger tests cannot run: IEP_TEST_PG_URL (with IEP_TEST_PG_USER and"
                    + " IEP_TEST_PG_PASSWORD) is not set; run .ci/run or export them to test on PostgreSQL");
        }
        String user = env("IEP_TEST_PG_USER", "iep");
        String password = env("IEP_TEST_PG_PASSWORD", "");
        String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
        try (Connection c = DriverManager.getConnection(base, user, password); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test schema on " + base + " as " + user + ": "
                    + e.getMessage(), e);
        }
        String url = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        return new TestDatabase(backend, url, user, password, base, schema);
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null ? fallback : value;
    }

    JdbcLedger open() {
        return JdbcLedger.open(url, user, password);
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    /** The first column of every row of a query, as objects. */
    List<Object> column(String sql, Object... args) {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            List<Object> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getObject(1));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    long count(String sql, Object... args) {
        return ((Number) column(sql, args).get(0)).longValue();
    }

    String string(String sql, Object... args) {
        List<Object> values = column(sql, args);
        return values.isEmpty() || values.get(0) == null ? null : values.get(0).toString();
    }

    @Override
    public void close() {
        if (schema == null) {
            return;
        }
        try (Connection c = DriverManager.getConnection(baseUrl, user, password); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot drop test schema " + schema + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return backend.name();
    }
}
