package org.iepcharge.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * "An ACKed outcome survives SIGKILL of the JVM", at process level: a child JVM ({@link LedgerCrashChild}, same
 * class path) commits inbound messages to the ledger through {@link Ledger#write} from several threads and prints
 * each key after {@code write} returned; after a few thousand commits this test kills it with SIGKILL
 * ({@link ProcessHandle#destroyForcibly()} on Linux), reads what was still in the pipe, reopens the ledger and
 * checks that every printed key is there. It prints the figures: {@code committed} (keys printed), {@code found},
 * {@code lost}.
 *
 * <p>Three ledgers: the embedded default (SQLite, {@code ledger.db} in the data folder); a SQLite URL as a user
 * would write it, with none of the engine's settings in it (the durability must come from the engine, not from the
 * URL); and PostgreSQL (always a user-supplied URL; the fresh schema of {@link TestDatabase}).
 */
class LedgerCrashIT {

    enum Target { SQLITE_DEFAULT, SQLITE_USER_URL, POSTGRESQL }

    /** Kill after this many printed commits, or {@link #KILL_BY} after the first, whichever comes first. */
    private static final int KILL_AFTER = 3000;
    private static final long KILL_BY = TimeUnit.SECONDS.toNanos(20);
    /** Fewer than this many commits before the kill proves nothing: the test fails. */
    private static final int MIN_COMMITS = 300;
    private static final int THREADS = 8;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @EnumSource(Target.class)
    void everyWriteThatReturnedSurvivesSigkill(Target target) throws Exception {
        Path db = Files.createDirectories(dir.resolve("db"));
        try (TestDatabase pg = target == Target.POSTGRESQL ? TestDatabase.create(TestDatabase.Backend.POSTGRESQL, db)
                : null) {
            String url = switch (target) {
                case SQLITE_DEFAULT -> JdbcLedger.sqliteFileUrl(db);
                case SQLITE_USER_URL -> "jdbc:sqlite:" + db.resolve("elsewhere.sqlite") + "?cache_size=4000";
                case POSTGRESQL -> pg.url;
            };
            String user = pg == null ? "" : pg.user;
            String password = pg == null ? "" : pg.password;
            crashAndCount(target, url, user, password);
        }
    }

    private void crashAndCount(Target target, String url, String user, String password) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path stderr = dir.resolve("child-stderr.log");
        Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                LedgerCrashChild.class.getName(), url, user, password, Integer.toString(THREADS))
                .redirectError(stderr.toFile())
                .start();
        // Never let a stuck child outlive the test.
        Thread watchdog = new Thread(() -> {
            try {
                if (!child.waitFor(50, TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                }
            } catch (InterruptedException e) {
                child.destroyForcibly();
            }
        }, "crash-it-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();

        Set<String> committed = new LinkedHashSet<>();
        String childUrl = null;
        long killedAt = 0;
        long started = System.nanoTime();
        long firstCommit = 0;
        int committedAtKill = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.US_ASCII))) {
            String line;
            while ((line = in.readLine()) != null) {
                int at = line.indexOf(LedgerCrashChild.PREFIX);
                if (at >= 0) {
                    if (firstCommit == 0) {
                        firstCommit = System.nanoTime();
                    }
                    committed.add(line.substring(at + LedgerCrashChild.PREFIX.length()).trim());
                    if (killedAt == 0
                            && (committed.size() >= KILL_AFTER || System.nanoTime() - firstCommit > KILL_BY)) {
                        killedAt = System.nanoTime();
                        committedAtKill = committed.size();
                        // SIGKILL. Through the ProcessHandle: Process.destroyForcibly() would also close our end of
                        // the pipe, and the lines the child printed just before dying would be lost to the count.
                        child.toHandle().destroyForcibly();
                    }
                } else if (line.startsWith("URL ")) {
                    childUrl = line.substring(4);
                }
            }
        }
        // Lines already in the pipe when the child died were printed after their commit too: they count.
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        int exit = child.exitValue();
        assertThat(committed.size()).as("commits printed before the kill (child stderr: %s)",
                Files.exists(stderr) ? Files.readString(stderr) : "").isGreaterThanOrEqualTo(MIN_COMMITS);
        assertThat(exit).as("child exit status (137 = SIGKILL)").isEqualTo(137);

        List<String> lost = new ArrayList<>();
        try (JdbcLedger ledger = JdbcLedger.open(url, user, password)) {
            ledger.read((LedgerSession s) -> {
                for (String key : committed) {
                    if (!s.inbound().controlIdSeen(LedgerCrashChild.SENDER, key)) {
                        lost.add(key);
                    }
                }
                return null;
            });
        }
        long rows = countRows(url, user, password);
        int found = committed.size() - lost.size();
        double seconds = (killedAt - firstCommit) / 1e9;
        System.out.printf("LedgerCrashIT %s: committed %d, found %d, lost %d (rows in ledger %d; %d writer threads,"
                        + " ~%.0f commits/s before the kill; child started to kill %.1f s)%n", target,
                committed.size(), found, lost.size(), rows, THREADS, committedAtKill / seconds,
                (killedAt - started) / 1e9);
        System.out.println("child URL: " + childUrl);
        assertThat(lost.size()).as("committed keys missing after SIGKILL, e.g. %s",
                lost.subList(0, Math.min(10, lost.size()))).isZero();
        assertThat(rows).isGreaterThanOrEqualTo(committed.size());
    }

    private static long countRows(String url, String user, String password) throws Exception {
        try (var c = java.sql.DriverManager.getConnection(url, user, password);
             var st = c.createStatement();
             var rs = st.executeQuery("SELECT COUNT(*) FROM inbound_message")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
