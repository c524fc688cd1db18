package org.iepcharge.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.ErrorCode;
import org.iepcharge.billing.local.BillingReceiver;
import org.iepcharge.testkit.EngineHarness;
import org.iepcharge.testkit.EngineHarness.Row;
import org.iepcharge.testkit.LabMessages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;


/**
 * {@code outbox}, {@code outbox retry} and {@code outbox discard} against the ledger of a running engine: in this
 * JVM, and from a second JVM opening the same SQLite file (WAL) as an analyst's shell would.
 */
class OutboxCommandTest {
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    private EngineHarness engine;
    private final BillingReceiver billing = new BillingReceiver();
    private final Map<String, String> savedProperties = new HashMap<>();

    /** A running engine whose billing refused PL1 (parked) with two DFTs of PL1 waiting behind it. */
    @BeforeEach
    void engineWithAParkedDft() throws Exception {
        engine = EngineHarness.startWithOwnBilling(tmp.resolve("data"), Map.of());
        billing.start(engine.billingPort(), tmp.resolve("billing"), AcknowledgmentCode.AR);
        billing.setAnswer(AcknowledgmentCode.AR, ErrorCode.TABLE_VALUE_NOT_FOUND);
        engine.orderAndFinalResult("PL1");
        await().atMost(PATIENCE).until(() -> statuses("PL1").equals(List.of("PARKED")));
        billing.setAnswer(AcknowledgmentCode.AA);
        engine.lisSends(LabMessages.oru("PL1", "C", "20261119080000"));
        await().atMost(PATIENCE).until(() -> statuses("PL1").equals(List.of("PARKED", "PENDING", "PENDING")));
    }

    @AfterEach
    void stop() {
        billing.close();
        engine.close();
        savedProperties.forEach((k, v) -> {
            if (v == null) {
                System.clearProperty(k);
            } else {
                System.setProperty(k, v);
            }
        });
    }

    private List<String> statuses(String placer) throws Exception {
        return engine.outboxFor(placer).stream().map(Row::status).toList();
    }

    /** The engine's settings as system properties, as `outbox` reads them. */
    private void engineSettingsAsSystemProperties() {
        engine.properties().forEach((k, v) -> {
            remember(k);
            System.setProperty(k, v);
        });
    }

    /** Keeps a property's value from before the test (null = absent) once, to restore it afterwards. */
    private void remember(String key) {
        if (!savedProperties.containsKey(key)) {
            savedProperties.put(key, System.getProperty(key));
        }
    }

    private record Result(int exit, String out, String err) {
    }

    private Result outbox(String... args) {
        engineSettingsAsSystemProperties();
        List<String> all = new ArrayList<>(List.of("outbox"));
        all.addAll(List.of(args));
        CliRun run = CliRun.of(all.toArray(String[]::new));
        return new Result(run.exit(), run.out(), run.err());
    }

    @Test
    void listsPendingAndParkedWithoutPatientData() throws Exception {
        List<Row> rows = engine.outboxFor("PL1");

        Result r = outbox();

        assertThat(r.exit()).as(r.toString()).isZero();
        String[] lines = r.out().split("\n");
        assertThat(lines[0]).contains("ID", "MSH-10", "ORDER", "STATUS", "ATTEMPTS", "NEXT ATTEMPT", "LAST ERROR");
        assertThat(lines).hasSize(5);
        assertThat(lines[1]).startsWith(String.valueOf(rows.get(0).id())).contains(rows.get(0).controlId(),
                "P:PL1^LIS", "PARKED", " 1 ", "AR 103: Table value not found");
        assertThat(lines[2]).contains(rows.get(1).controlId(), "PENDING", " 0 ");
        assertThat(lines[2]).matches(".* \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d.*");
        assertThat(lines[3]).contains(rows.get(2).controlId(), "PENDING");
        assertThat(lines[4]).isEqualTo("2 pending, 1 parked");
        assertThat(r.out() + r.err()).doesNotContain("Doe", "MRN12345", "19580312", "Jane");
    }

