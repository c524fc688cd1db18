package org.iepcharge.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.iepcharge.explain.Explainer;
import org.iepcharge.explain.Explainer.EngineRecord;
import org.iepcharge.explain.Explainer.Explanation;
import org.iepcharge.explain.FileMessage;
import org.iepcharge.domain.ChargeLine;
import org.iepcharge.ledger.HoldRecord;
import org.iepcharge.ledger.StoredLine;
import org.iepcharge.rules.RuleSet;
import org.iepcharge.scenarios.ScenarioMessages.Step;
import org.iepcharge.scenarios.ScenarioRunner.RowRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3 item 5: for every scenario row, {@code explain} — the {@link Explainer} with the row's rules file, replaying
 * the row's messages against its scratch ledger — reports, message by message, the same lines (kind, CPT, modifiers,
 * units, date of service, performed by, rules version) and the same holds (reason, line kind) as the engine recorded
 * for that message when it ran the row over MLLP. The whole-row totals are compared too: explain's posted lines
 * against the charges (CG) billing received.
 *
 * <p>Any difference fails the row: a disagreement between explain and the engine is a defect of one of them, never
 * a skip.
 */
class ExplainMatchesEngineTest {
    @TempDir
    static Path tmp;
    private static ScenarioRunner runner;

    @BeforeAll
    static void start() {
        runner = new ScenarioRunner(tmp);
    }

    @AfterAll
    static void stop() {
        runner.close();
    }

    /** Rows of the rules file being checked, run through the engine and explained together (one scratch ledger). */
    private static final Map<ScenarioRow, Checked> CHECKED = new HashMap<>();

    private record Checked(RowRun run, List<Explanation> explanations, String rendered) {
    }

    @TestFactory
    Stream<DynamicTest> explainReportsWhatTheEngineDid() throws Exception {
        List<ScenarioRow> rows = ScenarioRunner.rows().stream().filter(r -> !r.expectsRefusal()).toList();
        assertThat(rows).hasSizeGreaterThanOrEqualTo(60);
        return rows.stream().map(row -> DynamicTest.dynamicTest(row.id() + " [" + row.rules() + "]", () -> {
            if (!CHECKED.containsKey(row)) {
                runAndExplain(rows.stream().filter(r -> r.rules().equals(row.rules())).toList());
            }
            check(CHECKED.remove(row));
        }));
    }

    /**
     * Runs the rows of one rules file through the engine, then explains all their messages in one {@code explain}
     * call (one scratch ledger, like the engine's one ledger; each row has its own patient and orders).
     */
    private static void runAndExplain(List<ScenarioRow> rows) throws Exception {
        List<RowRun> runs = new ArrayList<>();
        for (ScenarioRow row : rows) {
            runs.add(runner.run(row));
        }
        List<FileMessage> messages = new ArrayList<>();
        for (RowRun run : runs) {
            int i = 1;
            for (Step step : run.steps()) {
                messages.add(new FileMessage(run.row().id() + " step " + i + " (" + step.token() + ")", i, 1,
                        step.payload()));
                i++;
            }
        }
        RowRun any = runs.get(0);
        Explainer explainer = new Explainer(any.engine().engine().settings(), RuleSet.load(any.rulesFile()));
        List<Explanation> all = explainer.explain(messages, Optional.of(any.engine().engine().ledger()));
        int from = 0;
        for (RowRun run : runs) {
            List<Explanation> mine = all.subList(from, from + run.steps().size());
            from += run.steps().size();
            CHECKED.put(run.row(), new Checked(run, mine, explainer.render(mine)));
        }
    }

    private static void check(Checked checked) {
        RowRun run = checked.run();
        ScenarioRow row = run.row();
        List<Explanation> explanations = checked.explanations();
        String rendered = checked.rendered();

        List<String> problems = new ArrayList<>();
        List<String> explainedCharges = new ArrayList<>();
        for (Explanation e : explanations) {
            String where = e.source().source();
            if (e.engine().isEmpty()) {
                problems.add(where + ": explain did not find the message in the engine's ledger");
                continue;
            }
            EngineRecord engine = e.engine().get();
            if (!e.outcome().equals(engine.outcome())) {
                problems.add(where + ": outcome expected (engine) " + engine.outcome().ackCode() + " "
                        + engine.outcome().disposition() + ", explain " + e.outcome().ackCode() + " "
                        + e.outcome().disposition());
            }
            List<String> explainLines = lines(e.lines());
            List<String> engineLines = lines(engine.lines());
            if (!explainLines.equals(engineLines)) {
                problems.add(where + ": lines expected (engine) " + ScenarioMatrixTest.show(engineLines)
                        + ", explain " + ScenarioMatrixTest.show(explainLines));
            }
            List<String> explainHolds = holds(e.holds());
            List<String> engineHolds = holds(engine.holds());
            if (!explainHolds.equals(engineHolds)) {
                problems.add(where + ": holds expected (engine) " + ScenarioMatrixTest.show(engineHolds)
                        + ", explain " + ScenarioMatrixTest.show(explainHolds));
            }
            for (HoldRecord h : e.holds()) {
                if (!rendered.contains("held: " + h.reasonCode())) {
                    problems.add(where + ": the rendered explanation does not show hold " + h.reasonCode());
                }
            }
            if (!e.source().source().endsWith("(AGAIN)")) {
                e.lines().forEach(l -> explainedCharges.add(charge(l.line())));
            }
        }
        List<String> billedCharges = run.ft1s().stream().filter(f -> f.transactionType().equals("CG"))
                .map(f -> ScenarioRunner.token(f).substring(3).replaceAll(" \\S+$", "")).toList();
        if (!explainedCharges.equals(billedCharges)) {
            problems.add("charges expected (DFTs billing received) " + ScenarioMatrixTest.show(billedCharges)
                    + ", explain posted " + ScenarioMatrixTest.show(explainedCharges));
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("row " + row + ": explain differs from the engine:\n  "
                    + String.join("\n  ", problems) + "\n--- explain output ---\n" + rendered);
        }
    }

    private static List<String> lines(List<StoredLine> lines) {
        return lines.stream().map(l -> l.line().kind() + " " + charge(l.line()) + " units " + l.line().units()
                + " by " + (l.line().performedBy().isEmpty() ? "-" : l.line().performedBy().id())
                + " rules " + l.rulesVersion()).toList();
    }

    /** A line as the expected_ft1 column writes it, without FT1-6 and FT1-27: CPT, modifiers, FT1-4. */
    private static String charge(ChargeLine l) {
        return l.cpt() + " " + (l.modifiers().isEmpty() ? "-" : String.join("+", l.modifiers())) + " "
                + (l.dateOfService().isEmpty() ? "-" : l.dateOfService());
    }

    private static List<String> holds(List<HoldRecord> holds) {
        return holds.stream().map(h -> h.reasonCode() + ":" + h.kind() + " cpt " + h.cpt()).toList();
    }
}
