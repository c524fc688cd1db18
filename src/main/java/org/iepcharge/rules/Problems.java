package org.iepcharge.rules;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects every problem of one rules file, so they are reported together rather than one per restart. */
final class Problems {
    private record Problem(int line, String text) {
    }

    private final String fileName;
    private final List<Problem> problems = new ArrayList<>();

    Problems(String fileName) {
        this.fileName = fileName;
    }

    /** @param line 1-based line number, 0 when the problem concerns the whole file */
    void add(int line, String key, String message) {
        String where = line > 0 ? fileName + ":" + line : fileName;
        String text = key == null || key.isEmpty() ? where + ": " + message : where + ": " + key + ": " + message;
        problems.add(new Problem(line, text));
    }

    boolean isEmpty() {
        return problems.isEmpty();
    }

    void throwIfAny() {
        if (!problems.isEmpty()) {
            throw new RulesException(problems.stream()
                    .sorted(Comparator.comparingInt(Problem::line))
                    .map(Problem::text)
                    .toList());
        }
    }
}
