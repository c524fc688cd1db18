package org.iepcharge.capture;

import java.util.List;

import org.iepcharge.domain.ChargeLine;

/** What the rules decided for one test: lines to post (no transaction IDs yet) and holds. */
public record Plan(List<ChargeLine> lines, List<PlannedHold> holds, String rulesVersion) {
    public Plan {
        lines = List.copyOf(lines);
        holds = List.copyOf(holds);
    }
}
