package org.iepcharge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.stream.Stream;

import org.iepcharge.cli.IepCommand;
import org.iepcharge.ledger.Durability;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every setting: read from each source with the precedence system property > environment variable > properties file
 * > default, and a bad value stopping start-up with a message that names the setting and where the value came from.
 */
class EngineSettingsTest {
    @TempDir
    Path tmp;

    private Path routes;
    private Path rules;
    private Path config;

    @BeforeEach
    void files() throws Exception {
        routes = Files.createDirectories(tmp.resolve("routes"));
        rules = Files.writeString(tmp.resolve("rules.yaml"), "# rules\n");
        config = tmp.resolve("iep.properties");
        Files.writeString(config, "");
    }

    /** The three sources, as the environment variable, system property and properties file of one resolve call. */
    private final class Sources {
        final Map<String, String> sys = new HashMap<>();
        final Map<String, String> env = new HashMap<>();
        final Properties file = new Properties();

        Sources() {
            sys.put("iep.config", config.toString());
        }

        Sources sys(String key, String value) {
            sys.put(key, value);
            return this;
        }

        Sources env(String key, String value) {
            env.put(SettingSource.environmentName(key), value);
            return this;
        }

        Sources file(String key, String value) {
            file.setProperty(key, value);
            return this;
        }

        EngineSettings resolve() throws Exception {
            try (var out = Files.newOutputStream(config)) {
                file.store(out, null);
            }
            Map<String, String> withRoutes = new HashMap<>(sys);
            // A routes folder must exist; unless a test is about iep.routes, it comes from the lowest source.
            if (!withRoutes.containsKey("iep.routes") && !env.containsKey("IEP_ROUTES")
                    && file.getProperty("iep.routes") == null) {
                file.setProperty("iep.routes", routes.toString());
                try (var out = Files.newOutputStream(config)) {
                    file.store(out, null);
                }
            }
            return EngineSettings.resolve(withRoutes, env);
        }
    }

    private enum Source { SYSTEM_PROPERTY, ENVIRONMENT, FILE }

    private Sources only(Source source, String key, String value) {
        Sources s = new Sources();
        return switch (source) {
            case SYSTEM_PROPERTY -> s.sys(key, value);
            case ENVIRONMENT -> s.env(key, value);
            case FILE -> s.file(key, value);
        };
    }

    private String origin(Source source, String key) {
        return switch (source) {
            case SYSTEM_PROPERTY -> "system property " + key;
            case ENVIRONMENT -> "environment variable " + SettingSource.environmentName(key);
            case FILE -> "properties file " + config;
        };
    }

    // ---- one row per setting: a good value from each source, its default, and bad values ----------------------

    static Stream<Arguments> settings() {
        return Stream.of(
                setting("iep.inbound.host", "127.0.0.1", "0.0.0.0", EngineSettings::inboundHost, ""),
                setting("iep.inbound.port", "3575", 2575, EngineSettings::inboundPort, "abc", "-1", "65536"),
                setting("iep.inbound.charset", "ISO-8859-1", StandardCharsets.UTF_8,
                        s -> s.inboundCharset(), "NOT-A-CHARSET", "utf 8"),
                setting("iep.inbound.maxFrameBytes", "65536", 1_048_576, EngineSettings::maxFrameBytes, "1023",
                        "67108865", "1MB"),
                setting("iep.inbound.idleTimeoutSeconds", "60", 300, EngineSettings::idleTimeoutSeconds, "0",
                        "86401", "ten"),
                setting("iep.inbound.maxConnections", "8", 64, EngineSettings::maxConnections, "0", "10001", "x"),
                setting("iep.billing.mode", "mllp", "local", EngineSettings::billingMode, "http", ""),
                setting("iep.billing.host", "billing.example.test", "127.0.0.1", EngineSettings::billingHost, ""),
                setting("iep.billing.port", "6661", 2576, EngineSettings::billingPort, "0", "70000", "port"),
                setting("iep.billing.timeoutMillis", "2500", 15_000, EngineSettings::billingTimeoutMillis, "99",
                        "600001", "1s"),
                setting("iep.billing.pollMillis", "250", 100L, EngineSettings::billingPollMillis, "9", "60001", ""),
                setting("iep.billing.connections", "4", 1, EngineSettings::billingConnections, "0", "33", "four"),
                setting("iep.billing.retryFirstMillis", "250", 1_000, EngineSettings::billingRetryFirstMillis, "9",
                        "3600001", "soon"),
                setting("iep.billing.retryMaxMillis", "120000", 60_000, EngineSettings::billingRetryMaxMillis, "9",
                        "86400001", "later", "999"),
                setting("iep.ledger.url", "jdbc:postgresql://db.example.test/iep", null,
                        EngineSettings::ledgerUrl, "jdbc:mysql://db/iep", "ledger.db", ""),
                setting("iep.ledger.durability", "power", Durability.PROCESS, EngineSettings::ledgerDurability,
                        "fsync", "", "normal"),
                setting("iep.ledger.user", "iep", "", EngineSettings::ledgerUser),
                setting("iep.ledger.password", "s3cret", "", EngineSettings::ledgerPassword),
                setting("iep.application", "IEPCR", "IEP_CHARGE_ROUTER", EngineSettings::application, "IEP|CR",
                        "IEP^CR", ""),
                setting("iep.facility", "MAINLAB", "LAB", EngineSettings::facility, "MAIN&LAB", "A~B"),
                setting("iep.billing.application", "EPIC", "BILLING", EngineSettings::billingApplication, "E\\P"),
                setting("iep.billing.facility", "HOSP", "BILLING", EngineSettings::billingFacility, "H|OSP", ""),
                setting("iep.node", "node-7", null, EngineSettings::nodeName, "", "n".repeat(101)));
    }

