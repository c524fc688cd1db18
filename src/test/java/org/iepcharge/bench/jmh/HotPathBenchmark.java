package org.iepcharge.bench.jmh;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.iepcharge.billing.DftBuilder;
import org.iepcharge.billing.DftSettings;
import org.iepcharge.domain.ChargeDocument;
import org.iepcharge.domain.FinancialTransaction;
import org.iepcharge.domain.LabMessage;
import org.iepcharge.domain.OrderContext;
import org.iepcharge.domain.OrderedTest;
import org.iepcharge.domain.TransactionType;
import org.iepcharge.edge.Inbound;
import org.iepcharge.edge.InboundEdge;
import org.iepcharge.rules.ChargeDecider;
import org.iepcharge.rules.ChargeHistory;
import org.iepcharge.rules.DecidedLine;
import org.iepcharge.rules.Decision;
import org.iepcharge.rules.DecisionInput;
import org.iepcharge.rules.RuleSet;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The CPU cost of the three steps of the hot path, on the IEP pair of testdata/iep: the inbound parse
 * ({@link InboundEdge#read}), the charge decision ({@link ChargeDecider#decide}, built-in rules, no history) and the
 * DFT^P03 build ({@link DftBuilder#build}). Only in the {@code jmh} Maven profile (see BENCHMARKS.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HotPathBenchmark {
    private InboundEdge edge;
    private byte[] orm;
    private byte[] oru;
    private ChargeDecider decider;
    private DecisionInput decisionInput;
    private DftBuilder dftBuilder;
    private ChargeDocument document;

    @Setup
    public void setUp() throws Exception {
        Path dir = Path.of(System.getProperty("iep.test.projectDir", "."), "testdata", "iep");
        orm = cr(Files.readString(dir.resolve("01-orm-nw-v251.hl7")));
        oru = cr(Files.readString(dir.resolve("02-oru-final-v251.hl7")));
        edge = new InboundEdge(StandardCharsets.UTF_8);
        Inbound order = edge.read(orm);
        Inbound result = edge.read(oru);
        if (!order.accepted() || !result.accepted()) {
            throw new IllegalStateException("testdata/iep did not parse");
        }
        LabMessage m = order.message();
        OrderedTest ordered = m.tests().get(0);
        List<org.iepcharge.domain.Diagnosis> dx = new ArrayList<>(m.diagnoses());
        dx.addAll(ordered.diagnoses());
        OrderContext context = new OrderContext(ordered.key(), m.patient(), m.visit(), m.insurance(), dx,
                ordered.abnStatus(), ordered.orderingProvider(), m.header().controlId());
        OrderedTest finalResult = result.message().tests().get(0);
        decider = new ChargeDecider(RuleSet.builtIn());
        decisionInput = new DecisionInput(finalResult, context, result.header(), result.message().patient(),
                ChargeHistory.none());
        Decision decision = decider.decide(decisionInput);
        List<FinancialTransaction> transactions = new ArrayList<>();
        int n = 0;
        for (DecidedLine d : decision.lines()) {
            if (!d.isHeld()) {
                transactions.add(new FinancialTransaction(TransactionType.CG,
                        d.line().withTransactionId("C" + String.format("%011d", ++n))));
            }
        }
        if (transactions.isEmpty()) {
            throw new IllegalStateException("the IEP pair was not charged by the built-in rules");
        }
        dftBuilder = new DftBuilder(new DftSettings("IEP_CHARGE_ROUTER", "LAB", "BILLING", "BILLING"));
        document = new ChargeDocument("IEPDFT000000000001", "P", "20261121100000", context,
                finalResult.key().filler(), transactions);
    }

    private static byte[] cr(String file) {
        return file.replace("\r\n", "\r").replace('\n', '\r').getBytes(StandardCharsets.US_ASCII);
    }

    @Benchmark
    public Inbound parseOrder() {
        return edge.read(orm);
    }

    @Benchmark
    public Inbound parseResult() {
        return edge.read(oru);
    }

    @Benchmark
    public Decision decide() {
        return decider.decide(decisionInput);
    }

    @Benchmark
    public String buildDft() {
        return dftBuilder.build(document);
    }
}