    @Test
    void retryOfAParkedDftDeliversItThenTheOnesBehindIt() throws Exception {
        List<Row> rows = engine.outboxFor("PL1");

        Result r = outbox("retry", String.valueOf(rows.get(0).id()));

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("outbox " + rows.get(0).id() + " queued again");
        await().atMost(PATIENCE).until(() -> statuses("PL1").equals(List.of("DELIVERED", "DELIVERED",
                "DELIVERED")));
        List<String> got = billing.receivedControlIds();
        assertThat(got.subList(got.size() - 3, got.size())).containsExactlyElementsOf(
                rows.stream().map(Row::controlId).toList());
        assertThat(outbox().out()).endsWith("0 pending, 0 parked\n");

        Result again = outbox("retry", String.valueOf(rows.get(0).id()));
        assertThat(again.exit()).isEqualTo(OutboxCommand.EXIT_NOT_PARKED);
        assertThat(again.err()).contains("outbox ID " + rows.get(0).id() + " is not a parked DFT");
    }

    @Test
    void discardOfAParkedDftReleasesTheOnesBehindIt() throws Exception {
        List<Row> rows = engine.outboxFor("PL1");

        Result r = outbox("discard", String.valueOf(rows.get(0).id()), "--reason", "charged by hand in billing");

        assertThat(r.exit()).as(r.toString()).isZero();
        await().atMost(PATIENCE).until(() -> statuses("PL1").equals(List.of("DISCARDED", "DELIVERED",
                "DELIVERED")));
        assertThat(engine.outboxFor("PL1").get(0).lastError()).isEqualTo("discarded: charged by hand in billing");
        assertThat(billing.receivedControlIds()).containsOnlyOnce(rows.get(0).controlId());
    }

    @Test
    void anIdThatIsNotParkedIsRefusedWithAClearMessage() throws Exception {
        List<Row> rows = engine.outboxFor("PL1");
        String pending = String.valueOf(rows.get(1).id());

        Result retryPending = outbox("retry", pending);
        assertThat(retryPending.exit()).isEqualTo(OutboxCommand.EXIT_NOT_PARKED);
        assertThat(retryPending.err()).contains("outbox ID " + pending + " is not a parked DFT (it is PENDING)");

        Result discardUnknown = outbox("discard", "424242", "--reason", "typo");
        assertThat(discardUnknown.exit()).isEqualTo(OutboxCommand.EXIT_NOT_PARKED);
        assertThat(discardUnknown.err()).contains("outbox ID 424242 is not a parked DFT (no such undelivered DFT)");

        Result noReason = outbox("discard", String.valueOf(rows.get(0).id()));
        assertThat(noReason.exit()).isNotZero();
        assertThat(noReason.err()).contains("--reason");
        Result blankReason = outbox("discard", String.valueOf(rows.get(0).id()), "--reason", " ");
        assertThat(blankReason.exit()).isEqualTo(LedgerCommand.EXIT_UNUSABLE);

        // Nothing changed.
        assertThat(statuses("PL1")).containsExactly("PARKED", "PENDING", "PENDING");
    }

    @Test
    void aBadSettingIsNamedWithItsOrigin() {
        engineSettingsAsSystemProperties();
        remember("iep.ledger.url");
        System.setProperty("iep.ledger.url", "jdbc:mysql://nowhere/ledger");
        CliRun run = CliRun.of("outbox");
        int exit = run.exit();

        assertThat(exit).isEqualTo(LedgerCommand.EXIT_UNUSABLE);
        assertThat(run.err()).contains("iep.ledger.url",
                "system property iep.ledger.url", "is not a jdbc:sqlite: or jdbc:postgresql: URL");
    }

    @Test
    void aLedgerUrlAskingForAWeakerCommitIsRefusedNamingWhatItAsksFor() {
        engineSettingsAsSystemProperties();
        remember("iep.ledger.url");
        String weak = engine.ledgerUrl() + "?synchronous=OFF";
        System.setProperty("iep.ledger.url", weak);

        CliRun run = CliRun.of("outbox");

        assertThat(run.exit()).isEqualTo(LedgerCommand.EXIT_UNUSABLE);
        assertThat(run.err()).startsWith("error: Setting iep.ledger.url = '" + weak
                + "' (from system property iep.ledger.url) asks for synchronous=OFF, weaker than"
                + " iep.ledger.durability=process needs (NORMAL or stronger)").doesNotContain("\tat ");
    }

