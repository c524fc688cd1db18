package org.iepcharge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.ErrorCode;
import org.iepcharge.billing.local.BillingReceiver;
import org.iepcharge.testkit.EngineHarness;
import org.iepcharge.testkit.EngineHarness.Ack;
import org.iepcharge.testkit.EngineHarness.Connection;
import org.iepcharge.testkit.EngineHarness.Row;
import org.iepcharge.testkit.LabMessages;
import org.iepcharge.testkit.TestPki;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;




/**
 * TLS on both connections, over real loopback sockets, with certificates made at test time by {@link TestPki}: the
 * project's own route files, only settings change. LIS side: the camel-netty listener with {@code ssl} and the
 * {@code lisSsl} bean. Billing side: the camel-netty producer with {@code hostnameVerification} (camel-mllp 4.17.0
 * cannot verify the host name), to a {@link BillingReceiver} listening with TLS.
 */
class TlsTransportTest {
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final Duration ACK_WAIT = Duration.ofSeconds(10);

    @TempDir
    Path tmp;

    private TestPki pki;
    private Path trust;
    private EngineHarness engine;
    private final BillingReceiver billing = new BillingReceiver();

    @BeforeEach
    void pki() throws Exception {
        pki = TestPki.create(tmp.resolve("pki"), "IEP Test CA");
        trust = pki.trustStore();
    }

    @AfterEach
    void stop() {
        billing.close();
        if (engine != null) {
            engine.close();
        }
    }

    private EngineHarness engine(String... settings) throws Exception {
        Map<String, String> extra = new HashMap<>();
        for (int i = 0; i < settings.length; i += 2) {
            extra.put(settings[i], settings[i + 1]);
        }
        engine = EngineHarness.startWithOwnBilling(tmp.resolve("data"), extra);
        return engine;
    }

    private int lisPort() {
        return engine.engine().settings().inboundPort();
    }

    private static byte[] orm(String placer) {
        return LabMessages.orm(placer).replace('\n', '\r').getBytes(StandardCharsets.UTF_8);
    }

