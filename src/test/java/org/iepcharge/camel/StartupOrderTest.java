package org.iepcharge.camel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;

import org.iepcharge.testkit.EngineHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;
import org.iepcharge.config.EngineSettings;

/**
 * Start-up runs the ledger's migration and the built-in billing receiver on threads of their own, beside camel-main's
 * preparation (docs/operating.md "Start-up"). Whatever overlaps, the LIS port must not accept a connection before the
 * ledger is migrated — a LIS that gets in must find the engine ready to commit — and billing's stand-in must be
 * listening by then. A client knocks on the LIS port from the moment {@code Engine.start} is called; the first time
 * it gets in, it reads the ledger file (read-only, beside the engine) and knocks on the billing port. The migration is
 * held up on purpose, so a listener opened before it ends would be caught.
 */
class StartupOrderTest {
    /** How long the ledger file stays locked after start-up begins (well inside SQLite's busy timeout of 10 s). */
    private static final long HOLD_MILLIS = 1_500;

    @TempDir
    Path dir;

    /** What the knocking client saw the first time the LIS port accepted it. */
    private record FirstAccept(Set<String> migratedVersions, boolean billingListening) {
    }

    @Test
    void theLisPortAcceptsOnlyOnceTheLedgerIsMigratedAndBillingListens() throws Exception {
        int lisPort = EngineHarness.freePort();
        int billingPort = EngineHarness.freePort();
        Path data = dir.resolve("data");
        Files.writeString(dir.resolve("none.properties"), "");
        Map<String, String> props = Map.of(
                "iep.dataDir", data.toString(),
                "iep.routes", EngineHarness.projectRoutes().toString(),
                "iep.inbound.host", "127.0.0.1",
                "iep.inbound.port", String.valueOf(lisPort),
                "iep.billing.mode", EngineSettings.MODE_LOCAL,
                "iep.billing.port", String.valueOf(billingPort),
                "iep.config", dir.resolve("none.properties").toString(),
                "iep.http.enabled", "false");
        EngineSettings settings = EngineSettings.resolve(props, Map.of());
        AtomicReference<FirstAccept> first = new AtomicReference<>();
        Thread knocker = new Thread(() -> {
            while (first.get() == null && !Thread.currentThread().isInterrupted()) {
                if (accepts(lisPort)) {
                    first.set(new FirstAccept(migratedVersions(data.resolve("ledger.db")), accepts(billingPort)));
                    return;
                }
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "lis-knocker");
        // The ledger's migration is held up by a write lock on its file, the way a slow disk or a large migration
        // would hold it: the LIS port must stay shut until the lock is gone and the migration done.
        Files.createDirectories(data);
        Connection blocker = java.sql.DriverManager.getConnection("jdbc:sqlite:" + data.resolve("ledger.db"));
        try (Statement st = blocker.createStatement()) {
            st.execute("BEGIN EXCLUSIVE");
        }
        Thread releaser = new Thread(() -> {
            try {
                Thread.sleep(HOLD_MILLIS);
                blocker.close(); // rolls the open transaction back, releasing the lock
            } catch (InterruptedException | SQLException e) {
                Thread.currentThread().interrupt();
            }
        }, "ledger-lock-releaser");
        knocker.start();
        releaser.start();
        try (Engine engine = Engine.start(settings)) {
            knocker.join(10_000);
            assertThat(first.get()).as("the LIS port accepted the knocking client").isNotNull();
            assertThat(first.get().migratedVersions()).as("ledger migrations applied when the LIS port first accepted")
                    .isNotEmpty().isEqualTo(shippedVersions());
            assertThat(first.get().billingListening()).as("billing's stand-in listening by then").isTrue();
        } finally {
            knocker.interrupt();
            releaser.join();
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The versions of the SQLite ledger's migration files (target/classes in a test run). */
    private static Set<String> shippedVersions() throws Exception {
        Set<String> versions = new TreeSet<>();
        for (String folder : new String[] {"db/vendor/sqlite", "db/migration"}) {
            Path path = Path.of(StartupOrderTest.class.getClassLoader().getResource(folder).toURI());
            try (var files = Files.list(path)) {
                files.map(f -> f.getFileName().toString()).filter(n -> n.matches("V\\d+__.*\\.sql"))
                        .forEach(n -> versions.add(n.substring(1, n.indexOf("__"))));
            }
        }
        return versions;
    }

    /** The versions Flyway recorded as applied; empty when there is no ledger file or no history table yet. */
    private static Set<String> migratedVersions(Path ledgerFile) {
        Set<String> versions = new TreeSet<>();
        if (!Files.exists(ledgerFile)) {
            return versions;
        }
        SQLiteConfig readOnly = new SQLiteConfig();
        readOnly.setReadOnly(true);
        try (Connection c = readOnly.createConnection("jdbc:sqlite:" + ledgerFile);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version FROM flyway_schema_history WHERE success = 1")) {
            while (rs.next()) {
                versions.add(rs.getString(1));
            }
        } catch (SQLException e) {
            // No history table yet: nothing migrated.
        }
        return versions;
    }
}
