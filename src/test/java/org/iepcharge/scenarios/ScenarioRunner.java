package org.iepcharge.scenarios;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.iepcharge.billing.DftFacts;
import org.iepcharge.ledger.HoldRecord;
import org.iepcharge.scenarios.ScenarioMessages.Step;
import org.iepcharge.testkit.EngineHarness.Ack;
import org.iepcharge.testkit.EngineHarness.Transport;
import org.iepcharge.testkit.EngineHarness;

/**
 * Runs scenario rows through the real routes over MLLP: one {@link EngineHarness} per rules file, reused across the
 * consecutive rows that use it (callers sort rows by rules file), closed when the next rules file comes.
 */
final class ScenarioRunner implements AutoCloseable {
    static final Path SCENARIOS = EngineHarness.projectDir().resolve("testdata/scenarios");

    /** What the engine did with one row. */
    record RowRun(ScenarioRow row, EngineHarness engine, Path rulesFile, ScenarioMessages messages, List<Step> steps,
                  List<String> ackProblems, List<DftFacts.Ft1> ft1s, List<HoldRecord> openHolds, String refusal) {
    }

    private final Path tmp;
    private String currentRules;
    private EngineHarness current;
    private int engines;

    ScenarioRunner(Path tmp) {
        this.tmp = tmp;
    }

    static List<ScenarioRow> rows() throws Exception {
        List<ScenarioRow> rows = new ArrayList<>(ScenarioRow.read(SCENARIOS.resolve("scenarios.csv")));
        rows.sort(Comparator.comparing(ScenarioRow::rules)); // stable: file order within a rules file
        return rows;
    }

    RowRun run(ScenarioRow row) throws Exception {
        Path rulesFile = row.rulesFile(SCENARIOS, EngineHarness.projectDir());
        if (row.expectsRefusal()) {
            closeCurrent();
            try (EngineHarness refused = EngineHarness.start(Transport.MLLP, tmp.resolve("refused-" + row.id()),
                    Map.of("iep.rules", rulesFile.toString()))) {
                return new RowRun(row, refused, rulesFile, new ScenarioMessages(row), List.of(), List.of(), List.of(),
                        List.of(), "");
            } catch (Exception | Error e) {
                return new RowRun(row, null, rulesFile, new ScenarioMessages(row), List.of(), List.of(), List.of(),
                        List.of(), String.valueOf(e.getMessage()));
            }
        }
        EngineHarness engine = engineFor(row.rules(), rulesFile);
        int before = engine.dfts().size();
        ScenarioMessages messages = new ScenarioMessages(row);
        List<Step> steps = messages.steps();
        List<String> ackProblems = new ArrayList<>();
        for (Step step : steps) {
            Ack ack = engine.send(step.payload());
            if (!ack.msa1().equals("AA")) {
                ackProblems.add(step.token() + " answered " + ack.msa1() + " " + ack.err3() + ": "
                        + ack.toString().replace('\n', ' '));
            }
            engine.awaitOutboxEmpty(Duration.ofSeconds(20));
        }
        List<String> all = engine.dfts();
        List<DftFacts.Ft1> ft1s = new ArrayList<>();
        for (String dft : all.subList(before, all.size())) {
            ft1s.addAll(DftFacts.read(dft).ft1s());
        }
        // Every open hold of the row's orders, whichever number (placer or filler, with or without namespace) the
        // ledger files them under: each row's order numbers carry its own tag (L<line>).
        String tag = messages.placer("");
        List<HoldRecord> holds = new ArrayList<>(engine.engine().ledger().read(s -> s.holds().allOpen()).stream()
                .filter(h -> h.orderKey().contains(tag)).toList());
        holds.sort(Comparator.comparingLong(HoldRecord::id));
        return new RowRun(row, engine, rulesFile, messages, steps, ackProblems, ft1s, holds, null);
    }

    private EngineHarness engineFor(String rules, Path rulesFile) throws Exception {
        if (current != null && rules.equals(currentRules)) {
            return current;
        }
        closeCurrent();
        current = EngineHarness.start(Transport.MLLP, tmp.resolve("engine-" + (++engines) + "-" + rules),
                Map.of("iep.rules", rulesFile.toString()));
        currentRules = rules;
        return current;
    }

    private void closeCurrent() {
        if (current != null) {
            current.close();
            current = null;
            currentRules = null;
        }
    }

    @Override
    public void close() {
        closeCurrent();
    }

    // ---- the row's view of a DFT line and a hold ----------------------------------------------------------------

    /** {@code FT1-6 CPT MODIFIERS FT1-4 FT1-27}, as the expected_ft1 column writes a line. */
    static String token(DftFacts.Ft1 f) {
        List<String> mods = f.modifiers().stream().map(m -> first(m)).toList();
        return f.transactionType() + " " + first(f.procedure()) + " " + (mods.isEmpty() ? "-" : String.join("+", mods))
                + " " + dash(first(f.transactionDate())) + " " + dash(first(f.abnStatus()));
    }

    /** {@code REASON:KIND:CPT}; the expected_holds column may leave out {@code :CPT} or {@code :KIND:CPT}. */
    static String token(HoldRecord h) {
        return h.reasonCode() + ":" + h.kind() + ":" + (h.cpt().isEmpty() ? "-" : h.cpt());
    }

    static String first(String er7) {
        int caret = er7.indexOf('^');
        return caret < 0 ? er7 : er7.substring(0, caret);
    }

    private static String dash(String s) {
        return s.isEmpty() ? "-" : s;
    }
}