    /** A TLS client socket to the LIS listener that checks the listener's certificate and host name. */
    private Connection tlsClient(SSLContext context) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                lisPort());
        SSLParameters p = socket.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(p);
        socket.startHandshake();
        return new Connection(socket);
    }

    /** The answer to one message on a fresh TLS connection; empty when the listener refused or did not answer. */
    private Optional<Ack> answerOver(SSLContext context, byte[] message) {
        try (Connection c = tlsClient(context)) {
            c.write(message);
            return c.read(Duration.ofSeconds(5));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private Optional<org.iepcharge.domain.Outcome> stored(byte[] message) {
        String hash = EngineHarness.sha256(message);
        return engine.engine().ledger().read(s -> s.inbound().outcomeByContent(hash));
    }

    private List<Row> rows(String placer) {
        try {
            return engine.outboxFor(placer);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void eventually(Runnable assertion) {
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(50)).untilAsserted(assertion::run);
    }

    // ---- LIS listener ---------------------------------------------------------------------------------------------

    @Test
    void theLisListenerAnswersOverTlsAndNotInPlainText() throws Exception {
        Path server = pki.issue("iep-router", "localhost", "127.0.0.1");
        engine("iep.inbound.tls.enabled", "true",
                "iep.inbound.tls.keystore", server.toString(),
                "iep.inbound.tls.password", TestPki.PASSWORD);

        try (Connection c = tlsClient(TestPki.context(null, trust))) {
            Ack ack = c.exchange(orm("TLSL1"), ACK_WAIT);
            assertThat(ack.msa1()).isEqualTo("AA");
            assertThat(ack.msa2()).isEqualTo("ORM-TLSL1");
            // The same connection keeps working (MLLP inside one TLS session).
            assertThat(c.exchange(orm("TLSL2"), ACK_WAIT).msa1()).isEqualTo("AA");
        }

        // A plain-TCP sender gets no HL7 answer, and nothing it sent reaches the ledger.
        byte[] plain = orm("PLAIN1");
        try (Connection c = new Connection(new Socket(InetAddress.getLoopbackAddress(), lisPort()))) {
            c.write(plain);
            Optional<Ack> answer;
            try {
                answer = c.read(Duration.ofSeconds(2));
            } catch (IOException closed) {
                answer = Optional.empty();
            }
            assertThat(answer).isEmpty();
        }
        // A positive signal before asserting the absence: a later TLS message is answered and stored, so the plain
        // one had its chance to reach the ledger first.
        try (Connection c = tlsClient(TestPki.context(null, trust))) {
            assertThat(c.exchange(orm("TLSL3"), ACK_WAIT).msa1()).isEqualTo("AA");
        }
        assertThat(stored(orm("TLSL3"))).isNotEmpty();
        assertThat(stored(plain)).isEmpty();
    }

    @Test
    void mutualTlsRefusesALisWithoutACertificateAndAcceptsOneWithACertificateFromTheTrustedCa() throws Exception {
        Path server = pki.issue("iep-router", "localhost", "127.0.0.1");
        engine("iep.inbound.tls.enabled", "true",
                "iep.inbound.tls.keystore", server.toString(),
                "iep.inbound.tls.password", TestPki.PASSWORD,
                "iep.inbound.tls.clientAuth", "REQUIRE",
                "iep.inbound.tls.truststore", trust.toString(),
                "iep.inbound.tls.truststorePassword", TestPki.PASSWORD);

        byte[] anonymous = orm("MTLS0");
        assertThat(answerOver(TestPki.context(null, trust), anonymous)).as("no client certificate").isEmpty();
        assertThat(stored(anonymous)).isEmpty();

        TestPki otherCa = TestPki.create(tmp.resolve("other-pki"), "Some Other CA");
        byte[] stranger = orm("MTLS1");
        assertThat(answerOver(TestPki.context(otherCa.issue("lis-stranger"), trust), stranger))
                .as("client certificate from an untrusted CA").isEmpty();

        Path lisClient = pki.issue("lis-mainlab");
        assertThat(answerOver(TestPki.context(lisClient, trust), orm("MTLS2")))
                .hasValueSatisfying(ack -> assertThat(ack.msa1()).isEqualTo("AA"));
    }

    // ---- billing connection -----------------------------------------------------------------------------------------

    private void billingWithTls(Path serverKeyStore, boolean requireClientCert) throws Exception {
        billing.tls(TestPki.parameters(serverKeyStore, requireClientCert ? trust : null), requireClientCert)
                .start(engine.billingPort(), tmp.resolve("billing"), AcknowledgmentCode.AA);
    }

    private EngineHarness engineWithBillingTls(String... extra) throws Exception {
        String[] base = {"iep.billing.tls.enabled", "true",
                "iep.billing.tls.truststore", trust.toString(),
                "iep.billing.tls.truststorePassword", TestPki.PASSWORD};
        String[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return engine(all);
    }

    @Test
    void billingOverTlsDeliversTheDft() throws Exception {
        engineWithBillingTls();
        billingWithTls(pki.issue("billing", "127.0.0.1", "localhost"), false);

        engine.orderAndFinalResult("TLSB1");

        eventually(() -> assertThat(rows("TLSB1")).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo("DELIVERED");
            assertThat(r.lastError()).isEqualTo("answered AA");
        }));
        String dft = rows("TLSB1").get(0).controlId();
        assertThat(billing.receivedControlIds()).containsExactly(dft);
    }

    @Test
    void severalBillingConnectionsOverTlsDeliverEveryDftOnce() throws Exception {
        engineWithBillingTls("iep.billing.connections", "3", "iep.billing.pollMillis", "10");
        billingWithTls(pki.issue("billing", "127.0.0.1", "localhost"), false);

        for (int i = 1; i <= 12; i++) {
            engine.orderAndFinalResult("TLSM" + i);
        }

        eventually(() -> assertThat(rows("TLSM")).hasSize(12).extracting(Row::status).containsOnly("DELIVERED"));
        assertThat(billing.receivedControlIds()).containsExactlyInAnyOrderElementsOf(
                rows("TLSM").stream().map(Row::controlId).toList());
        assertThat(billing.connectionCount()).as("TLS connections the DFTs arrived on").isGreaterThanOrEqualTo(2);
    }

    @Test
    void nacksOverTlsAreClassifiedExactlyAsOverPlainMllp() throws Exception {
        engineWithBillingTls();
        billingWithTls(pki.issue("billing", "127.0.0.1"), false);

        // Billing's own trouble (AR 207): retried, not parked, and the reason recorded as over camel-mllp.
        billing.setAnswer(AcknowledgmentCode.AR, ErrorCode.APPLICATION_INTERNAL_ERROR);
        engine.orderAndFinalResult("TLSN1");
        eventually(() -> assertThat(rows("TLSN1")).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo("PENDING");
            assertThat(r.attempts()).isGreaterThanOrEqualTo(2);
            assertThat(r.lastError()).contains("AR 207");
        }));
        billing.setAnswer(AcknowledgmentCode.AA);
        eventually(() -> assertThat(rows("TLSN1").get(0).status()).isEqualTo("DELIVERED"));

        // A refusal of the content (AE 101): parked with billing's reason.
        billing.setAnswer(AcknowledgmentCode.AE, ErrorCode.REQUIRED_FIELD_MISSING);
        engine.orderAndFinalResult("TLSN2");
        eventually(() -> assertThat(rows("TLSN2")).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo("PARKED");
            assertThat(r.lastError()).startsWith("AE 101");
        }));
    }

    @Test
    void aBillingServerWithACertificateOfTheTrustedCaIssuedForAnotherHostIsRefused() throws Exception {
        engineWithBillingTls();
        // Signed by the CA the engine trusts, but for another host than iep.billing.host (127.0.0.1).
        billingWithTls(pki.issue("billing-elsewhere", "billing.elsewhere.example"), false);

        engine.orderAndFinalResult("TLSH1");

        eventually(() -> assertThat(rows("TLSH1")).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo("PENDING");
            assertThat(r.attempts()).isGreaterThanOrEqualTo(3);
            // Refused for the name, not the signature: the CA is trusted.
            assertThat(r.lastError()).contains("SSLHandshakeException").containsIgnoringCase("127.0.0.1");
        }));
        assertThat(billing.receivedCount()).as("nothing delivered to the wrong host").isZero();
        System.out.printf("wrong host: %s%n", rows("TLSH1").get(0));
    }

    @Test
    void mutualTlsToBillingPresentsOurClientCertificate() throws Exception {
        Path client = pki.issue("iep-charge-router-client");
        engineWithBillingTls("iep.billing.tls.keystore", client.toString(),
                "iep.billing.tls.password", TestPki.PASSWORD);
        billingWithTls(pki.issue("billing", "127.0.0.1"), true);

        engine.orderAndFinalResult("TLSM1");

        eventually(() -> assertThat(rows("TLSM1")).singleElement()
                .satisfies(r -> assertThat(r.status()).isEqualTo("DELIVERED")));
        assertThat(billing.clientCertificateSubjects()).isNotEmpty()
                .allSatisfy(subject -> assertThat(subject).contains("CN=iep-charge-router-client"));
    }

    @Test
    void withoutOurClientCertificateABillingThatRequiresOneReceivesNothing() throws Exception {
        engineWithBillingTls();
        billingWithTls(pki.issue("billing", "127.0.0.1"), true);

        engine.orderAndFinalResult("TLSM2");

        eventually(() -> assertThat(rows("TLSM2")).singleElement().satisfies(r -> {
            assertThat(r.status()).isEqualTo("PENDING");
            assertThat(r.attempts()).isGreaterThanOrEqualTo(2);
        }));
        assertThat(billing.receivedCount()).isZero();
    }
}
