package org.iepcharge.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import org.iepcharge.billing.DftBuilder;
import org.iepcharge.billing.DftFacts;
import org.iepcharge.billing.DftSettings;
import org.iepcharge.capture.ChargeCapture;
import org.iepcharge.capture.RulesLinePlanner;
import org.iepcharge.edge.InboundEdge;
import org.iepcharge.ledger.JdbcLedger;
import org.iepcharge.ledger.OutboxItem;
import org.iepcharge.ledger.OutboxStatus;
import org.iepcharge.rules.ChargeTrigger;
import org.iepcharge.rules.RuleSet;
import org.iepcharge.scenarios.ScenarioMessages.Step;
import org.iepcharge.testkit.EngineHarness;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Property: how a feed presents an order does not change what is billed. For event sequences on an order of two
 * charge-master tests (86320 and the 86334 fixture of {@code testdata/scenarios/rules/multi*.yaml}), every variant
 * that shuffles the OBR order of each message and names the order in each later message by placer and filler, by
 * placer only or by filler only — all with or all without namespaces — posts exactly the lines and leaves exactly
 * the open holds of the hand-written expectation (docs/decision-contract.md §1 order keys, §4 line identity (order,
 * CPT, kind), §7 events). Lines are compared as a multiset: the delivery order follows the OBR order, which varies.
 *
 * <p>Messages are built by the scenario matrix's own {@link ScenarioMessages} grammar (testdata/scenarios/README.md)
 * and run through the real edge, capture, rules and a SQLite ledger; each DFT counts as delivered before the next
 * message (so a credit is sent, not withdrawn with its charge). Variants come from a fixed seed, so a failure repeats.
 */
class OrderPresentationPropertyTest {
    private static final int VARIANTS = 12;
    private static final Path RULES = EngineHarness.projectDir().resolve("testdata/scenarios/rules");
    private static final List<String> KEYS = List.of("both", "placer", "filler");

    /** A base sequence and its hand-written expectation, from the contract. */
    private record Base(String name, String rules, String interp, String steps, List<String> lines,
                        List<String> holds) {
    }

    private static final List<Base> BASES = List.of(
            new Base("correction of one test", "multi", "-",
                    "ORM/tests=iep+ifx ORU:F/tests=iep+ifx ORU:C/test=ifx/lab=ref",
                    List.of("CG 86320 - 20261120080000 -", "CG 86334 - 20261120080000 -",
                            "CD 86334 - 20261120080000 -", "CG 86334 90 20261120080000 -"), List.of()),
            new Base("results in two ORUs, cancel after result of one", "multi", "-",
                    "ORM/tests=iep+ifx ORU:F/test=ifx ORU:F/test=iep ORU:F/tests=iep+ifx ORM:CR/test=iep",
                    List.of("CG 86320 - 20261120080000 -", "CG 86334 - 20261120080000 -"),
                    List.of("CANCEL_AFTER_RESULT:T:86320")),
            new Base("one test cancelled before its result", "multi", "-",
                    "ORM/tests=iep+ifx ORM:OC/test=ifx ORU:F/tests=iep+ifx ORU:C/tests=iep+ifx/lab=ref",
                    List.of("CG 86320 - 20261120080000 -", "CD 86320 - 20261120080000 -",
                            "CG 86320 90 20261120080000 -"), List.of("CANCEL_AFTER_RESULT:T:86334")),
            new Base("ORDER trigger: each first final adds its own 26 line", "multi-order-trigger", "roster",
                    "ORM/tests=iep+ifx ORU:F/test=ifx ORU:F/test=iep ORU:C/tests=iep+ifx",
                    List.of("CG 86320 - 20261120080000 -", "CG 86334 - 20261120080000 -",
                            "CG 86334 26 20261120080000 -", "CG 86320 26 20261120080000 -"), List.of()),
            new Base("ORDER trigger: cancel credits the unresulted test, holds the resulted one",
                    "multi-order-trigger", "-", "ORM/tests=iep+ifx ORU:F/test=iep ORM:CR/tests=iep+ifx",
                    List.of("CG 86320 - 20261120080000 -", "CG 86334 - 20261120080000 -",
                            "CD 86334 - 20261120080000 -"), List.of("CANCEL_AFTER_RESULT:T:86320")));

