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

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "An ACKed outcome survives SIGKILL of the JVM", at process level: a child JVM ({@link LedgerCrashChild}, same
 * class path) commits inbound messages to the H2 ledger through {@link Ledger#write} from several threads and prints
 * each key after {@code write} returned; after a few thousand commits this test kills it with SIGKILL
 * ({@link ProcessHandle#destroyForcibly()} on Linux), reads what was still in the pipe, reopens the ledger and
 * checks that every printed key is there. It prints the figures: {@code committed} (keys printed), {@code found},
 * {@code lost}. Measured here (2 cores, shared): committed 3000, found 3000, lost 0.
 *
 * <p>The test can fail: H2's default write delay (500 ms) loses recently committed transactions on SIGKILL, which is
 * why {@link JdbcLedger#h2FileUrl} sets {@code WRITE_DELAY=0}. To see it fail, run the child with H2's default:
 * <pre>
 * mvn -B verify -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=LedgerCrashIT \
 *     -Diep.test.h2WriteDelayDefault=true
 * </pre>
 * It then fails with lost rows; measured here: committed 3021, found 2380, lost 641. That variant is not part of
 * the normal build.
 */
class LedgerCrashIT {

    /** Kill after this many printed commits, or {@link #KILL_BY} after the first, whichever comes first. */
    private static final int KILL_AFTER = 3000;
    private static final long KILL_BY = TimeUnit.SECONDS.toNanos(20);
    /** Fewer than this many commits before the kill proves nothing: the test fails. */
    private static final int MIN_COMMITS = 300;
    private static final int THREADS = 8;

    @TempDir
    Path dir;

    @Test
    void everyWriteThatReturnedSurvivesSigkill() throws Exception {
        boolean h2DefaultWriteDelay = Boolean.getBoolean("iep.test.h2WriteDelayDefault");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path stderr = dir.resolve("child-stderr.log");
        Path db = Files.createDirectories(dir.resolve("db"));
        Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                LedgerCrashChild.class.getName(), db.toString(), Integer.toString(THREADS),
                Boolean.toString(h2DefaultWriteDelay))
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
        String url = null;
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
                    url = line.substring(4);
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
        try (JdbcLedger ledger = JdbcLedger.open(JdbcLedger.h2FileUrl(db), "sa", "")) {
            ledger.read((LedgerSession s) -> {
                for (String key : committed) {
                    if (!s.controlIdSeen(LedgerCrashChild.SENDER, key)) {
                        lost.add(key);
                    }
                }
                return null;
            });
        }
        long rows = countRows(db);
        int found = committed.size() - lost.size();
        double seconds = (killedAt - firstCommit) / 1e9;
        System.out.printf("LedgerCrashIT %s: committed %d, found %d, lost %d (rows in ledger %d; %d writer threads,"
                        + " ~%.0f commits/s before the kill; child started to kill %.1f s)%n", h2DefaultWriteDelay ? "H2 default WRITE_DELAY"
                        : "shipped URL (WRITE_DELAY=0)", committed.size(), found, lost.size(), rows, THREADS,
                committedAtKill / seconds, (killedAt - started) / 1e9);
        System.out.println("child URL: " + url);
        assertThat(lost.size()).as("committed keys missing after SIGKILL, e.g. %s",
                lost.subList(0, Math.min(10, lost.size()))).isZero();
        assertThat(rows).isGreaterThanOrEqualTo(committed.size());
    }

    private static long countRows(Path db) throws Exception {
        try (var c = java.sql.DriverManager.getConnection(JdbcLedger.h2FileUrl(db), "sa", "");
             var st = c.createStatement();
             var rs = st.executeQuery("SELECT COUNT(*) FROM inbound_message")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
