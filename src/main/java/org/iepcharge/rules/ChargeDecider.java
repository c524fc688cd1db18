package org.iepcharge.rules;

import java.util.Objects;

/**
 * The charge decision of docs/decision-contract.md §4–§6 as a pure function: the same input and rules give the same
 * decision, with no I/O beyond the {@link ChargeHistory} the caller passes in. The pipeline calls it inside its ledger
 * transaction, then assigns transaction IDs to the postable lines and stores the held ones.
 */
public final class ChargeDecider {
    private final RuleSet rules;

    public ChargeDecider(RuleSet rules) {
        this.rules = Objects.requireNonNull(rules, "rules");
    }

    public RuleSet rules() {
        return rules;
    }

    /** The decision with the trace {@code explain} shows. */
    public Decision decide(DecisionInput in) {
        return new DecisionRun(rules, in, true).run();
    }

    /**
     * The same decision — outcome, lines, holds with their texts, rules version — without the trace (an empty one):
     * for the engine's message path, where nothing reads the trace and its strings cost the ledger writer more than
     * the rules themselves (issue 9). {@code DecisionInvariantTest} checks both give the same decision.
     */
    public Decision decideUntraced(DecisionInput in) {
        return new DecisionRun(rules, in, false).run();
    }

    /**
     * FT1-26 coding system of a modifier: CPT modifiers (26, 90, 91, 59) are {@code CPTM}, HCPCS level II modifiers
     * (TC, GA, GZ, GY, XE, XS, XP, XU) {@code HCPCS} (table 0396 [4.2]).
     *
     * @throws IllegalArgumentException for a modifier this engine never writes
     */
    public static String modifierCodingSystem(String modifier) {
        return Modifier.of(modifier)
                .orElseThrow(() -> new IllegalArgumentException("not a modifier this engine writes: " + modifier))
                .codingSystem();
    }
}
