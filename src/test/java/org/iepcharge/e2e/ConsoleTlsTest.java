package org.iepcharge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

import org.iepcharge.testkit.EngineHarness;
import org.iepcharge.testkit.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;


/** The operator side over HTTPS, configured like the MLLP listener's TLS (iep.http.tls.*). */
class ConsoleTlsTest {
    @TempDir
    Path dir;

    @Test
    void theConsoleSpeaksTlsOnlyAndStillAsksForCredentials() throws Exception {
        TestPki pki = TestPki.create(dir.resolve("pki"), "console-ca");
        Path server = pki.issue("console", "127.0.0.1", "localhost");
        int port = EngineHarness.freePort();
        try (EngineHarness h = EngineHarness.start(EngineHarness.Transport.NETTY, dir.resolve("engine"), Map.of(
                "iep.http.enabled", "true", "iep.http.port", String.valueOf(port), "iep.http.password", "pw-tls",
                "iep.http.tls.enabled", "true", "iep.http.tls.keystore", server.toString(),
                "iep.http.tls.password", TestPki.PASSWORD))) {
            HttpClient https = HttpClient.newBuilder().sslContext(TestPki.context(null, pki.trustStore())).build();
            String base = "https://127.0.0.1:" + port;
            HttpResponse<String> health = https.send(HttpRequest.newBuilder(URI.create(base + "/observe/health/ready"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"UP\"");

            assertThat(https.send(HttpRequest.newBuilder(URI.create(base + "/api/overview")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
            String basic = "Basic " + Base64.getEncoder().encodeToString("admin:pw-tls"
                    .getBytes(StandardCharsets.UTF_8));
            assertThat(https.send(HttpRequest.newBuilder(URI.create(base + "/api/overview"))
                    .header("Authorization", basic).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(200);
            HttpResponse<String> login = https.send(HttpRequest.newBuilder(URI.create(base + "/login"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"admin\",\"password\":\"pw-tls\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(login.headers().firstValue("Set-Cookie")).hasValueSatisfying(c -> assertThat(c)
                    .contains("Secure", "HttpOnly", "SameSite=Strict"));

            // Plain HTTP on the same port gets no answer it could read as one.
            HttpClient plain = HttpClient.newHttpClient();
            assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/observe/health")).build(), HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(IOException.class);
        }
    }
}
