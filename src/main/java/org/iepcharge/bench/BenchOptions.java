package org.iepcharge.bench;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What one {@code bench} invocation runs. {@code rate <= 0} means closed loop. {@code prewarm}: a closed-loop run
 * before the warm-up of each target, so that an open-loop warm-up does not start against a cold JVM and measure the
 * backlog it built. {@code holdBilling}: the engine's billing stand-in holds its ACKs through the measured window and
 * answers when the load stops, so the outbox builds a backlog and its drain measures delivery alone.
 */
public record BenchOptions(String target, String client, String host, int port, int connections, double rate,
                           Duration warmup, Duration measure, int nonIepPerOrder, boolean baselines,
                           int billingPort, Path dataDir, Path routes, Duration drain,
                           Duration prewarm, boolean holdBilling) {
}