    @Test
    void worksFromAnotherJvmWhileTheEngineRuns() throws Exception {
        List<Row> rows = engine.outboxFor("PL1");

        Result list = otherJvm("outbox");
        assertThat(list.exit()).as(list.toString()).isZero();
        assertThat(list.out()).contains(rows.get(0).controlId(), "PARKED", "AR 103", "2 pending, 1 parked");

        Result retry = otherJvm("outbox", "retry", String.valueOf(rows.get(0).id()));
        assertThat(retry.exit()).as(retry.toString()).isZero();
        // The running engine sees the change and delivers all three.
        await().atMost(PATIENCE).until(() -> statuses("PL1").equals(List.of("DELIVERED", "DELIVERED",
                "DELIVERED")));
    }

    /**
     * The analyst's commands open the engine's SQLite file from another process while the engine keeps writing to
     * it: each one reads (and retry/prune write) while the LIS goes on being answered AA, and nothing the LIS sent
     * meanwhile is lost or left undelivered.
     */
    @Test
    void theLedgerCommandsShareTheSqliteFileWithTheEngineWhileItWrites() throws Exception {
        assertThat(engine.ledgerUrl()).startsWith("jdbc:sqlite:").endsWith("ledger.db");
        Path message = tmp.resolve("orm-pl1.hl7");
        Files.writeString(message, LabMessages.orm("PL1").replace('\r', '\n'), StandardCharsets.UTF_8);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger answered = new AtomicInteger();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        Thread lis = new Thread(() -> {
            try {
                for (int i = 0; !stop.get(); i++) {
                    engine.orderAndFinalResult("LOAD" + i);
                    answered.incrementAndGet();
                }
            } catch (Throwable e) {
                failures.add(e);
            }
        }, "lis-load");
        lis.start();
        try {
            await().atMost(PATIENCE).until(() -> answered.get() >= 2);
            int before = answered.get();

            Result holds = otherJvm("holds");
            assertThat(holds.exit()).as(holds.toString()).isZero();
            Result explain = otherJvm("explain", message.toString());
            assertThat(explain.exit()).as(explain.toString()).isZero();
            assertThat(explain.out()).contains("engine: received").doesNotContain("not in the engine's ledger");
            Result prune = otherJvm("prune");
            assertThat(prune.exit()).as(prune.toString()).isZero();
            assertThat(prune.out()).contains("finished order(s) deleted");
            Result list = otherJvm("outbox");
            assertThat(list.exit()).as(list.toString()).isZero();
            assertThat(list.out()).contains("PARKED");
            long parked = engine.outboxFor("PL1").get(0).id();
            Result retry = otherJvm("outbox", "retry", String.valueOf(parked));
            assertThat(retry.exit()).as(retry.toString()).isZero();

            // The engine went on answering while the commands had the file open.
            await().atMost(PATIENCE).until(() -> answered.get() >= before + 2);
        } finally {
            stop.set(true);
            lis.join(PATIENCE.toMillis());
        }
        assertThat(failures).as("LIS sends that were not accepted").isEmpty();
        int orders = answered.get();
        await().atMost(PATIENCE).until(() -> statuses("PL1").equals(List.of("DELIVERED", "DELIVERED", "DELIVERED")));
        // One DFT per order the LIS had answered, every one delivered.
        await().atMost(PATIENCE).until(() -> engine.outbox().stream().allMatch(r -> r.status().equals("DELIVERED")));
        List<String> loadOrders = engine.outbox().stream().map(Row::orderKey).filter(k -> k.startsWith("P:LOAD"))
                .toList();
        assertThat(loadOrders).doesNotHaveDuplicates().hasSize(orders);
    }

    /** Runs the command line in a second JVM with the engine's settings as -D options. */
    private Result otherJvm(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path")));
        engine.properties().forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add(IepCommand.class.getName());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread o = new Thread(() -> copy(p.getInputStream(), out));
        Thread e = new Thread(() -> copy(p.getErrorStream(), err));
        o.start();
        e.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("outbox in a second JVM did not finish");
        }
        o.join();
        e.join();
        return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void copy(java.io.InputStream in, ByteArrayOutputStream out) {
        try (in) {
            in.transferTo(out);
        } catch (java.io.IOException ignored) {
            // The process ended.
        }
    }
}
