package org.iepcharge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.iepcharge.testkit.TestPki;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;


/** TLS and retention settings are checked at start-up and a bad one is named, with where its value came from. */
class TlsRetentionSettingsTest {
    @TempDir
    Path tmp;

    private TestPki pki;
    private Path server;
    private Path trust;
    private final Map<String, String> sys = new HashMap<>();

    @BeforeEach
    void setUp() throws Exception {
        pki = TestPki.create(tmp.resolve("pki"), "Settings CA");
        server = pki.issue("iep-router", "localhost");
        trust = pki.trustStore();
        sys.put("iep.config", Files.writeString(tmp.resolve("empty.properties"), "").toString());
        sys.put("iep.dataDir", tmp.resolve("data").toString());
    }

    private EngineSettings resolve() {
        return EngineSettings.resolve(sys, Map.of());
    }

    private void inboundTls() {
        sys.put("iep.inbound.tls.enabled", "true");
        sys.put("iep.inbound.tls.keystore", server.toString());
        sys.put("iep.inbound.tls.password", TestPki.PASSWORD);
    }

    @Test
    void tlsIsOffByDefaultAndPlaceholdersSaySo() {
        EngineSettings s = resolve();
        assertThat(s.inboundTls().enabled()).isFalse();
        assertThat(s.billingTls().enabled()).isFalse();
        assertThat(s.placeholders()).containsEntry("iep.inbound.tls.enabled", "false")
                .containsEntry("iep.billing.tls.enabled", "false")
                .containsEntry("iep.inbound.tls.needClientAuth", "false");
    }

    @Test
    void aValidListenerConfigurationIsAcceptedAndItsPasswordsStayOutOfPlaceholdersAndText() {
        inboundTls();
        sys.put("iep.inbound.tls.clientAuth", "REQUIRE");
        sys.put("iep.inbound.tls.truststore", trust.toString());
        sys.put("iep.inbound.tls.truststorePassword", TestPki.PASSWORD);
        EngineSettings s = resolve();
        assertThat(s.inboundTls().requireClientCert()).isTrue();
        assertThat(s.placeholders()).containsEntry("iep.inbound.tls.needClientAuth", "true");
        assertThat(s.placeholders().values()).noneMatch(v -> v.toString().contains(TestPki.PASSWORD));
        assertThat(s.inboundTls().toString()).doesNotContain(TestPki.PASSWORD);
    }

    @Test
    void aWrongPasswordIsNamed() {
        inboundTls();
        sys.put("iep.inbound.tls.password", "wrong");
        assertThatThrownBy(this::resolve).isInstanceOf(SettingsException.class)
                .hasMessageContaining("iep.inbound.tls.keystore").hasMessageContaining("iep.inbound.tls.password")
                .hasMessageNotContaining("wrong'");
    }

    @Test
    void aMissingKeyStoreIsNamed() {
        inboundTls();
        sys.put("iep.inbound.tls.keystore", tmp.resolve("nope.p12").toString());
        assertThatThrownBy(this::resolve).hasMessageContaining("iep.inbound.tls.keystore")
                .hasMessageContaining("no readable file");
        sys.remove("iep.inbound.tls.keystore");
        assertThatThrownBy(this::resolve).hasMessageContaining("iep.inbound.tls.keystore = its default is required")
                .hasMessageContaining("required");
    }

    @Test
    void aTrustStoreIsNotAKeyStore() {
        inboundTls();
        sys.put("iep.inbound.tls.keystore", trust.toString());
        assertThatThrownBy(this::resolve).hasMessageContaining("holds no private key");
    }

    @Test
    void clientAuthRequireNeedsATrustStore() {
        inboundTls();
        sys.put("iep.inbound.tls.clientAuth", "REQUIRE");
        assertThatThrownBy(this::resolve).hasMessageContaining("iep.inbound.tls.truststore")
                .hasMessageContaining("REQUIRE");
        sys.put("iep.inbound.tls.clientAuth", "SOMETIMES");
        assertThatThrownBy(this::resolve).hasMessageContaining("iep.inbound.tls.clientAuth")
                .hasMessageContaining("none, require");
    }

    @Test
    void storesWithoutEnabledAreRefusedRatherThanSilentlyIgnored() {
        sys.put("iep.inbound.tls.keystore", server.toString());
        assertThatThrownBy(this::resolve).hasMessageContaining("iep.inbound.tls.keystore")
                .hasMessageContaining("iep.inbound.tls.enabled is not true");
        sys.remove("iep.inbound.tls.keystore");
        sys.put("iep.billing.tls.truststore", trust.toString());
        assertThatThrownBy(this::resolve).hasMessageContaining("iep.billing.tls.truststore");
    }

    @Test
    void billingTlsNeedsTheMllpModeAndChecksItsStores() {
        sys.put("iep.billing.tls.enabled", "true");
        assertThatThrownBy(this::resolve).hasMessageContaining("iep.billing.tls.enabled")
                .hasMessageContaining("iep.billing.mode=mllp");
        sys.put("iep.billing.mode", "mllp");
        assertThat(resolve().billingTls().enabled()).isTrue(); // the JVM's CAs
        sys.put("iep.billing.tls.truststore", trust.toString());
        sys.put("iep.billing.tls.truststorePassword", "bad");
        assertThatThrownBy(this::resolve).hasMessageContaining("iep.billing.tls.truststorePassword");
        sys.put("iep.billing.tls.truststorePassword", TestPki.PASSWORD);
        sys.put("iep.billing.tls.enabled", "yes");
        assertThatThrownBy(this::resolve).hasMessageContaining("iep.billing.tls.enabled")
                .hasMessageContaining("true or false");
    }

    @Test
    void retentionDefaultsAndBounds() {
        EngineSettings s = resolve();
        assertThat(s.retentionRawDays()).isEqualTo(30);
        assertThat(s.retentionCorrectionDays()).isEqualTo(396);
        assertThat(s.retentionPeriodMinutes()).isEqualTo(1440);
        assertThat(s.placeholders()).containsEntry("iep.retention.periodMillis", "86400000");
        sys.put("iep.retention.rawDays", "400");
        assertThatThrownBy(this::resolve).hasMessageContaining("iep.retention.correctionDays")
                .hasMessageContaining("less than iep.retention.rawDays");
        sys.put("iep.retention.rawDays", "0");
        assertThatThrownBy(this::resolve).hasMessageContaining("iep.retention.rawDays");
    }
}
