package org.iepcharge.ledger;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two databases the ledger runs on, and everything they do differently: the first migration, sequences, how a
 * write transaction starts, and what each connection needs set for an acknowledged outcome to survive a crash.
 * Nothing outside the ledger package sees a dialect.
 */
enum SqlDialect {
    /** The embedded ledger: one file, WAL journal, one writer at a time (readers never block it). */
    SQLITE {
        @Override
        String nextValue(String sequence) {
            return "UPDATE ledger_sequence SET value = value + 1 WHERE name = '" + sequence + "' RETURNING value";
        }

        @Override
        int maxWriters() {
            // SQLite lets one connection write at a time; a second writer connection would only wait for the lock
            // (in the busy handler, which sleeps) and gain nothing.
            return 1;
        }

        @Override
        Optional<String> urlProblem(String url, Durability durability) {
            String rest = url.substring(PREFIX_SQLITE.length());
            int q = rest.indexOf('?');
            String path = q < 0 ? rest : rest.substring(0, q);
            if (path.isBlank() || path.contains(":memory:") || path.startsWith("file::")) {
                return Optional.of("names no database file (an in-memory or temporary SQLite database keeps nothing"
                        + " across a restart)");
            }
            for (String pair : q < 0 ? new String[0] : rest.substring(q + 1).split("&")) {
                int eq = pair.indexOf('=');
                String key = (eq < 0 ? pair : pair.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
                String value = eq < 0 ? "" : pair.substring(eq + 1).strip();
                switch (key) {
                    case "synchronous" -> {
                        int level = synchronousLevel(value);
                        if (level < durability.sqliteSynchronous) {
                            return Optional.of("asks for synchronous=" + value + ", weaker than iep.ledger.durability="
                                    + durability.settingValue() + " needs (" + SYNCHRONOUS[durability.sqliteSynchronous]
                                    + " or stronger); remove it from the URL, the engine sets it");
                        }
                    }
                    case "journal_mode" -> {
                        if (!value.equalsIgnoreCase("WAL")) {
                            return Optional.of("asks for journal_mode=" + value + "; the ledger needs WAL (a commit"
                                    + " written to the WAL before it returns, the command line reading beside the"
                                    + " engine); remove it from the URL, the engine sets it");
                        }
                    }
                    case "locking_mode" -> {
                        if (value.equalsIgnoreCase("EXCLUSIVE")) {
                            return Optional.of("asks for locking_mode=EXCLUSIVE; the command line (outbox, holds,"
                                    + " explain, prune) could not open the ledger while the engine runs");
                        }
                    }
                    case "mode" -> {
                        if (value.equalsIgnoreCase("memory")) {
                            return Optional.of("asks for mode=memory; an in-memory database keeps nothing across a"
                                    + " restart");
                        }
                    }
                    default -> {
                        // Other driver options (cache size, date format, ...) do not weaken a commit.
                    }
                }
            }
            return Optional.empty();
        }

        @Override
        void prepare(Connection c, String url, Durability durability) throws SQLException {
            int asked = urlSynchronous(url);
            int level = Math.max(asked, durability.sqliteSynchronous);
            try (Statement st = c.createStatement()) {
                // Waits for the other side's lock instead of failing: the engine's writer, the command line and
                // migrations share the file.
                st.execute("PRAGMA busy_timeout = " + BUSY_TIMEOUT_MILLIS);
                st.execute("PRAGMA foreign_keys = ON");
                String journal = single(st, "PRAGMA journal_mode = WAL");
                if (!"wal".equalsIgnoreCase(journal)) {
                    throw new DurabilityException("iep.ledger.url: the SQLite database runs with journal_mode="
                            + journal + " and cannot be switched to WAL; the ledger needs WAL");
                }
                st.execute("PRAGMA synchronous = " + level);
                int now = Integer.parseInt(single(st, "PRAGMA synchronous"));
                if (now < durability.sqliteSynchronous) {
                    throw new DurabilityException("iep.ledger.durability=" + durability.settingValue()
                            + " needs synchronous=" + SYNCHRONOUS[durability.sqliteSynchronous]
                            + " but the SQLite connection kept synchronous=" + SYNCHRONOUS[Math.min(now, 3)]);
                }
            }
        }

        @Override
        void prepareWriter(Connection c) throws SQLException {
            // A batch run again after a failing job runs each job under a SAVEPOINT (GroupCommitter), and SQLite
            // keeps what a savepoint or a multi-row statement may have to undo in a statement
            // journal (its "sub-journal"): with temp_store=FILE that is a temporary file under /var/tmp created,
            // written and unlinked once per batch (~30 a second under load, measured with strace). In memory it is a
            // few pages per batch; nothing durable is in it (the WAL is what a commit writes).
            // https://www.sqlite.org/tempfiles.html (2.5, statement journals), https://www.sqlite.org/pragma.html
            try (Statement st = c.createStatement()) {
                st.execute("PRAGMA temp_store = MEMORY");
                // Checkpoints are the WalCheckpointer's, on its own thread; this is only the backstop.
                st.execute("PRAGMA wal_autocheckpoint = " + WalCheckpointer.WRITER_BACKSTOP_PAGES);
            }
            // With generated keys on (the driver's default), sqlite-jdbc matches every statement it executes against
            // an INSERT pattern and after each INSERT compiles and runs "SELECT last_insert_rowid()" on a new
            // Statement, wanted or not (CoreStatement.updateGeneratedKeys): 6.6 % of the writer thread, and 0.7 of its
            // ≈ 0.8 compiles per message (writer probe profile, BENCHMARKS.md "Writer, fifth pass"). The ledger's
            // inserts that need their id say RETURNING id (SessionSql.returnedId).
            c.unwrap(org.sqlite.SQLiteConnection.class).getConnectionConfig().setGetGeneratedKeys(false);
        }

        @Override
        void createFolder(String url) {
            java.nio.file.Path parent = sqliteFile(url).toAbsolutePath().getParent();
            try {
                java.nio.file.Files.createDirectories(parent);
            } catch (java.io.IOException e) {
                throw new LedgerException("cannot create the ledger's folder " + parent + " (" + e.getMessage()
                        + ")", e);
            }
        }

        @Override
        SQLException standardized(SQLException e) {
            if (e instanceof org.sqlite.SQLiteException lite
                    && (lite.getResultCode() == org.sqlite.SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE
                    || lite.getResultCode() == org.sqlite.SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY)) {
                return new SQLException("unique constraint violated", UNIQUE_VIOLATION, e);
            }
            return e;
        }

        @Override
        void readOnly(Connection c) throws SQLException {
            // The driver fixes read-only at open; query_only is the same promise on an open connection.
            try (Statement st = c.createStatement()) {
                st.execute("PRAGMA query_only = ON");
            }
        }

        @Override
        void begin(Connection c) throws SQLException {
            // IMMEDIATE takes the write lock now, waiting in busy_timeout if another process holds it. A deferred
            // transaction that reads first could not upgrade to a writer once another connection committed
            // (SQLITE_BUSY at once, no wait). The driver's own transaction handling (autocommit off) begins the
            // next transaction at every commit and would hold the lock for good, so the statements are ours.
            if (!c.getAutoCommit()) {
                c.setAutoCommit(true);
            }
            try (Statement st = c.createStatement()) {
                st.execute("BEGIN IMMEDIATE");
            }
        }

        @Override
        void begin(Connection c, StatementCache statements) throws SQLException {
            if (!c.getAutoCommit()) {
                c.setAutoCommit(true);
            }
            // Kept prepared: Statement.execute compiles its text on every call (two compiles per batch).
            statements.control("BEGIN IMMEDIATE").execute();
        }

        @Override
        void commit(Connection c) throws SQLException {
            try (Statement st = c.createStatement()) {
                st.execute("COMMIT");
            }
        }

        @Override
        void commit(Connection c, StatementCache statements) throws SQLException {
            statements.control("COMMIT").execute();
        }

        @Override
        void rollback(Connection c) throws SQLException {
            try (Statement st = c.createStatement()) {
                st.execute("ROLLBACK");
            } catch (SQLException e) {
                if (!String.valueOf(e.getMessage()).contains("no transaction is active")) {
                    throw e;
                }
            }
        }
    },

    /** Shared deployments: several engine nodes on one server. */
    POSTGRESQL {
        @Override
        String nextValue(String sequence) {
            return "SELECT nextval('" + sequence + "')";
        }

        @Override
        int maxWriters() {
            return Integer.MAX_VALUE;
        }

        @Override
        int defaultWriters() {
            // Two: a group commit per writer, and the writers' commits overlap. With 8 writers and the bench's 8
            // connections a batch held 1.06–1.16 messages (a durable commit, its BEGIN/COMMIT round trips and a
            // server-side flush per message); with 2 it held 1.86–2.0 and commits per message halved. Measured A/B
            // on the shared machine (BENCHMARKS.md, "PostgreSQL: fewer writers, bigger group commits"): the server's
            // CPU per message fell from 2.6–3.1 ms (8 writers) to 1.1–2.3 ms (2), the JVM's (JIT excluded) from
            // 4.6–6.1 to 2.5–5.4 ms: fewer commits cost less on both sides. Where round trips are slow and cores
            // idle, more writers overlap more waits: iep.ledger.writers sets the count.
            return 2;
        }

        @Override
        Optional<String> urlProblem(String url, Durability durability) {
            String decoded = URLDecoder.decode(url, StandardCharsets.UTF_8);
            Matcher m = PG_SYNCHRONOUS_COMMIT.matcher(decoded);
            while (m.find()) {
                if (OFF_WORDS.contains("," + m.group(1).toLowerCase(Locale.ROOT) + ",")) {
                    return Optional.of("asks for synchronous_commit=" + m.group(1) + " (in options); an"
                            + " acknowledged charge would not survive a server crash; remove it from the URL");
                }
            }
            return Optional.empty();
        }

        @Override
        void prepare(Connection c, String url, Durability durability) throws SQLException {
            try (Statement st = c.createStatement()) {
                // A role or database default of off must not reach our connections: set it on ours.
                if (OFF_WORDS.contains("," + single(st, "SHOW synchronous_commit").toLowerCase(Locale.ROOT) + ",")) {
                    st.execute("SET synchronous_commit TO on");
                }
                String now = single(st, "SHOW synchronous_commit");
                if (OFF_WORDS.contains("," + now.toLowerCase(Locale.ROOT) + ",")) {
                    throw new DurabilityException("iep.ledger.url: synchronous_commit stays " + now
                            + " on the ledger's connection; the ledger needs it on");
                }
                if (durability == Durability.POWER && "off".equalsIgnoreCase(single(st, "SHOW fsync"))) {
                    throw new DurabilityException("iep.ledger.durability=power but the PostgreSQL server runs with"
                            + " fsync=off: no commit survives a power cut");
                }
            }
        }

        @Override
        void prepareWriter(Connection c) throws SQLException {
            // The writer's statements are few, fixed and key look-ups, each prepared once per connection: one generic
            // plan each is all they need. Left to choose (plan_cache_mode auto), PostgreSQL compares each generic
            // plan with the custom plans of the first executions and, where a custom plan looked cheaper, keeps
            // planning every execution anew: in a writer probe the order look-up was planned 4,464 times in 15,600
            // calls, 2.5 s of planning against 0.5 s of execution, and the patient's-lines query 3,558 times in
            // 5,189; a run before had planned the same look-up 35 times (pg_stat_statements; which way it goes
            // depends on the statistics at the time). A generic plan is made again when ANALYZE changes a table's
            // statistics, so it follows the tables' growth.
            // https://www.postgresql.org/docs/15/runtime-config-query.html#GUC-PLAN-CACHE-MODE
            try (Statement st = c.createStatement()) {
                st.execute("SET plan_cache_mode = force_generic_plan");
            } catch (SQLException e) {
                if (!"42704".equals(e.getSQLState())) { // undefined_object: a server before PostgreSQL 12
                    throw e;
                }
            }
            // A generic plan is made once, from the statistics and table sizes of that moment, and kept until an
            // ANALYZE of one of its tables. On a new ledger that moment is the first minute, tables nearly empty and
            // not yet analysed (autovacuum looks at a database once per autovacuum_naptime, 1 min by default), where
            // a sequential or bitmap scan looks cheapest, and the scan then grows with the ledger until the plan is
            // made again. auto_explain of the bench's writers (fresh schema, 17:18 UTC) showed the order look-up
            // reading order_test whole (Seq Scan on order_test, most samples); EXPLAIN ANALYZE of the claim's generic
            // plan made before 20,000 DFTs were delivered: a bitmap scan of ix_outbox_due that read every delivered
            // DFT's dead 'PENDING' entry and its heap page on every claim (bitmap scans never mark entries dead:
            // 20,002 entries, 335 buffers, 2.0 ms per claim). Every statement the writers run finds its rows by a key
            // or a short index range (retention's batches too, by the indexes of V2__retention_indexes.sql), so a
            // plain index scan is right at any size: these two settings take the size-dependent choice away. Only
            // the writers' connections (the command line and the console keep the planner's full choice); neither
            // forbids a scan where no index serves. They are not enough for a join whose key comes from another
            // table of the query: see OrderContexts.ORDER_WITH_TEST_PG. BENCHMARKS.md, "PostgreSQL: the writers'
            // plans".
            // https://www.postgresql.org/docs/15/runtime-config-query.html#GUC-ENABLE-SEQSCAN
            try (Statement st = c.createStatement()) {
                st.execute("SET enable_seqscan = off");
                st.execute("SET enable_bitmapscan = off");
            }
        }

        @Override
        void readOnly(Connection c) throws SQLException {
            c.setReadOnly(true);
        }

        @Override
        void begin(Connection c) throws SQLException {
            if (c.getAutoCommit()) {
                c.setAutoCommit(false);
            }
        }

        @Override
        void commit(Connection c) throws SQLException {
            c.commit();
        }

        @Override
        void rollback(Connection c) throws SQLException {
            if (!c.getAutoCommit()) {
                c.rollback();
            }
        }
    };

    static final String PREFIX_SQLITE = "jdbc:sqlite:";
    static final String PREFIX_POSTGRESQL = "jdbc:postgresql:";
    static final int BUSY_TIMEOUT_MILLIS = 10_000;
    private static final String[] SYNCHRONOUS = {"OFF", "NORMAL", "FULL", "EXTRA"};
    private static final String OFF_WORDS = ",off,false,no,0,";
    private static final Pattern PG_SYNCHRONOUS_COMMIT = Pattern.compile("synchronous_commit\\s*=\\s*([A-Za-z_0-9]+)",
            Pattern.CASE_INSENSITIVE);

    /** Settings of the writers' connections only, after {@link #prepare} (not the command line's, not readers'). */
    void prepareWriter(Connection c) throws SQLException {
        // Nothing on a server database.
    }

    /** Creates the folder an embedded database file goes in (the data folder on a first start). */
    void createFolder(String url) {
        // A server database has no folder of ours.
    }

    /** SQLSTATE of a unique-key violation, as PostgreSQL reports it. */
    static final String UNIQUE_VIOLATION = "23505";

    /**
     * The same failure with the SQLSTATE callers test ({@link #UNIQUE_VIOLATION}): the SQLite driver reports a
     * unique-key violation by its own result code, with no SQLSTATE.
     */
    SQLException standardized(SQLException e) {
        return e;
    }

    /** The draw of the next value of a sequence (one row, one column). */
    abstract String nextValue(String sequence);

    /** How many writers run when {@code iep.ledger.writers} does not say (at most {@link #maxWriters}). */
    int defaultWriters() {
        return Math.min(4, Runtime.getRuntime().availableProcessors());
    }

    /** How many writer connections may usefully run at once. */
    abstract int maxWriters();

    /** What in the URL asks for a weaker commit than {@code durability}, worded to follow the URL; empty if nothing. */
    abstract Optional<String> urlProblem(String url, Durability durability);

    /** Settings every connection of ours gets before its first statement; refuses a connection that keeps less. */
    abstract void prepare(Connection c, String url, Durability durability) throws SQLException;

    abstract void readOnly(Connection c) throws SQLException;

    /** Starts a write transaction on {@code c}. */
    abstract void begin(Connection c) throws SQLException;

    abstract void commit(Connection c) throws SQLException;

    /** {@link #begin(Connection)} on a writer's connection, whose statements {@code statements} keeps prepared. */
    void begin(Connection c, StatementCache statements) throws SQLException {
        begin(c);
    }

    /** {@link #commit(Connection)} on a writer's connection, whose statements {@code statements} keeps prepared. */
    void commit(Connection c, StatementCache statements) throws SQLException {
        commit(c);
    }

    /** Rolls back the open transaction, if there is one. */
    abstract void rollback(Connection c) throws SQLException;

    /** Where the first migration, spelled for this database, lives; later ones are shared (db/migration). */
    String firstMigrationLocation() {
        return "classpath:db/vendor/" + name().toLowerCase(Locale.ROOT);
    }

    static SqlDialect of(String jdbcUrl) {
        if (jdbcUrl.startsWith(PREFIX_SQLITE)) {
            return SQLITE;
        }
        if (jdbcUrl.startsWith(PREFIX_POSTGRESQL)) {
            return POSTGRESQL;
        }
        throw new IllegalArgumentException("iep.ledger.url must be a jdbc:sqlite: or jdbc:postgresql: URL");
    }

    /** The database file a {@code jdbc:sqlite:} URL names. */
    static java.nio.file.Path sqliteFile(String url) {
        String path = url.substring(PREFIX_SQLITE.length()).split("\\?")[0];
        if (path.startsWith("file:")) {
            path = path.substring("file:".length());
        }
        return java.nio.file.Path.of(path);
    }

    static boolean supports(String jdbcUrl) {
        return jdbcUrl.startsWith(PREFIX_SQLITE) || jdbcUrl.startsWith(PREFIX_POSTGRESQL);
    }

    private static int synchronousLevel(String value) {
        String v = value.strip().toUpperCase(Locale.ROOT);
        for (int i = 0; i < SYNCHRONOUS.length; i++) {
            if (SYNCHRONOUS[i].equals(v) || String.valueOf(i).equals(v)) {
                return i;
            }
        }
        return -1;
    }

    /** The synchronous level the URL asks for, or 0 when it asks for none. */
    private static int urlSynchronous(String url) {
        int q = url.indexOf('?');
        if (q < 0) {
            return 0;
        }
        for (String pair : url.substring(q + 1).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).strip().equalsIgnoreCase("synchronous")) {
                return Math.max(0, synchronousLevel(pair.substring(eq + 1)));
            }
        }
        return 0;
    }

    private static String single(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : "";
        }
    }
}
