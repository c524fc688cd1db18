package org.iepcharge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.iepcharge.testkit.EngineHarness;
import org.iepcharge.testkit.LoopbackPorts;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;


/**
 * PostgreSQL goes away in the middle of intake and comes back. The test runs its own PostgreSQL server (initdb into a
 * temporary folder, {@code pg_ctl} on a free port; as user postgres when the build runs as root, as {@code .ci/run}
 * does) so that stopping it disturbs nobody else, and an engine on it with an outside-style LIS that resends whatever
 * got no AA. The server is stopped with {@code -m immediate} (a crash: no checkpoint, no goodbye to the clients) after
 * 60 pairs and started again 5 s later. Checked: while it is down the LIS gets AR with ERR-3 207 and nothing else;
 * every message the LIS had acknowledged AA before the crash is in the ledger after it; once the server is back intake
 * resumes, every message is eventually AA, and every order is charged exactly once (one FT1-2) at billing.
 *
 * <p>Runs where the PostgreSQL tests run ({@code IEP_TEST_PG_URL} set, or {@code iep.test.requirePostgres} as in
 * {@code .ci/run}); it uses the server binaries of that installation (/usr/lib/postgresql/N/bin, the Debian
 * postgresql package), not that server.
 */
class PostgresOutageIT {

    private static final int PAIRS = 150;
    private static final int OUTAGE_AT = 60;
    private static final long OUTAGE_MILLIS = 5_000;

    @TempDir
    Path tmp;

    /** Where the PostgreSQL tests run (IEP_TEST_PG_URL set, or required as .ci/run does): their server is installed. */
    @TestFactory
    Stream<DynamicTest> onPostgres() {
        String base = System.getenv("IEP_TEST_PG_URL");
        if ((base == null || base.isBlank()) && !Boolean.getBoolean("iep.test.requirePostgres")) {
            return Stream.empty();
        }
        return Stream.of(DynamicTest.dynamicTest("a PostgreSQL crash during intake loses nothing and charges every"
                + " resent message once", this::crashDuringIntake));
    }

