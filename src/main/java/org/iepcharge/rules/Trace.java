package org.iepcharge.rules;

import java.util.ArrayList;
import java.util.List;

/** The trace of one decision under construction. */
final class Trace {
    private final List<TraceEntry> entries = new ArrayList<>();

    void add(String rule, String saw, String outcome, String fact) {
        entries.add(new TraceEntry(rule, saw, outcome, fact));
    }

    List<TraceEntry> entries() {
        return entries;
    }
}
