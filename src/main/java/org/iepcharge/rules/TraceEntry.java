package org.iepcharge.rules;

/**
 * One step of {@code explain}: a rule, the inputs it saw with where each came from, what it decided, and the fact it
 * rests on (a docs/billing-facts.md section such as "[2.1]", or a docs/decision-contract.md section). For the analyst's
 * view: it may name diagnosis codes and order numbers, never patient names, MRNs or birth dates; do not log it at INFO.
 */
public record TraceEntry(String rule, String saw, String outcome, String fact) {
    @Override
    public String toString() {
        return rule + ": " + saw + " -> " + outcome + (fact.isEmpty() ? "" : " " + fact);
    }
}
