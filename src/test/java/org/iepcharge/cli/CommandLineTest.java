package org.iepcharge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;




import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.iepcharge.testkit.SystemProperties;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line through its real entry ({@link IepCommand#execute}, what {@code main} runs) and real stdout. */
class CommandLineTest {
    @TempDir
    Path tmp;

    @RegisterExtension
    final SystemProperties properties = new SystemProperties();

    /**
     * {@code before + "pid N (name)" + after}. The port is held by this JVM, but for an instant a process it is
     * spawning (another test's child: jspawnhelper, before its exec) holds the socket too, and the engine names
     * whichever holder its look-up meets first.
     */
    private static String heldBy(String before, String after) {
        return java.util.regex.Pattern.quote(before) + "pid \\d+ \\([^)]+\\)"
                + java.util.regex.Pattern.quote(after);
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "send", "receive", "outbox", "outbox retry", "outbox discard", "holds",
            "holds release", "holds discard", "explain", "prune", "bench", "http-password"})
    void everySubcommandHasHelp(String command) {
        String[] words = command.split(" ");
        String[] args = java.util.Arrays.copyOf(words, words.length + 1);
        args[words.length] = "--help";

        CliRun r = CliRun.of(args);

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("Usage: iep-charge-router " + command).contains("-h, --help");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void topLevelHelpListsTheCommands() {
        CliRun r = CliRun.of("--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("run", "send", "receive", "outbox", "holds", "explain", "prune", "bench");
    }

    /** explain writes with print, not println: without the flush in execute its output never reached stdout. */
    @Test
    void explainPrintsItsDecisionOnStdout() throws Exception {
        properties.set("iep.dataDir", tmp.resolve("data").toString());
        Path iep = EngineHarnessPaths.testdataIep();

        CliRun r = CliRun.of("explain", "--no-engine", iep.toString());

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("01-orm-nw-v251.hl7", "02-oru-final-v251.hl7", "answer: AA",
                "CPT 86320");
        assertThat(r.err()).contains("note: skipped " + iep.resolve("README.md") + ": no MSH segment");
    }

    /**
     * A taken LIS port: one line naming the setting, the port and the holder (this JVM), exit 2, and the ledger is
     * never created — nothing is written under the data folder.
     */
    @Test
    void aTakenPortStopsRunInOneLineBeforeTheLedgerIsTouched() throws Exception {
        Path data = tmp.resolve("data");
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = taken.getLocalPort();
            properties.set("iep.dataDir", data.toString());
            properties.set("iep.inbound.host", "127.0.0.1");
            properties.set("iep.inbound.port", String.valueOf(port));
            properties.set("iep.billing.mode", "mllp");

            CliRun r = CliRun.of("run");

            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err().strip()).matches(heldBy("iep-charge-router: Setting iep.inbound.port = " + port
                    + ": port " + port + " on 127.0.0.1 is already in use by ",
                    "; stop that process or set iep.inbound.port to a free port"));
            assertThat(r.out()).isEmpty();
        }
        assertThat(data).as("no ledger, no data folder").doesNotExist();
    }

    /**
     * A ledger whose applied migration no longer matches its file (here V6's recorded checksum, as if the file had been
     * edited after it ran) stops {@code run} with one line naming the migration — Flyway's own message spans six — and
     * no stack trace. (camel-main's INFO lines may come before it: it is configured beside the migration,
     * docs/operating.md "Start-up".)
     */
    @Test
    void aLedgerFailingItsMigrationCheckStopsRunInOneLine() throws Exception {
        Path data = tmp.resolve("data");
        Files.createDirectories(data);
        String url = org.iepcharge.ledger.JdbcLedger.sqliteFileUrl(data);
        org.iepcharge.ledger.JdbcLedger.open(url, "", "").close();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url);
             java.sql.Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '6'");
        }
        properties.set("iep.dataDir", data.toString());
        properties.set("iep.inbound.host", "127.0.0.1");
        properties.set("iep.inbound.port", "0");
        properties.set("iep.billing.mode", "mllp");
        properties.set("iep.billing.host", "127.0.0.1");
        properties.set("iep.billing.port", "9");
        properties.set("iep.http.enabled", "false");

        CliRun r = CliRun.of("run");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).doesNotContain("\tat ");
        java.util.List<String> ours = r.err().lines().filter(l -> l.startsWith("iep-charge-router:")).toList();
        assertThat(ours).hasSize(1);
        assertThat(ours.get(0)).startsWith("iep-charge-router: cannot start: FlywayValidateException:")
                .contains("checksum mismatch for migration version 6");
        assertThat(r.err().lines().filter(l -> !l.startsWith("iep-charge-router:")))
                .as("any other line is a log line (camel-main's INFO), none a continuation of the error")
                .allMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} [A-Z]+ .*"));
        assertThat(r.out()).isEmpty();
    }

    /** The same for the built-in billing receiver's port in local mode. */
    @Test
    void aTakenLocalBillingPortIsNamedToo() throws Exception {
        Path data = tmp.resolve("data");
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = taken.getLocalPort();
            properties.set("iep.dataDir", data.toString());
            properties.set("iep.inbound.host", "127.0.0.1");
            properties.set("iep.inbound.port", "0");
            properties.set("iep.billing.port", String.valueOf(port));

            CliRun r = CliRun.of("run");

            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err()).contains("Setting iep.billing.port = " + port + ": port " + port
                    + " on 127.0.0.1 is already in use").doesNotContain("\tat ");
        }
        assertThat(data).doesNotExist();
    }

    /**
     * The same for the operator console's port: it opens after the LIS listener (docs/operating.md "Start-up"), so it
     * is checked with the others before anything opens or the ledger is created.
     */
    @Test
    void aTakenConsolePortIsNamedBeforeTheLedgerIsTouched() throws Exception {
        Path data = tmp.resolve("data");
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = taken.getLocalPort();
            properties.set("iep.dataDir", data.toString());
            properties.set("iep.inbound.host", "127.0.0.1");
            properties.set("iep.inbound.port", "0");
            properties.set("iep.billing.mode", "mllp");
            properties.set("iep.http.enabled", "true");
            properties.set("iep.http.host", "127.0.0.1");
            properties.set("iep.http.port", String.valueOf(port));

            CliRun r = CliRun.of("run");

            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err().strip()).matches(heldBy("iep-charge-router: Setting iep.http.port = " + port
                    + ": port " + port + " on 127.0.0.1 is already in use by ",
                    "; stop that process or set iep.http.port to a free port"));
        }
        assertThat(data).doesNotExist();
    }

    /**
     * With iep.billing.singleSender, this node's raft port and its failure-detection port (raft port + 100) are checked
     * like the LIS port: one line naming the member entry and the port, before the ledger is touched.
     */
    @Test
    void aTakenRaftPortOrFailureDetectionPortIsNamedBeforeTheLedgerIsTouched() throws Exception {
        Path data = tmp.resolve("data");
        properties.set("iep.dataDir", data.toString());
        properties.set("iep.inbound.host", "127.0.0.1");
        properties.set("iep.inbound.port", "0");
        properties.set("iep.billing.mode", "mllp");
        properties.set("iep.billing.singleSender", "true");
        properties.set("iep.node", "node2");
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = taken.getLocalPort();
            properties.set("iep.billing.raftMembers",
                    "node1@127.0.0.1:1," + "node2@127.0.0.1:" + port + ",node3@127.0.0.1:3");

            CliRun r = CliRun.of("run");

            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err().strip()).matches(heldBy("iep-charge-router: Setting iep.billing.raftMembers: this"
                    + " node's entry node2@127.0.0.1:" + port + " needs its raft port " + port + " on 127.0.0.1,"
                    + " which is already in use by ", "; stop that process or give this node a free raft port (in"
                    + " every node's iep.billing.raftMembers)"));
        }
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int detection = taken.getLocalPort();
            int raft = detection - 100;
            properties.set("iep.billing.raftMembers",
                    "node1@127.0.0.1:1," + "node2@127.0.0.1:" + raft + ",node3@127.0.0.1:3");

            CliRun r = CliRun.of("run");

            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err()).contains("this node's entry node2@127.0.0.1:" + raft + " needs its failure-detection"
                    + " port (raft port + 100) " + detection + " on 127.0.0.1, which is already in use")
                    .doesNotContain("\tat ");
        }
        assertThat(data).as("no ledger, no data folder").doesNotExist();
    }

    @Test
    void aMisspeltSettingStopsEveryCommandThatReadsSettings() {
        properties.set("iep.dataDir", tmp.resolve("data").toString());
        properties.set("iep.billing.tiemoutMillis", "5");
        for (String command : new String[] {"run", "outbox", "holds", "prune"}) {
            CliRun r = CliRun.of(command);
            assertThat(r.exit()).as(command).isEqualTo(2);
            assertThat(r.err()).as(command).contains("Unknown setting iep.billing.tiemoutMillis (system property"
                    + " -Diep.billing.tiemoutMillis): no such setting; did you mean iep.billing.timeoutMillis?");
        }
        assertThat(tmp.resolve("data")).doesNotExist();
    }

    @Test
    void prunePrintsWhatItErased() {
        properties.set("iep.dataDir", tmp.resolve("data").toString());

        CliRun r = CliRun.of("prune");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("0 raw message(s) erased; 0 finished order(s) deleted (");
    }

    @Test
    void benchMeasuresABaselineAndPrintsIt() {
        CliRun r = CliRun.of("bench", "--target", "netty-echo", "-c", "1", "--warmup", "0", "--duration", "0.5");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("netty-echo", "p99.9");
    }

    @Test
    void benchRefusesBadOptionsInOneLine() {
        CliRun r = CliRun.of("bench", "--connections", "0");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("error: --connections >= 1, --duration > 0, --warmup >= 0,"
                + " --non-iep-per-order >= 0");
    }

    /** Paths of the project's own test data. */
    static final class EngineHarnessPaths {
        static Path testdataIep() {
            Path dir = org.iepcharge.testkit.EngineHarness.projectDir().resolve("testdata/iep");
            assertThat(dir).isDirectory();
            assertThat(Files.exists(dir.resolve("README.md"))).as("the folder the README sends holds a README").isTrue();
            return dir;
        }
    }
}
