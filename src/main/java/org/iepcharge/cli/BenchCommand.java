package org.iepcharge.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.iepcharge.bench.Bench;
import org.iepcharge.bench.BenchOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code bench}: the load generator (see BENCHMARKS.md). */
@Command(name = "bench", sortOptions = false, description = {
        "Load generator: N MLLP connections sending a realistic mix (IEP orders, their final results, non-IEP CBC"
                + " results), closed loop or at a fixed offered rate. Reports throughput in, DFTs delivered out,"
                + " ACK latency percentiles (HdrHistogram), heap and RSS.",
        "By default it starts the target in this JVM (the engine with a billing stand-in that ACKs), and with"
                + " --baselines first measures the bare camel-netty+camel-hl7 and camel-mllp listeners and the durable"
                + " echo (HAPI parse and ACK, raw message committed to SQLite before the ACK) with the same generator"
                + " and connection count, and prints the ratios."})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--target", defaultValue = "engine",
            description = "engine | netty-echo | mllp-echo | durable-echo (started in this JVM) | external"
                    + " (--host/--port)"
                    + " (default: ${DEFAULT-VALUE}).")
    String target;

    @Option(names = "--client", defaultValue = "socket",
            description = "socket (JDK sockets; closed or open loop) | camel-mllp (camel-mllp producer, closed loop"
                    + " only) (default: ${DEFAULT-VALUE}).")
    String client;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Target host (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "0",
            description = "Target port; 0 = a free port for an in-process target (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = {"-c", "--connections"}, defaultValue = "8", description = "Connections (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--rate", defaultValue = "0",
            description = "Offered msg/s over all connections (open loop); 0 = closed loop (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--warmup", defaultValue = "5", description = "Warm-up seconds (default: ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--prewarm", defaultValue = "0", description = "Closed-loop seconds before the warm-up of each"
            + " target (default: ${DEFAULT-VALUE}); with --rate, lets the JVM warm up before the fixed rate starts.")
    double prewarm;

    @Option(names = "--duration", defaultValue = "15", description = "Measured seconds (default: ${DEFAULT-VALUE}).")
    double duration;

    @Option(names = "--non-iep-per-order", defaultValue = "1",
            description = "CBC results sent between an IEP order and its final result (default: ${DEFAULT-VALUE}).")
    int nonIepPerOrder;

    @Option(names = "--baselines", description = "Also measure netty-echo, mllp-echo and durable-echo first, same generator.")
    boolean baselines;

    @Option(names = "--billing-port", defaultValue = "0",
            description = "Billing stand-in port (engine: 0 = free port; external: start one there if > 0).")
    int billingPort;

    @Option(names = "--data-dir", description = "Engine data folder (ledger); default a new temporary folder.")
    Path dataDir;

    @Option(names = "--routes", paramLabel = "DIR", description = "Route files folder (default: iep.routes, else"
            + " ./routes when present, else the routes built into the jar).")
    Path routes;

    @Option(names = "--drain", defaultValue = "30",
            description = "Seconds to wait for the outbox to drain after the load (default: ${DEFAULT-VALUE}).")
    double drain;

    @Option(names = "--hold-billing", description = "Engine: the billing stand-in holds its ACKs through the measured"
            + " window and answers when the load stops; the outbox's drain then measures delivery alone (DFT/s)."
            + " Set -Diep.billing.connections=N for N billing connections.")
    boolean holdBilling;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        if (connections < 1 || duration <= 0 || warmup < 0 || nonIepPerOrder < 0) {
            err.println("error: --connections >= 1, --duration > 0, --warmup >= 0, --non-iep-per-order >= 0");
            return 2;
        }
        if (!client.equals("socket") && !client.equals("camel-mllp")) {
            err.println("error: --client is socket or camel-mllp");
            return 2;
        }
        if (client.equals("camel-mllp") && rate > 0) {
            err.println("error: the camel-mllp producer waits for each ACK: it cannot offer a fixed rate; use"
                    + " --client socket");
            return 2;
        }
        if (target.equals(Bench.EXTERNAL) && port <= 0) {
            err.println("error: --target external needs --port");
            return 2;
        }
        BenchOptions options = new BenchOptions(target, client, host, port, connections, rate,
                Bench.seconds(warmup), Bench.seconds(duration), nonIepPerOrder, baselines, billingPort, dataDir,
                routes, Bench.seconds(drain), Bench.seconds(prewarm), holdBilling);
        PrintWriter out = spec.commandLine().getOut();
        try (CliLogging quiet = CliLogging.quiet("org.apache.camel")) {
            new Bench(options, out).run();
        }
        return 0;
    }
}