    private void crashDuringIntake() throws Exception {
        try (PrivatePostgres pg = PrivatePostgres.start(tmp.resolve("pg"))) {
            Map<String, String> settings = Map.of("iep.ledger.url", pg.url(), "iep.ledger.user", "postgres");
            try (EngineHarness engine = EngineHarness.start(EngineHarness.Transport.NETTY, tmp.resolve("engine"),
                    settings)) {
                // Resends for as long as a slow machine may take to start PostgreSQL again (1,000 x at least 50 ms).
                ClusterFailoverIT.Lis lis = new ClusterFailoverIT.Lis(engine.engine().settings().inboundPort(),
                        1_000);
                Set<String> acceptedBeforeCrash = new HashSet<>();
                List<String> duringOutage = new ArrayList<>();
                Thread restart = null;
                long crashedAt = 0;
                for (int i = 0; i < PAIRS; i++) {
                    if (i == OUTAGE_AT) {
                        acceptedBeforeCrash.addAll(lis.accepted);
                        pg.crash();
                        crashedAt = System.nanoTime();
                        restart = new Thread(() -> {
                            try {
                                Thread.sleep(OUTAGE_MILLIS);
                                pg.startAgain();
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        }, "postgres-restart");
                        restart.start();
                    }
                    int rejectedBefore = lis.rejections.size();
                    String mrn = "M" + i;
                    lis.send(ClusterFailoverIT.order(mrn, "O" + i, "P" + i));
                    lis.send(ClusterFailoverIT.result(mrn, "R" + i, "P" + i));
                    if (i == OUTAGE_AT) {
                        duringOutage.addAll(lis.rejections.subList(rejectedBefore, lis.rejections.size()));
                    }
                }
                restart.join(60_000);
                lis.close();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                Map<String, Set<String>> charges = charges(engine.dfts());
                while (charges.size() < PAIRS && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                    charges = charges(engine.dfts());
                }
                Set<String> inLedger = controlIds(pg.url());
                long lost = PAIRS - charges.size();
                long doubled = charges.values().stream().filter(ids -> ids.size() > 1).count();
                System.out.printf("postgres outage: %d pairs, crash after %d, down %d ms; LIS: %d answers, %d resends,"
                                + " rejections %s, longest ACK gap %d ms; AA before the crash %d, all in the ledger"
                                + " after it: %s; lost %d, doubled %d, DFTs at billing %d%n", PAIRS, OUTAGE_AT,
                        OUTAGE_MILLIS, lis.sent, lis.resends, summary(lis.rejections), lis.longestGapMillis,
                        acceptedBeforeCrash.size(), inLedger.containsAll(acceptedBeforeCrash), lost, doubled,
                        engine.dfts().size());
                assertThat(crashedAt).isPositive();
                assertThat(duringOutage).as("answers while PostgreSQL was down").isNotEmpty()
                        .allMatch("AR 207"::equals);
                assertThat(lis.rejections).as("every rejection of the run").allMatch("AR 207"::equals);
                assertThat(acceptedBeforeCrash).as("AA before the crash").hasSize(2 * OUTAGE_AT);
                assertThat(inLedger).as("messages in the ledger after the crash").containsAll(acceptedBeforeCrash);
                assertThat(new LinkedHashSet<>(lis.accepted)).as("messages answered AA").hasSize(2 * PAIRS);
                assertThat(lost).as("orders never charged").isZero();
                assertThat(doubled).as("orders charged under two transaction IDs").isZero();
            }
        }
    }

    /** MRN -> FT1-2 of its CG lines, from the DFTs billing received. */
    private static Map<String, Set<String>> charges(List<String> dfts) {
        Map<String, Set<String>> charges = new HashMap<>();
        for (String dft : dfts) {
            String mrn = "";
            for (String segment : dft.split("\r")) {
                String[] f = segment.split("\\|", -1);
                if (segment.startsWith("PID|")) {
                    mrn = f[3].split("\\^")[0];
                } else if (segment.startsWith("FT1|") && "CG".equals(f[6])) {
                    charges.computeIfAbsent(mrn, k -> new HashSet<>()).add(f[2]);
                }
            }
        }
        return charges;
    }

    private static Set<String> controlIds(String url) throws Exception {
        Set<String> ids = new HashSet<>();
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT control_id FROM inbound_message")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    private static Map<String, Integer> summary(List<String> answers) {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        answers.forEach(a -> counts.merge(a, 1, Integer::sum));
        return counts;
    }

    /**
     * A PostgreSQL server of the test's own: a data folder made by initdb (trust authentication, loopback only) and
     * {@code pg_ctl} on a free port. PostgreSQL refuses to run as root, so as root every command runs as the user
     * postgres (runuser), who then owns the folder.
     */
    private static final class PrivatePostgres implements AutoCloseable {
        private final Path dir;
        private final Path bin;
        private final int port;

        private PrivatePostgres(Path dir, Path bin, int port) {
            this.dir = dir;
            this.bin = bin;
            this.port = port;
        }

        static PrivatePostgres start(Path dir) throws Exception {
            Path bin = serverBin();
            Files.createDirectories(dir);
            if (root()) {
                UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService()
                        .lookupPrincipalByName("postgres");
                Files.setOwner(dir, postgres);
                // The temporary folder above it is root's (mode 700): postgres must be able to pass through it.
                dir.getParent().toFile().setExecutable(true, false);
            }
            // Below the ephemeral range: the server is stopped and started again on this port (LoopbackPorts).
            PrivatePostgres pg = new PrivatePostgres(dir, bin, LoopbackPorts.free());
            pg.run("initdb", "-D", dir.resolve("data").toString(), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                    "--no-sync");
            pg.startAgain();
            return pg;
        }

        String url() {
            return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
        }

        /** Killed without a checkpoint, its clients cut off: a crash. */
        void crash() throws Exception {
            run("pg_ctl", "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop");
        }

        void startAgain() throws Exception {
            run("pg_ctl", "-D", dir.resolve("data").toString(), "-l", dir.resolve("server.log").toString(), "-w",
                    "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1", "start");
        }

        private void run(String program, String... args) throws Exception {
            List<String> command = new ArrayList<>();
            if (root()) {
                command.addAll(List.of("runuser", "-u", "postgres", "--"));
            }
            command.add(bin.resolve(program).toString());
            command.addAll(List.of(args));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", program).isTrue();
            assertThat(p.exitValue()).as("%s: %s", command, out).isZero();
        }

        @Override
        public void close() throws Exception {
            if (Files.exists(dir.resolve("data/postmaster.pid"))) {
                run("pg_ctl", "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "stop");
            }
        }

        private static boolean root() {
            return "root".equals(System.getProperty("user.name"));
        }

        /** The newest /usr/lib/postgresql/N/bin, as .ci/run picks the server version. */
        private static Path serverBin() throws IOException {
            try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
                Path newest = versions.filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                        .max(java.util.Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString())))
                        .orElseThrow(() -> new AssertionError("no PostgreSQL server in /usr/lib/postgresql"));
                return newest.resolve("bin");
            }
        }
    }
}
