package org.iepcharge.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/** Counts the answers of a send run and prints them as "AA 12, AE 1, AR 0, no answer 0". */
final class AckTally {
    private final Map<String, Integer> counts = new LinkedHashMap<>();

    AckTally() {
        // The three codes of original mode are always shown, so a script can rely on them.
        counts.put("AA", 0);
        counts.put("AE", 0);
        counts.put("AR", 0);
    }

    /**
     * Counts one answer. An ACK whose MSA-2 is not the sent MSH-10 belongs to another message (camel-mllp does not
     * check), so it says nothing about this one and is counted apart, never as accepted.
     */
    void add(SendOutcome outcome, String sentControlId) {
        String key;
        if (!outcome.answered()) {
            key = "no answer";
        } else if (!outcome.ackControlId().equals(sentControlId)) {
            key = "MSA-2 mismatch";
        } else {
            key = outcome.ackCode();
        }
        counts.merge(key, 1, Integer::sum);
    }

    void addNotSent(int count) {
        if (count > 0) {
            counts.merge("not sent", count, Integer::sum);
        }
    }

    /** True only if every message got AA or CA. */
    boolean allAccepted() {
        return counts.entrySet().stream()
                .allMatch(e -> e.getValue() == 0 || e.getKey().equals("AA") || e.getKey().equals("CA"));
    }

    @Override
    public String toString() {
        counts.putIfAbsent("no answer", 0);
        StringBuilder text = new StringBuilder();
        counts.entrySet().stream()
                .sorted((a, b) -> Integer.compare(order(a.getKey()), order(b.getKey())))
                .forEach(e -> text.append(text.length() == 0 ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue()));
        return text.toString();
    }

    private static int order(String key) {
        return switch (key) {
            case "AA" -> 0;
            case "AE" -> 1;
            case "AR" -> 2;
            case "CA" -> 3;
            case "CE" -> 4;
            case "CR" -> 5;
            case "no answer" -> 7;
            case "not sent" -> 8;
            default -> 6;
        };
    }
}
