package org.iepcharge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.iepcharge.camel.Engine;
import org.iepcharge.config.EngineSettings;
import org.iepcharge.ledger.JdbcLedger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code iep.node} is unique among the live nodes on one PostgreSQL ledger: {@code run} under a name another running
 * node holds stops in one line, exit 2, and starts once that node is gone. Runs where {@code IEP_TEST_PG_URL} is set.
 */
class NodeNameTest {
    @TempDir
    Path tmp;

    private final Map<String, String> saved = new HashMap<>();
    private String base;
    private String schema;

    @AfterEach
    void restore() throws Exception {
        saved.forEach((k, v) -> {
            if (v == null) {
                System.clearProperty(k);
            } else {
                System.setProperty(k, v);
            }
        });
        if (schema != null) {
            try (Connection c = DriverManager.getConnection(base, user(), password());
                 Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }

    private void set(String key, String value) {
        saved.putIfAbsent(key, System.getProperty(key));
        System.setProperty(key, value);
    }

    @TestFactory
    Stream<DynamicTest> onPostgres() {
        base = System.getenv("IEP_TEST_PG_URL");
        if ((base == null || base.isBlank()) && !Boolean.getBoolean("iep.test.requirePostgres")) {
            return Stream.empty();
        }
        return Stream.of(DynamicTest.dynamicTest("a second live node under the same iep.node is refused",
                        this::aSecondLiveNodeUnderTheSameNameIsRefused),
                DynamicTest.dynamicTest("the same iep.node on another ledger schema of the database is free",
                        this::theSameNameOnAnotherSchemaIsFree));
    }

    private void theSameNameOnAnotherSchemaIsFree() throws Exception {
        assertThat(base).as("IEP_TEST_PG_URL (iep.test.requirePostgres is set)").isNotBlank();
        schema = newSchema();
        String other = newSchema();
        try (JdbcLedger first = JdbcLedger.open(schemaUrl(schema), user(), password());
             JdbcLedger second = JdbcLedger.open(schemaUrl(other), user(), password());
             JdbcLedger firstAgain = JdbcLedger.open(schemaUrl(schema), user(), password())) {
            assertThat(first.holdNodeName("node1")).as("node1 on the first ledger").isTrue();
            assertThat(second.holdNodeName("node1")).as("node1 on a second ledger in another schema").isTrue();
            assertThat(firstAgain.holdNodeName("node1")).as("node1 again on the first ledger").isFalse();
        } finally {
            try (Connection c = DriverManager.getConnection(base, user(), password());
                 Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS " + other + " CASCADE");
            }
        }
    }

    private String newSchema() throws Exception {
        String name = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
        try (Connection c = DriverManager.getConnection(base, user(), password()); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + name);
        }
        return name;
    }

    private String schemaUrl(String name) {
        return base + (base.contains("?") ? "&" : "?") + "currentSchema=" + name;
    }

    private void aSecondLiveNodeUnderTheSameNameIsRefused() throws Exception {
        assertThat(base).as("IEP_TEST_PG_URL (iep.test.requirePostgres is set)").isNotBlank();
        schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
        try (Connection c = DriverManager.getConnection(base, user(), password()); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        }
        String url = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        set("iep.dataDir", tmp.resolve("data").toString());
        set("iep.ledger.url", url);
        set("iep.ledger.user", user());
        set("iep.ledger.password", password());
        set("iep.node", "lab-node-a");
        set("iep.inbound.host", "127.0.0.1");
        set("iep.inbound.port", "0");
        set("iep.billing.mode", "mllp");
        set("iep.billing.host", "127.0.0.1");
        set("iep.billing.port", "9");

        try (JdbcLedger live = JdbcLedger.open(url, user(), password())) {
            assertThat(live.holdNodeName("lab-node-a")).as("the live node's own claim").isTrue();

            CliRun r = CliRun.of("run");

            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err().strip()).isEqualTo("iep-charge-router: Setting iep.node = lab-node-a: another running"
                    + " node uses this name on the same ledger; give every node its own iep.node");
            assertThat(live.holdNodeName("lab-node-b")).as("another name is free").isTrue();
        }

        // The live node is gone (its session ended): the name can be taken, and is held while this engine runs.
        try (Engine engine = Engine.start(EngineSettings.fromEnvironment());
             JdbcLedger third = JdbcLedger.open(url, user(), password())) {
            assertThat(engine).isNotNull();
            assertThat(third.holdNodeName("lab-node-a")).as("while the engine runs").isFalse();
        }
    }

    private static String user() {
        String v = System.getenv("IEP_TEST_PG_USER");
        return v == null ? "iep" : v;
    }

    private static String password() {
        String v = System.getenv("IEP_TEST_PG_PASSWORD");
        return v == null ? "" : v;
    }
}
