package org.iepcharge.bench.jmh;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.iepcharge.bench.MessageMix;
import org.iepcharge.billing.DftBuilder;
import org.iepcharge.billing.DftSettings;
import org.iepcharge.capture.ChargeCapture;
import org.iepcharge.capture.RulesLinePlanner;
import org.iepcharge.domain.Outcome;
import org.iepcharge.edge.Inbound;
import org.iepcharge.edge.InboundEdge;
import org.iepcharge.ledger.JdbcLedger;
import org.iepcharge.rules.RuleSet;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of charge capture with its durable commit, without sockets: one message of the bench mix (IEP order, IEP
 * final result, other traffic; each with fresh control IDs and order numbers) parsed and captured in the embedded
 * ledger as the engine runs it (SQLite WAL, synchronous=NORMAL, one commit per message, the worst case of group commit).
 * Compare with {@link HotPathBenchmark#parseOrder} to see what the ledger adds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class CaptureBenchmark {
    private Path dir;
    private JdbcLedger ledger;
    private ChargeCapture capture;
    private InboundEdge edge;
    private MessageMix mix;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("iep-capture-bench");
        ledger = JdbcLedger.open(JdbcLedger.sqliteFileUrl(dir), "", "");
        capture = new ChargeCapture(ledger, new RulesLinePlanner(RuleSet.builtIn()),
                new DftBuilder(new DftSettings("IEP", "LAB", "BILL", "BILLF")), false, Clock.systemUTC());
        edge = new InboundEdge(StandardCharsets.UTF_8);
        mix = new MessageMix("J" + System.nanoTime() % 100_000, 0, 1);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        ledger.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public Outcome parseAndCapture() {
        Inbound in = edge.read(mix.next().payload());
        return capture.capture(in);
    }
}
