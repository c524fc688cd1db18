package org.iepcharge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.iepcharge.testkit.EngineHarness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;


/**
 * A misspelt setting is refused at start-up — from a system property, an environment variable or the properties
 * file — naming the key, where it came from and the closest known key; names that are not ours are left alone.
 */
class UnknownSettingTest {
    @TempDir
    Path tmp;

    private Path config;
    private final Map<String, String> sys = new LinkedHashMap<>();
    private final Map<String, String> env = new LinkedHashMap<>();

    @BeforeEach
    void emptyConfig() throws Exception {
        config = Files.writeString(tmp.resolve("iep.properties"), "");
        sys.put("iep.config", config.toString());
        sys.put("iep.routes", Files.createDirectories(tmp.resolve("routes")).toString());
    }

    @Test
    void aMisspeltSystemPropertyIsRefusedWithTheClosestKey() {
        sys.put("iep.billing.tiemoutMillis", "5");
        assertThatThrownBy(() -> EngineSettings.resolve(sys, env))
                .isInstanceOf(SettingsException.class)
                .hasMessage("Unknown setting iep.billing.tiemoutMillis (system property -Diep.billing.tiemoutMillis):"
                        + " no such setting; did you mean iep.billing.timeoutMillis?");
    }

    @Test
    void aMisspeltEnvironmentVariableIsRefusedWithTheClosestVariableAndItsKey() {
        env.put("IEP_INBOUND_PROT", "2591");
        assertThatThrownBy(() -> EngineSettings.resolve(sys, env))
                .isInstanceOf(SettingsException.class)
                .hasMessage("Unknown setting IEP_INBOUND_PROT (environment variable): no such setting; did you mean"
                        + " IEP_INBOUND_PORT (iep.inbound.port)?");
    }

    @Test
    void aTypoInThePropertiesFileIsRefusedWithItsLine() throws Exception {
        Files.writeString(config, "# site settings\niep.inbound.port=2591\niep.dataDri=/var/iep\n");
        assertThatThrownBy(() -> EngineSettings.resolve(sys, env))
                .isInstanceOf(SettingsException.class)
                .hasMessage("Unknown setting iep.dataDri (properties file " + config + " line 3): no such setting;"
                        + " did you mean iep.dataDir?");
    }

    @Test
    void everyUnknownKeyIsListedAtOnce() throws Exception {
        sys.put("iep.inbound.maxframebytes", "2048");
        env.put("IEP_BILLING_HOTS", "billing");
        assertThatThrownBy(() -> EngineSettings.resolve(sys, env))
                .isInstanceOf(SettingsException.class)
                .hasMessageContaining("Unknown settings:")
                .hasMessageContaining("iep.inbound.maxframebytes (system property -Diep.inbound.maxframebytes): no such"
                        + " setting; did you mean iep.inbound.maxFrameBytes?")
                .hasMessageContaining("IEP_BILLING_HOTS (environment variable): no such setting; did you mean"
                        + " IEP_BILLING_HOST (iep.billing.host)?");
    }

    @Test
    void aJvmOnlyLedgerSettingIsKnownAsSystemPropertyButRefusedElsewhere() throws Exception {
        sys.put("iep.ledger.writers", "2");
        assertThat(EngineSettings.resolve(sys, env).inboundPort()).isEqualTo(2575);

        env.put("IEP_LEDGER_WRITERS", "2");
        assertThatThrownBy(() -> EngineSettings.resolve(sys, env))
                .isInstanceOf(SettingsException.class)
                .hasMessage("Unknown setting IEP_LEDGER_WRITERS (environment variable): iep.ledger.writers is read"
                        + " only as a JVM system property (-Diep.ledger.writers=…)");
    }

    @Test
    void namesThatAreNotOursAreLeftAlone() {
        env.put("IEP_CONFIG", config.toString());
        env.put("IEP_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/iep_test");
        env.put("IEP_TEST_PG_PASSWORD", "iep");
        env.put("PATH", "/usr/bin");
        sys.put("iep.test.projectDir", tmp.toString());
        sys.put("java.version", "17");
        sys.put("iepx.other", "1");

        assertThat(EngineSettings.resolve(sys, env).inboundPort()).isEqualTo(2575);
    }

    @Test
    void knownKeysDoNotDependOnTheValuesGiven() throws Exception {
        Set<String> known = EngineSettings.knownKeys();
        assertThat(known).contains("iep.inbound.port", "iep.billing.tls.password", "iep.inbound.tls.truststorePassword",
                "iep.ledger.writers", "iep.retention.periodMinutes");
        // Every known key given (TLS off, so its passwords are read but unused) is accepted as known.
        Map<String, String> all = new LinkedHashMap<>(sys);
        all.put("iep.billing.tls.password", "secret");
        all.put("iep.inbound.tls.truststorePassword", "secret");
        assertThat(EngineSettings.resolve(all, env).inboundTls().enabled()).isFalse();
    }

    /** The README's settings table and the engine agree: every key in one is in the other. */
    @Test
    void theReadmeDocumentsExactlyTheKnownKeys() throws Exception {
        String readme = Files.readString(EngineHarness.projectDir().resolve("README.md"));
        String table = readme.substring(readme.indexOf("| Setting | Default | Meaning |"));
        table = table.substring(0, table.indexOf("\n\n"));
        Set<String> documented = new TreeSet<>();
        Matcher m = Pattern.compile("`(iep\\.[A-Za-z0-9.]+)`").matcher(table);
        while (m.find()) {
            documented.add(m.group(1));
        }
        assertThat(documented).containsExactlyInAnyOrderElementsOf(EngineSettings.knownKeys());
    }
}
