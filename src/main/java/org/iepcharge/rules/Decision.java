package org.iepcharge.rules;

import java.util.List;

/**
 * The outcome of one charge decision: zero, one or two lines (T, then P), each postable or held, plus the trace
 * {@code explain} shows, and the rules version that decided it.
 */
public record Decision(Outcome outcome, List<DecidedLine> lines, List<TraceEntry> trace, String rulesVersion) {
    public enum Outcome {
        /** The test code is in the charge master; the lines say what to post or hold. */
        CHARGE_MASTER_TEST,
        /** Not in the charge master, but its name looks like IEP: one held line for an analyst (§3). */
        UNMAPPED_IEP_LIKE_TEST,
        /** Not a test we charge: acknowledged and recorded as ignored (§7). */
        NOT_A_CHARGE_MASTER_TEST
    }

    public Decision {
        lines = List.copyOf(lines);
        trace = List.copyOf(trace);
    }

    public boolean isIgnored() {
        return outcome == Outcome.NOT_A_CHARGE_MASTER_TEST;
    }

    public List<DecidedLine> postable() {
        return lines.stream().filter(l -> !l.isHeld()).toList();
    }

    public List<DecidedLine> held() {
        return lines.stream().filter(DecidedLine::isHeld).toList();
    }
}
