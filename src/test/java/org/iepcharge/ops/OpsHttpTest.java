package org.iepcharge.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

import org.iepcharge.camel.EngineHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpsHttpTest {
    @TempDir
    Path dir;

    @Test
    void smoke() throws Exception {
        int port = EngineHarness.freePort();
        try (EngineHarness h = EngineHarness.start(EngineHarness.Transport.NETTY, dir, Map.of(
                "iep.http.enabled", "true", "iep.http.port", String.valueOf(port), "iep.http.password", "s3cret"))) {
            HttpClient c = HttpClient.newHttpClient();
            for (String p : new String[] {"/observe/health", "/observe/health/ready", "/observe/health/live",
                    "/api/overview", "/metrics", "/console/"}) {
                HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + p))
                        .build(), HttpResponse.BodyHandlers.ofString());
                System.out.println(p + " -> " + r.statusCode() + " " + r.body());
            }
            String basic = "Basic " + Base64.getEncoder().encodeToString("admin:s3cret".getBytes(StandardCharsets.UTF_8));
            for (String p : new String[] {"/api/overview", "/metrics", "/api/holds"}) {
                HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + p))
                        .header("Authorization", basic).build(), HttpResponse.BodyHandlers.ofString());
                System.out.println(p + " -> " + r.statusCode() + " " + r.body().substring(0, Math.min(3000, r.body().length())));
            }
            assertThat(port).isPositive();
        }
    }
}
