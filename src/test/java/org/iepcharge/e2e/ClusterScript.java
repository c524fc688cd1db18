package org.iepcharge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.iepcharge.testkit.EngineHarness;
import org.iepcharge.testkit.LoopbackPorts;

/**
 * {@code deploy/cluster.sh} as the cluster ITs drive it, the way the README tells an analyst to: the packaged jar, a
 * free range of ports, the script run to its end with its output kept next to the cluster's folder.
 */
final class ClusterScript {
    private ClusterScript() {
    }

    /** Runs {@code cluster.sh args} with {@code env} (CLUSTER_DIR among it) and requires it to end with exit 0. */
    static void run(Map<String, String> env, Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(EngineHarness.projectDir().resolve("deploy/cluster.sh").toString());
        command.addAll(List.of(args));
        Path out = Path.of(env.get("CLUSTER_DIR") + ".out");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()));
        pb.environment().putAll(env);
        Process p = pb.start();
        assertThat(p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)).as("cluster.sh %s finished",
                String.join(" ", args)).isTrue();
        assertThat(p.exitValue()).as("cluster.sh %s: %s", String.join(" ", args), Files.readString(out)).isZero();
    }

    /** A base port such that base + each offset is free on loopback, below the ephemeral range ({@link LoopbackPorts}). */
    static int freePortBase(int... offsets) {
        return LoopbackPorts.freeBase(offsets);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** The packaged jar failsafe names in {@code iep.test.jar}. */
    static Path jar() {
        String configured = System.getProperty("iep.test.jar");
        assertThat(configured).as("system property iep.test.jar (set by failsafe in the pom)").isNotBlank();
        Path jar = Path.of(configured);
        assertThat(jar).as("packaged jar").isRegularFile();
        return jar;
    }

    static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null ? fallback : value;
    }
}
