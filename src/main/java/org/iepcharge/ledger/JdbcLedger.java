package org.iepcharge.ledger;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.flywaydb.core.Flyway;

/**
 * The ledger on JDBC: SQLite embedded by default, PostgreSQL for shared deployments, schema by Flyway. Writes go
 * through the {@link GroupCommitter}s, and so does the outbox's delivery bookkeeping (claims, answers, parking): a
 * delivered DFT shares a commit with the messages being captured instead of paying one of its own (issue 9 item 3).
 * On SQLite it also never waits for the file's write lock against our own writer (SQLite's busy handler waits by
 * sleeping). On PostgreSQL, where several nodes share the outbox, joining a batch adds no lock wait that could close
 * a cycle: a claim skips locked rows ({@code FOR UPDATE SKIP LOCKED}) instead of waiting for them; an answer or a
 * renewal touches only rows this node holds under a live lease, which no other node's claim and no capture's
 * withdrawal touch (both pass over rows under a live lease); patient locks are taken in key order before a batch's
 * work. Only a lease that ran out in mid-delivery lets two batches want each other's rows; PostgreSQL then aborts one
 * (40P01) and its writer runs it again whole ({@link GroupCommitter}). (An earlier claim, before patient locks and
 * before the one-statement claim, deadlocked two nodes within seconds in
 * {@code OutboxTest.twoNodesClaimingConcurrentlyNeverClaimTheSameRow}; that test now runs in the writers' batches.)
 * Outbox state changes are conditional updates, safe with several nodes.
 * Every connection is prepared by its {@link SqlDialect} for the chosen {@link Durability} before its first
 * statement, and a URL or server that would keep less refuses to open.
 */
public final class JdbcLedger implements Ledger {

    private final String url;
    private final String user;
    private final String password;
    private final SqlDialect dialect;
    private final Durability durability;
    /** One writer per partition: work of one patient always goes to the same writer, so it stays serial. */
    private final GroupCommitter[] committers;
    private final StatementCounts writerStatements = new StatementCounts();
    /** SQLite: checkpoints the WAL off the writer thread (null on PostgreSQL, and until the schema is migrated). */
    private volatile WalCheckpointer checkpointer;
    /** Set once the schema is migrated: from then on an embedded ledger file must exist to be opened. */
    private volatile boolean opened;
    /** PostgreSQL: the node names claimed by {@link #holdNodeName}, kept held while the ledger is open. */
    private final NodeNameLocks nodeNames = new NodeNameLocks(this::newConnection);

    static final String WRITERS_PROPERTY = "iep.ledger.writers";

    /**
     * The tuning settings the ledger reads itself, from JVM system properties only (they size threads before any
     * settings object exists). The engine's settings check knows them from here, so a misspelt one is refused and a
     * new one is accepted without a second list to keep.
     */
    public static final java.util.List<String> SYSTEM_PROPERTY_SETTINGS = java.util.List.of(WRITERS_PROPERTY,
            AckStages.PROPERTY);