    @TestFactory
    Stream<DynamicTest> postedLinesDoNotDependOnObrOrderOrOrderNumberPresentation() {
        List<DynamicTest> tests = new ArrayList<>();
        int line = 9000;
        for (int b = 0; b < BASES.size(); b++) {
            Base base = BASES.get(b);
            Random random = new Random(12_000L + b);
            tests.add(variantTest(base, "as written", base.steps(), line++));
            for (int v = 1; v <= VARIANTS; v++) {
                String steps = variant(base.steps(), random);
                tests.add(variantTest(base, "variant " + v + ": " + steps, steps, line++));
            }
        }
        return tests.stream();
    }

    private static DynamicTest variantTest(Base base, String label, String steps, int line) {
        return DynamicTest.dynamicTest(base.name() + " — " + label, () -> {
            Run run = run(base, steps, line);
            assertThat(sorted(run.lines())).as("posted lines of %s", steps).isEqualTo(sorted(base.lines()));
            assertThat(sorted(run.holds())).as("open holds of %s", steps).isEqualTo(sorted(base.holds()));
        });
    }

    /**
     * The base steps with every multi-test message's OBRs shuffled, each message after the placing ORM naming the
     * order by a random choice of numbers, and (for the whole sequence, as a feed does) numbers with or without
     * namespace. The placing ORM carries both numbers, so that a result naming the order by filler only can match.
     */
    static String variant(String steps, Random random) {
        boolean noNamespace = random.nextBoolean();
        List<String> out = new ArrayList<>();
        boolean first = true;
        for (String token : steps.split(" ")) {
            String[] parts = token.split("/");
            Map<String, String> opts = new LinkedHashMap<>();
            for (int i = 1; i < parts.length; i++) {
                int eq = parts[i].indexOf('=');
                opts.put(eq < 0 ? parts[i] : parts[i].substring(0, eq), eq < 0 ? "" : parts[i].substring(eq + 1));
            }
            if (opts.containsKey("tests")) {
                List<String> tests = new ArrayList<>(Arrays.asList(opts.get("tests").split("\\+")));
                Collections.shuffle(tests, random);
                opts.put("tests", String.join("+", tests));
            }
            opts.put("keys", first ? "both" : KEYS.get(random.nextInt(KEYS.size())));
            if (noNamespace) {
                opts.put("ns", "none");
            }
            first = false;
            StringBuilder sb = new StringBuilder(parts[0]);
            opts.forEach((k, v) -> sb.append('/').append(k).append(v.isEmpty() ? "" : "=" + v));
            out.add(sb.toString());
        }
        return String.join(" ", out);
    }

    private record Run(List<String> lines, List<String> holds) {
    }

    private static Run run(Base base, String steps, int line) {
        RuleSet rules = RuleSet.load(RULES.resolve(base.rules() + ".yaml"));
        ScenarioRow row = new ScenarioRow(line, "P" + line, "property", base.rules(), "2.5.1", "60054", "O", "-",
                "D47.2^I10", base.interp(), "ours", List.of(steps.split(" ")), List.of(), List.of(), "", "");
        ScenarioMessages messages = new ScenarioMessages(row);
        InboundEdge edge = new InboundEdge(StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>();
        Path scratch;
        try {
            scratch = Files.createTempDirectory("iep-property-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (JdbcLedger ledger = JdbcLedger.open(JdbcLedger.sqliteFileUrl(scratch), "", "")) {
            ChargeCapture capture = new ChargeCapture(ledger, new RulesLinePlanner(rules),
                    new DftBuilder(new DftSettings("IEP", "LAB", "BILL", "BILLF")),
                    rules.site().chargeTrigger() == ChargeTrigger.ORDER, Clock.systemUTC());
            for (Step step : messages.steps()) {
                assertThat(capture.capture(edge.read(step.payload())).ackCode()).as(step.token()).isEqualTo("AA");
                // Billing takes each DFT before the next message, as the matrix's engine does over MLLP.
                for (OutboxItem item : ledger.undelivered()) {
                    if (item.status() == OutboxStatus.PENDING) {
                        DftFacts.read(new String(item.payload(), StandardCharsets.UTF_8)).ft1s()
                                .forEach(f -> lines.add(ScenarioRunner.token(f)));
                        ledger.markDelivered(item.id(), "AA");
                    }
                }
            }
            List<String> holds = ledger.read(s -> s.holds().allOpen()).stream().map(ScenarioRunner::token).toList();
            return new Run(lines, holds);
        } finally {
            try (Stream<Path> files = Files.list(scratch)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
                Files.deleteIfExists(scratch);
            } catch (IOException ignored) {
                // A scratch ledger left in the temporary folder.
            }
        }
    }

    private static List<String> sorted(List<String> items) {
        return items.stream().sorted().toList();
    }
}
