package org.iepcharge.scenarios;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.iepcharge.billing.DftFacts;
import org.iepcharge.ledger.HoldRecord;
import org.iepcharge.scenarios.ScenarioRunner.RowRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scenario matrix of {@code testdata/scenarios/scenarios.csv}: every row through the real routes over MLLP, its DFT
 * lines and open holds compared with the hand-written expectation (written from docs/decision-contract.md, never from
 * the engine's output). Every difference fails the row; a row may not carry a known-deviation mark (a deviation from
 * the contract is a defect to fix, never a skip).
 */
class ScenarioMatrixTest {
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

    @TestFactory
    Stream<DynamicTest> everyRowPostsTheHandWrittenLinesAndHolds() throws Exception {
        List<ScenarioRow> rows = ScenarioRunner.rows();
        assertThat(rows).as("scenario rows").hasSizeGreaterThanOrEqualTo(60);
        return rows.stream().map(row -> DynamicTest.dynamicTest(row.id() + " [" + row.category() + ", "
                + row.rules() + "]", () -> check(runner.run(row))));
    }

    static void check(RowRun run) {
        ScenarioRow row = run.row();
        List<String> problems = problems(run);
        System.out.println(row.id() + ": " + (row.expectsRefusal() ? "refusal " + run.refusal()
                : "FT1 " + show(run.ft1s().stream().map(ScenarioRunner::token).toList()) + " holds "
                + show(run.openHolds().stream().map(ScenarioRunner::token).toList()))
                + (problems.isEmpty() ? " OK" : " MISMATCH"));
        if (row.isKnownDeviation()) {
            problems.add("the row is marked as a known deviation (" + row.knownDeviation() + "): a deviation from"
                    + " the contract is fixed, not marked; empty the known_deviation column");
        }
        if (!problems.isEmpty()) {
            throw new AssertionError("row " + row + ": " + String.join("\n  ", problems));
        }
    }

    /** Every difference between the row's expectation and what the engine did, each saying expected and actual. */
    static List<String> problems(RowRun run) {
        ScenarioRow row = run.row();
        List<String> problems = new ArrayList<>();
        if (row.expectsRefusal()) {
            String wanted = row.expectedFt1s().get(0).substring(ScenarioRow.REFUSED.length()).trim();
            if (run.refusal() == null || run.refusal().isEmpty()) {
                problems.add("expected the engine to refuse rules " + row.rules() + ", actual: it started");
            } else if (!wanted.isEmpty() && !run.refusal().contains(wanted)) {
                problems.add("expected a refusal naming '" + wanted + "', actual: " + run.refusal());
            }
            return problems;
        }
        problems.addAll(run.ackProblems());
        List<String> actualFt1 = run.ft1s().stream().map(ScenarioRunner::token).toList();
        if (!actualFt1.equals(row.expectedFt1s())) {
            problems.add("DFT lines: expected " + show(row.expectedFt1s()) + ", actual " + show(actualFt1));
        }
        problems.addAll(structure(run.ft1s()));
        List<String> actualHolds = run.openHolds().stream().map(ScenarioRunner::token).toList();
        if (!holdsMatch(row.expectedHolds(), actualHolds)) {
            problems.add("open holds: expected " + show(row.expectedHolds()) + ", actual " + show(actualHolds));
        }
        return problems;
    }

    /** §8: FT1-2 1..12 characters; a credit carries its charge's FT1-2; (FT1-2, FT1-6) unique; FT1-26 systems. */
    static List<String> structure(List<DftFacts.Ft1> ft1s) {
        List<String> problems = new ArrayList<>();
        Map<String, String> charges = new HashMap<>();
        Set<String> pairs = new HashSet<>();
        for (DftFacts.Ft1 f : ft1s) {
            String id = f.transactionId();
            if (id.isEmpty() || id.length() > 12) {
                problems.add("FT1-2 '" + id + "' must be 1..12 characters (§8)");
            }
            if (!pairs.add(id + "/" + f.transactionType())) {
                problems.add("(FT1-2, FT1-6) " + id + "/" + f.transactionType() + " sent twice (§8)");
            }
            String line = ScenarioRunner.token(f).substring(3);
            if (f.transactionType().equals("CG")) {
                charges.put(id, line);
            } else if (f.transactionType().equals("CD")) {
                if (!charges.containsKey(id)) {
                    problems.add("credit " + ScenarioRunner.token(f) + " carries FT1-2 " + id
                            + ", which is no charge of this row (§8: the credit carries its charge's FT1-2)");
                } else if (!charges.get(id).equals(line)) {
                    problems.add("credit " + ScenarioRunner.token(f) + " does not mirror its charge " + id + " ("
                            + charges.get(id) + ")");
                }
            } else {
                problems.add("FT1-6 '" + f.transactionType() + "' is neither CG nor CD");
            }
            for (String m : f.modifiers()) {
                String code = ScenarioRunner.first(m);
                String system = code.matches("\\d+") ? "CPTM" : "HCPCS";
                if (!m.endsWith("^" + system)) {
                    problems.add("FT1-26 '" + m + "': expected coding system " + system + " (§8)");
                }
            }
        }
        return problems;
    }

    /**
     * Expected {@code REASON:KIND:CPT}, {@code REASON:KIND} for any CPT, or {@code REASON} for any kind and CPT; as a
     * multiset, in no particular order (the most specific expectations are matched first).
     */
    static boolean holdsMatch(List<String> expected, List<String> actual) {
        if (expected.size() != actual.size()) {
            return false;
        }
        List<String> left = new ArrayList<>(actual);
        for (String e : expected.stream().sorted(java.util.Comparator.comparingLong(
                (String a) -> a.chars().filter(c -> c == ':').count()).reversed()).toList()) {
            long parts = e.chars().filter(c -> c == ':').count();
            String found = left.stream().filter(a -> parts == 2 ? a.equals(e) : a.startsWith(e + ":"))
                    .findFirst().orElse(null);
            if (found == null) {
                return false;
            }
            left.remove(found);
        }
        return true;
    }

    static String show(List<String> items) {
        return items.isEmpty() ? "(none)" : "[" + String.join("; ", items) + "]";
    }

    static String describe(HoldRecord h) {
        return h.reasonCode() + ":" + h.kind();
    }
}