    private JdbcLedger(String url, String user, String password, Durability durability) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.dialect = SqlDialect.of(url);
        this.durability = durability;
        int writers = Math.min(dialect.maxWriters(), Math.max(1, Integer.getInteger(WRITERS_PROPERTY,
                dialect.defaultWriters())));
        this.committers = new GroupCommitter[writers];
        for (int i = 0; i < writers; i++) {
            committers[i] = new GroupCommitter(this::newConnection, dialect, "ledger-writer-" + i,
                    writerStatements);
        }
    }

    /** Opens the ledger at {@code url} for {@link Durability#PROCESS}, migrating its schema first. */
    public static JdbcLedger open(String url, String user, String password) {
        return open(url, user, password, Durability.PROCESS);
    }

    /**
     * Opens the ledger at {@code url}, migrating its schema first.
     *
     * @throws DurabilityException when the URL, a connection or the server keeps less than {@code durability}
     */
    public static JdbcLedger open(String url, String user, String password, Durability durability) {
        JdbcLedger ledger = unmigrated(url, user, password, durability);
        try {
            ledger.migrate(ledger.schemaMigration());
            return ledger;
        } catch (RuntimeException e) {
            ledger.close();
            throw e;
        }
    }

    /**
     * The first half of {@link #open}: the URL checked and the ledger made, with nothing read or written (no folder,
     * file or connection). {@link #migrate} must succeed before any other use; the caller closes the ledger if it
     * fails. The engine prepares camel-main beside the migration this way (docs/operating.md "Start-up").
     *
     * @throws DurabilityException when the URL asks for a weaker commit than {@code durability}
     */
    public static JdbcLedger unmigrated(String url, String user, String password, Durability durability) {
        SqlDialect.of(url).urlProblem(url, durability).ifPresent(problem -> {
            throw new DurabilityException("iep.ledger.url " + problem);
        });
        return new JdbcLedger(url, user, password, durability);
    }

    /**
     * Flyway configured for this ledger, no connection made yet; the engine builds it while other start-up work runs.
     * Flyway's defaults otherwise: {@code validateOnMigrate} (a ledger whose applied migrations no longer match their
     * files refuses to open, {@code LedgerMigrationTest}), no baseline, no clean.
     *
     * <p>Its plugins are registered once, for this Flyway only ({@link FlywayPlugins}): {@code new Flyway(...)} copies
     * the configuration's plugin register, and Flyway 11 copies each configuration plugin through a Jackson round trip
     * with a new {@code ObjectMapper} — 0.35–0.39 s of CPU at start-up, all to isolate plugin settings we never set
     * (docs/operating.md "Start-up").
     */
    public Flyway schemaMigration() {
        org.flywaydb.core.api.configuration.ClassicConfiguration configuration =
                new org.flywaydb.core.api.configuration.ClassicConfiguration(JdbcLedger.class.getClassLoader());
        configuration.setPluginRegister(new FlywayPlugins());
        configuration.setDataSource(new ConnectionSource(this::newConnection));
        configuration.setLocationsAsStrings(dialect.firstMigrationLocation(), "classpath:db/migration");
        return new Flyway(configuration);
    }

    /** The second half of {@link #open}: creates the embedded ledger's folder and migrates with {@code flyway}. */
    public void migrate(Flyway flyway) {
        dialect.createFolder(url);
        flyway.migrate();
        opened = true;
        if (dialect == SqlDialect.SQLITE) {
            // One writer on SQLite (maxWriters): its pauses are the checkpointer's moments with no write open.
            checkpointer = WalCheckpointer.start(this::newConnection, committers[0]::betweenBatches,
                    SqlDialect.sqliteFile(url));
        }
    }

    /** The embedded default: {@code ledger.db} in the data folder. */
    public static String sqliteFileUrl(java.nio.file.Path dataDir) {
        return SqlDialect.PREFIX_SQLITE + dataDir.toAbsolutePath().resolve("ledger.db");
    }

    /** Whether {@code url} names a database the ledger runs on (jdbc:sqlite: or jdbc:postgresql:). */
    public static boolean supports(String url) {
        return SqlDialect.supports(url);
    }

    /**
     * What in {@code url} asks for a weaker commit than {@code durability} (e.g. {@code synchronous=OFF}), as words
     * that follow the URL in a message; empty when nothing does. The same check {@link #open} makes.
     */
    public static java.util.Optional<String> durabilityProblem(String url, Durability durability) {
        return SqlDialect.of(url).urlProblem(url, durability);
    }

    private Connection newConnection() {
        Connection c;
        try {
            java.util.Properties props = new java.util.Properties();
            props.setProperty("user", user);
            props.setProperty("password", password);
            if (dialect == SqlDialect.POSTGRESQL) {
                // Sockets that stay in blocking mode: two system calls per round trip instead of four
                // (PgBlockingSockets). A socketFactory in the URL takes precedence over this (pgjdbc reads the URL's
                // parameters over these properties).
                props.setProperty("socketFactory", PgBlockingSockets.class.getName());
            }
            if (opened && dialect == SqlDialect.SQLITE) {
                // Once the ledger exists, a connection never creates it: a file gone from under the engine must fail
                // (readiness DOWN, AR 207), not be replaced by an empty ledger. SQLITE_OPEN_READWRITE without CREATE.
                props.setProperty("open_mode", "2");
            }
            c = DriverManager.getConnection(url, props);
        } catch (SQLException e) {
            throw new LedgerException("cannot connect to the ledger (" + e.getSQLState() + ")", e);
        }
        try {
            dialect.prepare(c, url, durability);
            return c;
        } catch (SQLException | RuntimeException e) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // Refused anyway.
            }
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new LedgerException("cannot prepare a ledger connection (" + ((SQLException) e).getSQLState()
                    + ")", e);
        }
    }

    /**
     * Ledger commit time and batch size as meters ({@code iep.ledger.commit.time}, {@code iep.ledger.commit.batch}).
     */
    public void instrument(io.micrometer.core.instrument.MeterRegistry meters) {
        io.micrometer.core.instrument.Timer time = io.micrometer.core.instrument.Timer
                .builder("iep.ledger.commit.time").description("one group commit: its statements and the commit")
                .publishPercentileHistogram().minimumExpectedValue(java.time.Duration.ofMillis(1))
                .maximumExpectedValue(java.time.Duration.ofSeconds(30)).register(meters);
        io.micrometer.core.instrument.DistributionSummary batch = io.micrometer.core.instrument.DistributionSummary
                .builder("iep.ledger.commit.batch").description("pieces of work committed together")
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128).register(meters);
        for (GroupCommitter committer : committers) {
            committer.observe((size, nanos) -> {
                time.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
                batch.record(size);
            });
        }
    }

    /** What the writers sent to the database so far (statements executed and prepared), for the bench's probe. */
    public StatementCounts writerStatements() {
        return writerStatements;
    }

    @Override
    public <T> T write(LedgerWork<T> work) {
        return committers[0].submit(work);
    }

    @Override
    public <T> T write(String partitionKey, LedgerWork<T> work) {
        // On PostgreSQL the transaction also takes the partition's lock, so other nodes' writers wait for it too.
        return committers[Math.floorMod(partitionKey.hashCode(), committers.length)].submit(partitionKey, work);
    }

    /**
     * Claims {@code node} as this process's name on a shared (PostgreSQL) ledger for as long as the ledger is open:
     * a session-level {@code pg_try_advisory_lock} on the name, held by a connection of its own and taken again if that
     * session ends while the ledger is open (a database restart; {@link NodeNameLocks}). False when another
     * live process holds it — two nodes under one name would release and renew each other's outbox claims. The
     * database drops the lock when the holder's connection ends (closed, or its process killed: the kernel closes
     * the socket); a machine that vanishes from the network keeps it until the server notices the dead connection
     * (TCP keepalive). A name held by another session is tried again for 5 s before false. On the embedded ledger,
     * one process per file, there is nothing to claim: true.
     */
    /**
     * Whether {@link #holdNodeName} can refuse a name: on PostgreSQL several nodes share the ledger; an embedded
     * SQLite ledger belongs to one process and always grants it.
     */
    public boolean sharedByNodes() {
        return dialect == SqlDialect.POSTGRESQL;
    }

    public boolean holdNodeName(String node) {
        if (dialect != SqlDialect.POSTGRESQL) {
            return true;
        }
        // A node restarted right after a kill may find its predecessor's session not yet ended by the server: a few
        // seconds of patience before calling the name taken.
        long deadline = System.nanoTime() + NODE_NAME_WAIT.toNanos();
        while (true) {
            if (tryHoldNodeName(node)) {
                return true;
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    private static final Duration NODE_NAME_WAIT = Duration.ofSeconds(5);

    private boolean tryHoldNodeName(String node) {
        return nodeNames.tryHold(node);
    }

    /**
     * Checks the sessions holding this process's node names and takes a lost one again (the keeper thread does this
     * every few seconds; tests call it directly). Returns the names not held after the check.
     */
    public List<String> recheckNodeNames() {
        return nodeNames.recheck();
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // Nothing held on it.
        }
    }

    @Override
    public <T> T read(LedgerWork<T> work) {
        try (Connection c = newConnection()) {
            dialect.readOnly(c);
            return work.apply(new LedgerSession(c, dialect));
        } catch (SQLException e) {
            throw new LedgerException("ledger read failed (" + e.getSQLState() + ")", e);
        }
    }

    @Override
    public List<OutboxItem> claimDue(int max, Duration lease, String node) {
        Instant now = Instant.now();
        if (dialect == SqlDialect.POSTGRESQL) {
            return claimDueSkipLocked(max, lease, node, now);
        }
        // One statement claims and returns the payloads (UPDATE ... RETURNING, SQLite 3.35+), in one commit of the
        // writer: one process writes an embedded ledger, so there are no other pollers' locks to skip.
        // A statement of the writer's session, so it stays prepared on the writer's connection: compiled per claim, its
        // plan (the due rows, the NOT EXISTS per order) was most of the writer's remaining compiles under load.
        return bookkeeping(s -> {
            List<OutboxItem> claimed = new ArrayList<>();
            try (SessionSql.Use use = s.sql().use(CLAIM)) {
                PreparedStatement ps = use.statement();
                ps.setString(1, node);
                ps.setTimestamp(2, Timestamp.from(now.plus(lease)));
                ps.setTimestamp(3, Timestamp.from(now));
                ps.setTimestamp(4, Timestamp.from(now));
                ps.setInt(5, max);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        claimed.add(item(rs));
                    }
                }
            }
            // RETURNING follows no ORDER BY: the poller sends in id order, earliest first.
            claimed.sort(java.util.Comparator.comparingLong(OutboxItem::id));
            return claimed;
        });
    }

    /** SQLite's claim (see {@link #claimDue}). */
    private static final String CLAIM = "UPDATE outbox SET claimed_by = ?, claimed_until = ?"
            + " WHERE id IN (" + JdbcLedger.DUE + " ORDER BY o.id LIMIT ?) RETURNING " + JdbcLedger.ITEM_LIST;

    /**
     * The ids of due DFTs (two timestamp parameters: now, now), both databases: pending, due, not claimed by a live
     * lease, and no earlier DFT of the same order still pending or parked — so a credit never leaves before its charge.
     */
    private static final String DUE = "SELECT o.id FROM outbox o WHERE o.status = 'PENDING' AND o.next_attempt_at <= ?"
            + " AND (o.claimed_until IS NULL OR o.claimed_until < ?)"
            + " AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.order_key = o.order_key AND p.id < o.id"
            + " AND p.status IN ('PENDING', 'PARKED'))";

    /**
     * PostgreSQL, several nodes polling: one statement claims and returns the payloads. Rows another node is claiming
     * right now are skipped instead of waited for. A DFT whose order has an earlier one still pending or parked is not
     * claimable, by any node: the earlier one's row is PENDING whether or not someone holds it, so a credit never
     * leaves before its charge. Earlier DFTs of an order always have lower ids: one patient's captures commit one
     * after the other ({@link PatientLocks}), each drawing its ids after the previous one committed.
     */
    private List<OutboxItem> claimDueSkipLocked(int max, Duration lease, String node, Instant now) {
        // In the writer's batch, as a statement of its session: the writes the batch holds back travel ahead of it in
        // its round trip (DeferredWrites), and the statement stays prepared on the writer's connection. The rows stay
        // locked until the batch commits; other nodes' claims skip them meanwhile.
        return bookkeeping(s -> {
            List<OutboxItem> claimed = new ArrayList<>();
            try (SessionSql.Use use = s.sql().use(CLAIM_SKIP_LOCKED)) {
                PreparedStatement ps = use.statement();
                ps.setTimestamp(1, Timestamp.from(now));
                ps.setTimestamp(2, Timestamp.from(now));
                ps.setInt(3, max);
                ps.setString(4, node);
                ps.setTimestamp(5, Timestamp.from(now.plus(lease)));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        claimed.add(item(rs));
                    }
                }
            }
            // RETURNING follows no ORDER BY: the poller sends in id order, earliest first.
            claimed.sort(java.util.Comparator.comparingLong(OutboxItem::id));
            return claimed;
        });
    }

    /**
     * MATERIALIZED: the candidates are chosen and locked once. As "WHERE id IN (subquery)" the planner may run the
     * subquery again per row, and each run skips other rows — measured: more rows than the LIMIT.
     */
    private static final String CLAIM_SKIP_LOCKED = "WITH due AS MATERIALIZED (" + DUE
            + " ORDER BY o.id LIMIT ? FOR UPDATE SKIP LOCKED)"
            + " UPDATE outbox SET claimed_by = ?, claimed_until = ? FROM due WHERE outbox.id = due.id"
            + " RETURNING outbox.id, " + JdbcLedger.ITEM_LIST.substring("id, ".length());

    @Override
    public boolean renewClaim(long outboxId, String node, Duration lease) {
        return update("UPDATE outbox SET claimed_until = ? WHERE id = ? AND status = 'PENDING' AND claimed_by = ?"
                + " AND claimed_until IS NOT NULL", Timestamp.from(Instant.now().plus(lease)), outboxId, node) == 1;
    }

    @Override
    public int releaseClaims(String node) {
        return update("UPDATE outbox SET claimed_until = NULL WHERE status = 'PENDING' AND claimed_by = ?"
                + " AND claimed_until IS NOT NULL", node);
    }

    private static final String MARK_DELIVERED = "UPDATE outbox SET status = 'DELIVERED', delivered_at = ?,"
            + " attempts = attempts + 1, last_error = ?, claimed_until = NULL WHERE id = ? AND status = 'PENDING'";
    private static final String SCHEDULE_RETRY_CLAIMED = "UPDATE outbox SET attempts = attempts + 1,"
            + " next_attempt_at = ?, last_error = ?, claimed_until = NULL WHERE id = ? AND status = 'PENDING'"
            + " AND claimed_by = ?";
    private static final String PARK_CLAIMED = "UPDATE outbox SET status = 'PARKED', attempts = attempts + 1,"
            + " last_error = ?, claimed_until = NULL WHERE id = ? AND status = 'PENDING' AND claimed_by = ?";
    /** {@link #MARK_DELIVERED} for every row of an array of ids (PostgreSQL): one statement for any number. */
    private static final String MARK_DELIVERED_ALL = "UPDATE outbox SET status = 'DELIVERED', delivered_at = ?,"
            + " attempts = attempts + 1, last_error = ?, claimed_until = NULL WHERE id = ANY (?) AND status = 'PENDING'";

    @Override
    public void markDelivered(long outboxId, String ackCode) {
        update(MARK_DELIVERED, Timestamp.from(Instant.now()), "answered " + ackCode, outboxId);
    }

    @Override
    public void scheduleRetry(long outboxId, String reason, Instant nextAttempt) {
        update("UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, claimed_until = NULL"
                + " WHERE id = ? AND status = 'PENDING'", Timestamp.from(nextAttempt), cut(reason), outboxId);
    }

    @Override
    public boolean scheduleRetry(long outboxId, String node, String reason, Instant nextAttempt) {
        return update(SCHEDULE_RETRY_CLAIMED, Timestamp.from(nextAttempt), cut(reason), outboxId, node) == 1;
    }

    @Override
    public boolean park(long outboxId, String node, String reason) {
        return update(PARK_CLAIMED, cut(reason), outboxId, node) == 1;
    }

    @Override
    public void park(long outboxId, String reason) {
        update("UPDATE outbox SET status = 'PARKED', attempts = attempts + 1, last_error = ?, claimed_until = NULL"
                + " WHERE id = ? AND status = 'PENDING'", cut(reason), outboxId);
    }

    @Override
    public void recordAnswers(List<OutboxAnswer> answers, String node) {
        if (answers.isEmpty()) {
            return;
        }
        Timestamp now = Timestamp.from(Instant.now());
        if (dialect == SqlDialect.POSTGRESQL) {
            bookkeeping(s -> {
                recordAnswersHeldBack(s, answers, node, now);
                return null;
            });
            return;
        }
        // Statements of the writer's session, kept prepared on its connection (three compiles per call before, two of
        // them mostly for nothing: retries and parks are rare), each run once per answer.
        bookkeeping(s -> {
            for (OutboxAnswer a : answers) {
                switch (a.kind()) {
                    case DELIVERED -> {
                        try (SessionSql.Use use = s.sql().use(MARK_DELIVERED)) {
                            PreparedStatement ps = use.statement();
                            ps.setTimestamp(1, now);
                            ps.setString(2, "answered " + a.text());
                            ps.setLong(3, a.outboxId());
                            ps.executeUpdate();
                        }
                    }
                    case RETRY -> {
                        try (SessionSql.Use use = s.sql().use(SCHEDULE_RETRY_CLAIMED)) {
                            bindRetry(use.statement(), a, node);
                            use.statement().executeUpdate();
                        }
                    }
                    case PARK -> {
                        try (SessionSql.Use use = s.sql().use(PARK_CLAIMED)) {
                            bindPark(use.statement(), a, node);
                            use.statement().executeUpdate();
                        }
                    }
                    default -> throw new IllegalStateException("unknown answer " + a.kind());
                }
            }
            return null;
        });
    }

    private static void bindRetry(PreparedStatement ps, OutboxAnswer a, String node) throws SQLException {
        ps.setTimestamp(1, Timestamp.from(a.nextAttempt()));
        ps.setString(2, cut(a.text()));
        ps.setLong(3, a.outboxId());
        ps.setString(4, node);
    }

    private static void bindPark(PreparedStatement ps, OutboxAnswer a, String node) throws SQLException {
        ps.setString(1, cut(a.text()));
        ps.setLong(2, a.outboxId());
        ps.setString(3, node);
    }

    /**
     * PostgreSQL: billing's answers as writes held back in the writer's batch ({@link DeferredWrites}): no one reads
     * their counts, so they travel with the batch's next statement or its COMMIT and take no round trip of their own.
     * The delivered ones go in one statement per answer text (AA, CA) whatever their number, so the batch's combined
     * statements stay few and stay prepared; a retry or a park (rare) is one statement each.
     */
    private static void recordAnswersHeldBack(LedgerSession s, List<OutboxAnswer> answers, String node, Timestamp now)
            throws SQLException {
        java.util.Map<String, List<Long>> delivered = new java.util.LinkedHashMap<>();
        for (OutboxAnswer a : answers) {
            switch (a.kind()) {
                case DELIVERED -> delivered.computeIfAbsent("answered " + a.text(), k -> new ArrayList<>())
                        .add(a.outboxId());
                case RETRY -> {
                    try (SessionSql.Use use = s.sql().defer(SCHEDULE_RETRY_CLAIMED)) {
                        bindRetry(use.statement(), a, node);
                        use.statement().executeUpdate();
                    }
                }
                case PARK -> {
                    try (SessionSql.Use use = s.sql().defer(PARK_CLAIMED)) {
                        bindPark(use.statement(), a, node);
                        use.statement().executeUpdate();
                    }
                }
                default -> throw new IllegalStateException("unknown answer " + a.kind());
            }
        }
        for (java.util.Map.Entry<String, List<Long>> e : delivered.entrySet()) {
            try (SessionSql.Use use = s.sql().defer(MARK_DELIVERED_ALL)) {
                PreparedStatement ps = use.statement();
                ps.setTimestamp(1, now);
                ps.setString(2, e.getKey());
                ps.setArray(3, s.sql().rawConnection().createArrayOf("int8", e.getValue().toArray()));
                ps.executeUpdate();
            }
        }
    }

    @Override
    public List<OutboxItem> undelivered() {
        return read(s -> {
            Connection c = s.connection();
            List<OutboxItem> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(ITEM_COLUMNS
                    + " WHERE status IN ('PENDING', 'PARKED') ORDER BY id");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(item(rs));
                }
            }
            return out;
        });
    }

    @Override
    public boolean retryParked(long outboxId, AuditWrite<Boolean> audit) {
        return audited(audit, "UPDATE outbox SET status = 'PENDING', next_attempt_at = ?, claimed_until = NULL"
                + " WHERE id = ? AND status = 'PARKED'", Timestamp.from(Instant.now()), outboxId);
    }

    @Override
    public boolean discardParked(long outboxId, String reason, AuditWrite<Boolean> audit) {
        return audited(audit, "UPDATE outbox SET status = 'DISCARDED', last_error = ? WHERE id = ? AND status = 'PARKED'",
                cut("discarded: " + reason), outboxId);
    }

    /** One analyst's change of one outbox row and its audit row, in one transaction; true when the row changed. */
    private boolean audited(AuditWrite<Boolean> audit, String sql, Object... args) {
        return write(s -> {
            boolean changed = executeUpdate(s.connection(), sql, args) == 1;
            audit.write(s, changed);
            return changed;
        });
    }

    private static final String ITEM_LIST = "id, control_id, order_key, payload, status, attempts, next_attempt_at,"
            + " last_error, created_at, document";
    private static final String ITEM_COLUMNS = "SELECT " + ITEM_LIST + " FROM outbox";

    private static OutboxItem item(ResultSet rs) throws SQLException {
        return new OutboxItem(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBytes(4), rs.getString(5),
                rs.getInt(6), rs.getTimestamp(7).toInstant(), rs.getString(8), rs.getTimestamp(9).toInstant(),
                rs.getString(10));
    }

    private int update(String sql, Object... args) {
        return outbox(c -> executeUpdate(c, sql, args));
    }

    private static int executeUpdate(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps.executeUpdate();
        }
    }

    private interface OutboxWork<T> {
        T apply(Connection c) throws SQLException;
    }

    /**
     * One outbox change on the statement's own connection, committed before this returns: it joins a writer's commit
     * stream (see the class comment). A failing statement fails alone on both databases: its batch is rolled back and
     * runs again with a savepoint per job ({@link GroupCommitter}).
     */
    private <T> T outbox(OutboxWork<T> work) {
        return bookkeeping(s -> work.apply(s.connection()));
    }

    /**
     * The outbox's bookkeeping, in the first writer's next batch: on SQLite the only writer; on PostgreSQL it takes no
     * patient lock, so any writer would do.
     */
    private <T> T bookkeeping(LedgerWork<T> work) {
        return committers[0].submit(work);
    }

    private static String cut(String s) {
        return s == null ? "" : s.length() <= 1000 ? s : s.substring(0, 1000);
    }

    @Override
    public void close() {
        for (GroupCommitter committer : committers) {
            committer.close();
        }
        WalCheckpointer c = checkpointer;
        if (c != null) {
            c.close();
        }
        nodeNames.close();
    }
}
