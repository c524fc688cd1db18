package org.iepcharge.bench;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.iepcharge.billing.BillingAnswerReader;
import org.iepcharge.billing.DftBuilder;
import org.iepcharge.billing.DftRenderer;
import org.iepcharge.billing.DftSettings;
import org.iepcharge.domain.ChargeDocument;
import org.iepcharge.domain.Diagnosis;
import org.iepcharge.domain.Disposition;
import org.iepcharge.domain.FinancialTransaction;
import org.iepcharge.domain.LabMessage;
import org.iepcharge.domain.OrderContext;
import org.iepcharge.domain.OrderedTest;
import org.iepcharge.domain.Outcome;
import org.iepcharge.domain.TransactionType;
import org.iepcharge.edge.Inbound;
import org.iepcharge.edge.InboundEdge;
import org.iepcharge.hl7.AckBuilder;
import org.iepcharge.hl7.Er7;
import org.iepcharge.hl7.MshFields;
import org.iepcharge.rules.ChargeDecider;
import org.iepcharge.rules.ChargeHistory;
import org.iepcharge.rules.DecidedLine;
import org.iepcharge.rules.DecisionInput;
import org.iepcharge.rules.RuleSet;

/**
 * The HAPI work of one message, call by call, on one thread after a warm-up: CPU time ({@code ThreadMXBean}) and
 * bytes allocated ({@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}) per call. Thread CPU time, so the
 * figures stay comparable on a shared, loaded machine, unlike a throughput. No JUnit: a main in the test classes,
 * run as BENCHMARKS.md ("HAPI costs") shows. Args: calls per round (default 20000), rounds (default 4), and
 * optionally a word the case names must contain (e.g. {@code inbound}), to profile one call alone.
 *
 * <p>What is measured: the inbound read of the bench's IEP ORM^O01 and IEP ORU^R01 ({@link MessageMix}) into an
 * {@link Inbound}, the ACK (AA, and AE with an ERR), the DFT^P03 of the charge that ORU posts under the built-in
 * rules, and the read of billing's AA to that DFT.
 */
public final class HapiCostProbe {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static volatile int sink;

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        String only = args.length > 2 ? args[2] : "";

        MessageMix mix = new MessageMix("PRB", 1, 0);
        byte[] orm = mix.next().payload();
        byte[] oru = mix.next().payload();
        InboundEdge edge = new InboundEdge(StandardCharsets.UTF_8);
        Inbound order = edge.read(orm);
        Inbound result = edge.read(oru);
        if (!order.accepted() || !result.accepted()) {
            throw new IllegalStateException("the bench's IEP pair did not parse: " + order.verdict() + " / "
                    + result.verdict());
        }

        AckBuilder acks = new AckBuilder("IEP", "LAB");
        MshFields msh = result.msh();
        Outcome accepted = Outcome.accepted(Disposition.CHARGED);
        Outcome error = Outcome.error(101, "OBR^1^4", "Required field OBR-4 (universal service identifier) is missing"
                + " in OBR 1");

        DftBuilder dfts = new DftBuilder(new DftSettings("IEP_CHARGE_ROUTER", "LAB", "BILLING", "BILLING"));
        ChargeDocument document = charge(order.message(), result.message());
        String dft = dfts.build(document);

        // The outbox's path: the document as the ledger stores it (JSON), built into bytes when it is sent.
        String stored = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(dfts.stored(document));
        DftRenderer renderer = new DftRenderer();
        if (!java.util.Arrays.equals(renderer.render(stored), dft.getBytes(StandardCharsets.UTF_8))) {
            throw new IllegalStateException("the stored document does not render as the built DFT");
        }

        AckBuilder billing = new AckBuilder("BILLING", "BILLING");
        byte[] billingAa = billing.build(Er7.of(dft).msh().orElseThrow(), accepted)
                .getBytes(StandardCharsets.US_ASCII);
        BillingAnswerReader answers = new BillingAnswerReader();
        if (answers.read(billingAa).map(a -> !a.ackCode().equals("AA")).orElse(true)) {
            throw new IllegalStateException("billing's AA was not read as AA");
        }

        List<Case> cases = List.of(
                new Case("inbound read, IEP ORM^O01", () -> edge.read(orm)),
                new Case("inbound read, IEP ORU^R01", () -> edge.read(oru)),
                new Case("ACK AA", () -> acks.build(msh, accepted)),
                new Case("ACK AE with ERR", () -> acks.build(msh, error)),
                new Case("DFT^P03 build + encode", () -> dfts.build(document)),
                new Case("stored DFT render (JSON + build)", () -> renderer.render(stored)),
                new Case("billing AA read", () -> answers.read(billingAa)))
                .stream().filter(c -> c.name().contains(only)).toList();

        System.out.printf("HapiCostProbe: %d calls x %d rounds per case, one thread, after %d warm-up calls%n",
                calls, rounds, calls);
        for (Case c : cases) {
            run(c, calls); // warm-up: the JIT compiles the path before it is measured
        }
        for (Case c : cases) {
            List<String> cpu = new ArrayList<>();
            List<String> kb = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                double[] perCall = run(c, calls);
                cpu.add(String.format("%.1f", perCall[0]));
                kb.add(String.format("%.1f", perCall[1]));
            }
            System.out.printf("%-28s CPU us/call %s   KB/call %s%n", c.name(), String.join(" ", cpu),
                    String.join(" ", kb));
        }
    }

    /** {CPU µs, KB allocated} per call over {@code calls} calls. */
    private static double[] run(Case c, int calls) {
        long id = Thread.currentThread().getId();
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        long bytes0 = THREADS.getThreadAllocatedBytes(id);
        int h = 0;
        for (int i = 0; i < calls; i++) {
            h += System.identityHashCode(c.call().get());
        }
        long bytes = THREADS.getThreadAllocatedBytes(id) - bytes0;
        long cpu = THREADS.getCurrentThreadCpuTime() - cpu0;
        sink += h;
        return new double[] {cpu / 1e3 / calls, bytes / 1024.0 / calls};
    }

    /** The charge the ORU posts under the built-in rules, with the order's context, as capture would write it. */
    private static ChargeDocument charge(LabMessage orderMessage, LabMessage resultMessage) {
        OrderedTest ordered = orderMessage.tests().get(0);
        List<Diagnosis> dx = new ArrayList<>(orderMessage.diagnoses());
        dx.addAll(ordered.diagnoses());
        OrderContext context = new OrderContext(ordered.key(), orderMessage.patient(), orderMessage.visit(),
                orderMessage.insurance(), dx, ordered.abnStatus(), ordered.orderingProvider(),
                orderMessage.header().controlId());
        OrderedTest finalResult = resultMessage.tests().get(0);
        var decision = new ChargeDecider(RuleSet.builtIn()).decide(new DecisionInput(finalResult, context,
                resultMessage.header(), resultMessage.patient(), ChargeHistory.none()));
        List<FinancialTransaction> transactions = new ArrayList<>();
        int n = 0;
        for (DecidedLine d : decision.lines()) {
            if (!d.isHeld()) {
                transactions.add(new FinancialTransaction(TransactionType.CG,
                        d.line().withTransactionId("C" + String.format("%011d", ++n))));
            }
        }
        if (transactions.isEmpty()) {
            throw new IllegalStateException("the bench's IEP result was not charged by the built-in rules");
        }
        return new ChargeDocument("IEPDFT000000000001", "P", "20261121100000", context, finalResult.key().filler(),
                transactions);
    }

    private record Case(String name, Supplier<Object> call) {
    }
}
