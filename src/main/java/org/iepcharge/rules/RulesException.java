package org.iepcharge.rules;

import java.util.List;

/**
 * A rules file that cannot be used. The message lists every problem found, one per line, each as
 * {@code file:line: key: problem}, so an analyst can fix them all in one pass.
 */
public final class RulesException extends RuntimeException {
    private final List<String> problems;

    public RulesException(List<String> problems) {
        super(String.join("\n", problems));
        this.problems = List.copyOf(problems);
    }

    public RulesException(String problem, Throwable cause) {
        super(problem, cause);
        this.problems = List.of(problem);
    }

    /** Each problem as {@code file:line: key: problem}. */
    public List<String> problems() {
        return problems;
    }
}
