package org.iepcharge.scenarios;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One row of {@code testdata/scenarios/scenarios.csv}: the inputs, the steps (messages in order) and the hand-written
 * expectation. The column grammar is documented in {@code testdata/scenarios/README.md}.
 */
record ScenarioRow(int line, String id, String category, String rules, String version, String payer,
                   String patientClass, String abn, String dx, String interp, String lab, List<String> steps,
                   List<String> expectedFt1s, List<String> expectedHolds, String knownDeviation, String note) {

    static final List<String> HEADER = List.of("id", "category", "rules", "version", "payer", "class", "abn", "dx",
            "interp", "lab", "steps", "expected_ft1", "expected_holds", "known_deviation", "note");

    /** The sentinel of expected_ft1 for a rules file the engine must refuse at start-up. */
    static final String REFUSED = "REFUSED";

    boolean isKnownDeviation() {
        return !knownDeviation.isBlank();
    }

    boolean expectsRefusal() {
        return expectedFt1s.size() == 1 && expectedFt1s.get(0).startsWith(REFUSED);
    }

    /** The rules file of this row: {@code shipped} is the packaged default, else {@code rules/<name>.yaml}. */
    Path rulesFile(Path scenarios, Path project) {
        return rules.equals("shipped") ? project.resolve("src/main/resources/rules/default-rules.yaml")
                : scenarios.resolve("rules").resolve(rules + ".yaml");
    }

    @Override
    public String toString() {
        return id + " (line " + line + ", " + category + ", rules " + rules + ")";
    }

    static List<ScenarioRow> read(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        List<ScenarioRow> rows = new ArrayList<>();
        List<String> header = null;
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String raw = lines.get(i);
            if (raw.isBlank() || raw.startsWith("#")) {
                continue;
            }
            List<String> cells = split(raw);
            if (header == null) {
                header = cells;
                if (!header.equals(HEADER)) {
                    throw new IllegalArgumentException(csv + ":" + (i + 1) + ": header must be " + HEADER);
                }
                continue;
            }
            if (cells.size() != HEADER.size()) {
                throw new IllegalArgumentException(csv + ":" + (i + 1) + ": " + cells.size() + " cells, expected "
                        + HEADER.size() + ": " + raw);
            }
            String id = cells.get(0);
            if (ids.put(id, i + 1) != null) {
                throw new IllegalArgumentException(csv + ":" + (i + 1) + ": duplicate id " + id);
            }
            rows.add(new ScenarioRow(i + 1, id, cells.get(1), cells.get(2), cells.get(3), cells.get(4), cells.get(5),
                    cells.get(6), cells.get(7), cells.get(8), cells.get(9), words(cells.get(10)),
                    list(cells.get(11), ";"), words(cells.get(12)), cells.get(13), cells.get(14)));
        }
        return rows;
    }

    private static List<String> words(String cell) {
        String t = cell.trim();
        return t.isEmpty() || t.equals("-") ? List.of() : Arrays.asList(t.split("\\s+"));
    }

    private static List<String> list(String cell, String sep) {
        String t = cell.trim();
        if (t.isEmpty() || t.equals("-")) {
            return List.of();
        }
        return Arrays.stream(t.split(sep)).map(s -> s.trim().replaceAll("\\s+", " ")).toList();
    }

    /** CSV cells: comma-separated, a cell may be double-quoted ("" inside for a quote). */
    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(cell.toString().trim());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        out.add(cell.toString().trim());
        return out;
    }
}