    private static Arguments setting(String key, String good, Object defaultValue,
                                     Function<EngineSettings, Object> read, String... bad) {
        return Arguments.of(key, good, defaultValue, read, bad);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("settings")
    void eachSettingIsReadFromEverySourceAndFallsBackToItsDefault(String key, String good, Object defaultValue,
                                                                   Function<EngineSettings, Object> read,
                                                                   String[] bad) throws Exception {
        for (Source source : Source.values()) {
            Object value = read.apply(only(source, key, good).resolve());
            assertThat(String.valueOf(value)).as("%s from %s", key, source).isEqualToIgnoringCase(good);
        }
        // Surrounding blanks are not part of the value.
        assertThat(String.valueOf(read.apply(new Sources().sys(key, " " + good + " ").resolve())))
                .isEqualToIgnoringCase(good);
        if (defaultValue != null) {
            assertThat(read.apply(new Sources().resolve())).as("%s default", key).isEqualTo(defaultValue);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("settings")
    void aBadValueStopsStartUpNamingTheSettingAndItsOrigin(String key, String good, Object defaultValue,
                                                          Function<EngineSettings, Object> read, String[] bad) {
        for (String value : bad) {
            for (Source source : Source.values()) {
                assertThatThrownBy(() -> only(source, key, value).resolve())
                        .as("%s = '%s' from %s", key, value, source)
                        .isInstanceOf(SettingsException.class)
                        .hasMessageStartingWith("Setting " + key + " = '" + value.strip() + "' (from "
                                + origin(source, key) + ")");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("settings")
    void systemPropertyBeatsEnvironmentBeatsFileBeatsDefault(String key, String good, Object defaultValue,
                                                            Function<EngineSettings, Object> read, String[] bad)
            throws Exception {
        // Where the setting has bad values, the losing sources hold one: if they were read, resolve would fail.
        String loser = bad.length > 0 ? bad[0] : "loser";
        assertThat(String.valueOf(read.apply(new Sources().sys(key, good).env(key, loser).file(key, loser)
                .resolve()))).isEqualToIgnoringCase(good);
        assertThat(String.valueOf(read.apply(new Sources().env(key, good).file(key, loser).resolve())))
                .isEqualToIgnoringCase(good);
        assertThat(String.valueOf(read.apply(new Sources().file(key, good).resolve()))).isEqualToIgnoringCase(good);
    }

    // ---- settings with their own checks ----------------------------------------------------------------------

    @Test
    void rulesMustNameAReadableFile() throws Exception {
        assertThat(new Sources().resolve().rules()).as("empty = shipped rules").isNull();
        for (Source source : Source.values()) {
            assertThat(only(source, "iep.rules", rules.toString()).resolve().rules()).isEqualTo(rules);
            assertThatThrownBy(() -> only(source, "iep.rules", tmp.resolve("missing.yaml").toString()).resolve())
                    .hasMessage("Setting iep.rules = '" + tmp.resolve("missing.yaml") + "' (from "
                            + origin(source, "iep.rules") + ") names no readable file");
        }
        Path other = Files.writeString(tmp.resolve("other.yaml"), "#\n");
        assertThat(new Sources().sys("iep.rules", rules.toString()).env("iep.rules", other.toString())
                .file("iep.rules", other.toString()).resolve().rules()).isEqualTo(rules);
        assertThat(new Sources().env("iep.rules", other.toString()).file("iep.rules", rules.toString()).resolve()
                .rules()).isEqualTo(other);
    }

    @Test
    void routesMustBeAFolder() throws Exception {
        Path other = Files.createDirectories(tmp.resolve("other-routes"));
        for (Source source : Source.values()) {
            assertThat(only(source, "iep.routes", other.toString()).resolve().routes()).isEqualTo(other);
            // Only the engine needs routes (the ledger commands do not): the check is made at engine start.
            EngineSettings notAFolder = only(source, "iep.routes", rules.toString()).resolve();
            assertThatThrownBy(notAFolder::requireRoutes)
                    .hasMessageStartingWith("Setting iep.routes = '" + rules + "' is not a folder");
        }
        assertThat(new Sources().sys("iep.routes", other.toString()).env("iep.routes", "nowhere")
                .file("iep.routes", "nowhere").resolve().routes()).isEqualTo(other);
        assertThat(new Sources().env("iep.routes", other.toString()).file("iep.routes", "nowhere").resolve()
                .routes()).isEqualTo(other);
    }

    @Test
    void routesDefaultIsTheRoutesFolderOfTheWorkingDirectory() {
        // The default ("routes") is relative to the working directory: a clear error when it is not there.
        Map<String, String> sys = Map.of("iep.config", config.toString());
        if (Files.isDirectory(Path.of("routes"))) {
            assertThat(EngineSettings.resolve(sys, Map.of()).routes()).isEqualTo(Path.of("routes"));
        } else {
            assertThatThrownBy(() -> EngineSettings.resolve(sys, Map.of()))
                    .hasMessage("Setting iep.routes = its default is not a folder (it must hold the *.camel.yaml"
                            + " route files)");
        }
    }

    @Test
    void dataDirIsAFolderAndPlacesTheDefaultLedger() throws Exception {
        Path data = tmp.resolve("data");
        for (Source source : Source.values()) {
            EngineSettings s = only(source, "iep.dataDir", data.toString()).resolve();
            assertThat(s.dataDir()).isEqualTo(data);
            assertThat(s.ledgerUrl()).isEqualTo("jdbc:sqlite:" + data.toAbsolutePath().resolve("ledger.db"));
            assertThat(s.ledgerUser()).isEmpty();
            assertThatThrownBy(() -> only(source, "iep.dataDir", rules.toString()).resolve())
                    .hasMessage("Setting iep.dataDir = '" + rules + "' (from " + origin(source, "iep.dataDir")
                            + ") is a file, not a folder");
        }
        assertThat(new Sources().resolve().dataDir()).isEqualTo(Path.of("data"));
        assertThat(new Sources().sys("iep.dataDir", data.toString()).env("iep.dataDir", "x").file("iep.dataDir",
                "y").resolve().dataDir()).isEqualTo(data);
    }

    @Test
    void aLedgerUrlAskingForAWeakerCommitIsRefusedNamingWhatItAsksFor() throws Exception {
        String file = "jdbc:sqlite:" + tmp.resolve("l.db");
        Map<String, String> refused = new LinkedHashMap<>();
        refused.put(file + "?synchronous=OFF", "asks for synchronous=OFF, weaker than iep.ledger.durability=process"
                + " needs (NORMAL or stronger)");
        refused.put(file + "?cache_size=100&synchronous=0", "asks for synchronous=0");
        refused.put(file + "?journal_mode=MEMORY", "asks for journal_mode=MEMORY; the ledger needs WAL");
        refused.put(file + "?journal_mode=OFF", "asks for journal_mode=OFF");
        refused.put(file + "?locking_mode=EXCLUSIVE", "asks for locking_mode=EXCLUSIVE");
        refused.put("jdbc:sqlite::memory:", "names no database file");
        refused.put("jdbc:sqlite:", "names no database file");
        refused.put("jdbc:postgresql://db/iep?options=-c%20synchronous_commit%3Doff",
                "asks for synchronous_commit=off");
        refused.put("jdbc:postgresql://db/iep?options=-c synchronous_commit=false", "asks for synchronous_commit=false");
        for (Map.Entry<String, String> e : refused.entrySet()) {
            assertThatThrownBy(() -> new Sources().sys("iep.ledger.url", e.getKey()).resolve())
                    .isInstanceOf(SettingsException.class)
                    .hasMessageStartingWith("Setting iep.ledger.url = '" + e.getKey() + "' (from system property"
                            + " iep.ledger.url) ")
                    .hasMessageContaining(e.getValue());
        }
        // NORMAL is enough for process but not for power.
        assertThat(new Sources().sys("iep.ledger.url", file + "?synchronous=NORMAL").resolve().ledgerUrl())
                .endsWith("?synchronous=NORMAL");
        assertThatThrownBy(() -> new Sources().sys("iep.ledger.url", file + "?synchronous=NORMAL")
                .sys("iep.ledger.durability", "power").resolve())
                .hasMessageContaining("asks for synchronous=NORMAL, weaker than iep.ledger.durability=power needs"
                        + " (FULL or stronger)");
        // Asking for more than needed, or for nothing, is fine.
        assertThat(new Sources().sys("iep.ledger.url", file + "?synchronous=EXTRA&journal_mode=wal")
                .sys("iep.ledger.durability", "power").resolve().ledgerDurability()).isEqualTo(Durability.POWER);
        assertThat(new Sources().sys("iep.ledger.url", "jdbc:postgresql://db/iep?options=-c%20synchronous_commit%3Dlocal")
                .resolve().ledgerUrl()).startsWith("jdbc:postgresql:");
    }

    @Test
    void aPostgresqlLedgerHasNoDefaultUser() throws Exception {
        assertThat(new Sources().sys("iep.ledger.url", "jdbc:postgresql://db/iep").resolve().ledgerUser())
                .isEmpty();
    }

    @Test
    void retryMaxMayNotBeBelowRetryFirst() {
        assertThatThrownBy(() -> new Sources().sys("iep.billing.retryFirstMillis", "5000")
                .env("iep.billing.retryMaxMillis", "1000").resolve())
                .hasMessage("Setting iep.billing.retryMaxMillis = '1000' (from environment variable"
                        + " IEP_BILLING_RETRY_MAX_MILLIS) is less than iep.billing.retryFirstMillis (5000)");
    }

    @Test
    void modeIsCaseInsensitive() throws Exception {
        assertThat(new Sources().env("iep.billing.mode", "MLLP").resolve().billingMode()).isEqualTo("mllp");
    }

    @Test
    void environmentNamesFollowTheKeys() {
        assertThat(SettingSource.environmentName("iep.inbound.port")).isEqualTo("IEP_INBOUND_PORT");
        assertThat(SettingSource.environmentName("iep.inbound.maxFrameBytes")).isEqualTo("IEP_INBOUND_MAX_FRAME_BYTES");
        assertThat(SettingSource.environmentName("iep.billing.retryFirstMillis"))
                .isEqualTo("IEP_BILLING_RETRY_FIRST_MILLIS");
        assertThat(SettingSource.environmentName("iep.ledger.url")).isEqualTo("IEP_LEDGER_URL");
    }

    @Test
    void theConfigFileIsChosenBySystemPropertyOrEnvironmentAndMustExist() throws Exception {
        Path other = Files.writeString(tmp.resolve("other.properties"), "iep.inbound.port=4444\niep.routes="
                + routes.toString().replace("\\", "\\\\") + "\n");
        assertThat(EngineSettings.resolve(Map.of(), Map.of("IEP_CONFIG", other.toString())).inboundPort())
                .isEqualTo(4444);
        assertThat(EngineSettings.resolve(Map.of("iep.config", other.toString()), Map.of("IEP_CONFIG", "missing"))
                .inboundPort()).isEqualTo(4444);
        assertThatThrownBy(() -> EngineSettings.resolve(Map.of("iep.config", tmp.resolve("nope.properties")
                .toString()), Map.of()))
                .isInstanceOf(SettingsException.class)
                .hasMessage("Setting iep.config: properties file " + tmp.resolve("nope.properties")
                        + " does not exist");
    }

    @Test
    void theEngineDoesNotStartWithABadSettingAndSaysWhich() {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        String before = System.getProperty("iep.inbound.port");
        String beforeConfig = System.getProperty("iep.config");
        int exit;
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            System.setProperty("iep.config", config.toString());
            System.setProperty("iep.inbound.port", "twenty");
            exit = IepCommand.execute("run");
        } finally {
            System.setErr(err);
            restore("iep.inbound.port", before);
            restore("iep.config", beforeConfig);
        }
        assertThat(exit).isEqualTo(2);
        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("iep-charge-router: Setting iep.inbound.port"
                + " = 'twenty' (from system property iep.inbound.port) is not a TCP port (0–65535)");
    }

    @Test
    void singleSenderDeliversOverOneConnectionOnly() throws Exception {
        String three = "node1@127.0.0.1:7801, node2@127.0.0.1:7802,node3@127.0.0.1:7803";
        Sources sources = new Sources().sys("iep.node", "node2").sys("iep.billing.mode", "mllp")
                .sys("iep.billing.singleSender", "true").sys("iep.billing.raftMembers", three)
                .sys("iep.billing.connections", "2");
        assertThatThrownBy(sources::resolve).isInstanceOf(SettingsException.class)
                .hasMessageStartingWith("Setting iep.billing.connections = '2' (from system property"
                        + " iep.billing.connections) must be 1 with iep.billing.singleSender=true");
        assertThat(new Sources().sys("iep.billing.connections", "2").resolve().billingConnections())
                .as("without single sender").isEqualTo(2);
    }

    @Test
    void singleSenderNeedsAtLeastThreeRaftMembersThisNodeAmongThemAndRealBilling() throws Exception {
        String three = "node1@127.0.0.1:7801, node2@127.0.0.1:7802,node3@127.0.0.1:7803";
        EngineSettings on = new Sources().sys("iep.node", "node2").sys("iep.billing.mode", "mllp")
                .sys("iep.billing.singleSender", "true").sys("iep.billing.raftMembers", three).resolve();
        assertThat(on.singleSender().enabled()).isTrue();
        assertThat(on.singleSender().self()).isEqualTo(new SingleSender.Member("node2", "127.0.0.1", 7802));
        assertThat(on.singleSender().members()).extracting(SingleSender.Member::name)
                .containsExactly("node1", "node2", "node3");
        assertThat(on.singleSender().logDir()).isEqualTo(on.dataDir().resolve("raft"));
        assertThat(new Sources().resolve().singleSender().enabled()).as("default").isFalse();

        assertThatThrownBy(() -> new Sources().sys("iep.node", "node1").sys("iep.billing.mode", "mllp")
                .sys("iep.billing.singleSender", "true")
                .sys("iep.billing.raftMembers", "node1@127.0.0.1:7801,node2@127.0.0.1:7802").resolve())
                .hasMessageContaining("Setting iep.billing.raftMembers = 'node1@127.0.0.1:7801,node2@127.0.0.1:7802'"
                        + " (from system property iep.billing.raftMembers) lists 2 member(s); a leader needs a"
                        + " majority of the members up");
        assertThatThrownBy(() -> new Sources().sys("iep.node", "node4").sys("iep.billing.mode", "mllp")
                .sys("iep.billing.singleSender", "true").sys("iep.billing.raftMembers", three).resolve())
                .hasMessageEndingWith("does not list this node's iep.node (node4)");
        assertThatThrownBy(() -> new Sources().sys("iep.node", "node1").sys("iep.billing.mode", "mllp")
                .sys("iep.billing.singleSender", "true").resolve())
                .hasMessageContaining("iep.billing.raftMembers = its default is required with"
                        + " iep.billing.singleSender=true");
        assertThatThrownBy(() -> new Sources().sys("iep.node", "node1").sys("iep.billing.mode", "mllp")
                .sys("iep.billing.raftMembers", three).resolve())
                .hasMessageContaining("is set but iep.billing.singleSender is not true");
        assertThatThrownBy(() -> new Sources().sys("iep.node", "node1").sys("iep.billing.singleSender", "true")
                .sys("iep.billing.raftMembers", three).resolve())
                .hasMessageContaining("iep.billing.singleSender = 'true' (from system property"
                        + " iep.billing.singleSender) needs iep.billing.mode=mllp");
        assertThatThrownBy(() -> new Sources().sys("iep.node", "node1").sys("iep.billing.mode", "mllp")
                .sys("iep.billing.singleSender", "true")
                .sys("iep.billing.raftMembers", "node1@127.0.0.1:7801,node1@127.0.0.1:7802,node3@h:7803").resolve())
                .hasMessageEndingWith("names node1 twice");
        assertThatThrownBy(() -> new Sources().sys("iep.node", "node1").sys("iep.billing.mode", "mllp")
                .sys("iep.billing.singleSender", "true")
                .sys("iep.billing.raftMembers", "node1@127.0.0.1:7801,node2:7802,node3@h:7803").resolve())
                .hasMessageContaining("has 'node2:7802', not name@host:port");
        assertThatThrownBy(() -> new Sources().sys("iep.node", "node1").sys("iep.billing.mode", "mllp")
                .sys("iep.billing.singleSender", "true")
                .sys("iep.billing.raftMembers", "node1@h:7801,node2@h:0,node3@h:7803").resolve())
                .hasMessageContaining("has 'node2@h:0', whose port is not a TCP port");
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }
}
