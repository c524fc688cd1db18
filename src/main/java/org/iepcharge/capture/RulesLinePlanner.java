package org.iepcharge.capture;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.iepcharge.domain.EntityId;
import org.iepcharge.domain.LineKind;
import org.iepcharge.domain.OrderContext;
import org.iepcharge.domain.OrderKey;
import org.iepcharge.domain.OrderedTest;
import org.iepcharge.ledger.LedgerSession;
import org.iepcharge.ledger.StoredLine;
import org.iepcharge.rules.ChargeDecider;
import org.iepcharge.rules.ChargeHistory;
import org.iepcharge.rules.DecidedLine;
import org.iepcharge.rules.Decision;
import org.iepcharge.rules.DecisionInput;
import org.iepcharge.rules.PriorLine;
import org.iepcharge.rules.RuleSet;

/**
 * The line planner over the analysts' rules file: docs/decision-contract.md §4–§6 are decided by {@link ChargeDecider},
 * a pure function; this class feeds it the order context and the ledger's history, inside the capture transaction.
 */
public final class RulesLinePlanner implements LinePlanner {
    private final RuleSet rules;
    private final ChargeDecider decider;
    /** Null on the engine's message path: then no decision is traced (nothing would read the trace). */
    private final java.util.function.Consumer<Decision> observer;

    public RulesLinePlanner(RuleSet rules) {
        this.rules = rules;
        this.decider = new ChargeDecider(rules);
        this.observer = null;
    }

    /** {@code observer} sees every decision with its trace ({@code explain} prints them). */
    public RulesLinePlanner(RuleSet rules, java.util.function.Consumer<Decision> observer) {
        this.rules = rules;
        this.decider = new ChargeDecider(rules);
        this.observer = java.util.Objects.requireNonNull(observer, "observer");
    }

    @Override
    public Optional<String> chargeMasterCpt(OrderedTest test) {
        return rules.chargeMasterEntry(test.test(), test.alternateTest()).map(e -> e.cpt());
    }

    @Override
    public boolean looksLikeIep(OrderedTest test) {
        return rules.looksLikeIep(test.test(), test.alternateTest());
    }

    @Override
    public Plan plan(DecisionTrigger trigger, Optional<OrderContext> context, LedgerSession session)
            throws SQLException {
        Decision decision = decide(trigger, context, session);
        List<org.iepcharge.domain.ChargeLine> lines = new ArrayList<>();
        List<PlannedHold> holds = new ArrayList<>();
        for (DecidedLine d : decision.lines()) {
            if (d.isHeld()) {
                holds.add(new PlannedHold(d.line() == null ? LineKind.T : d.line().kind(),
                        d.line() == null ? "" : d.line().cpt(), d.hold().reason(), d.hold().text()));
            } else {
                lines.add(d.line());
            }
        }
        return new Plan(lines, holds, decision.rulesVersion());
    }

    /** The full decision, with its trace when this planner has an observer ({@code explain}). */
    public Decision decide(DecisionTrigger trigger, Optional<OrderContext> context, LedgerSession session)
            throws SQLException {
        SQLException[] failure = new SQLException[1];
        ChargeHistory history = (patientKey, cpt, dateOfService) -> {
            try {
                return session.lines().postedForPatient(patientKey, cpt, dateOfService).stream()
                        .filter(l -> l.production() && l.line().kind() == LineKind.T)
                        .map(l -> new PriorLine(identityOf(l), l.line().dateOfService(), l.line().units()))
                        .toList();
            } catch (SQLException e) {
                failure[0] = e;
                return List.of();
            }
        };
        DecisionInput input = new DecisionInput(trigger.test(), context.orElse(null), trigger.header(),
                trigger.patient(), history);
        Decision decision = observer == null ? decider.decideUntraced(input) : decider.decide(input);
        if (failure[0] != null) {
            throw failure[0];
        }
        if (observer != null) {
            observer.accept(decision);
        }
        return decision;
    }

    /**
     * The order a posted line belongs to, whole: the placer and filler numbers stored with the line, so that a result
     * naming the order by its filler number only recognises the order's own lines (docs/decision-contract.md §1,
     * §5). A line without them (none known) falls back to the key it is filed under.
     */
    static OrderKey identityOf(StoredLine line) {
        return line.order().isEmpty() ? orderKeyOf(line.orderKey()) : line.order();
    }

    /** The order key a ledger filing key ({@link OrderKey#primaryKey()}) names: one of the two numbers only. */
    static OrderKey orderKeyOf(String primaryKey) {
        String body = primaryKey.length() > 2 ? primaryKey.substring(2) : "";
        int caret = body.lastIndexOf('^');
        EntityId id = caret < 0 ? new EntityId(body, "") : new EntityId(body.substring(0, caret),
                body.substring(caret + 1));
        return primaryKey.startsWith("P:") ? new OrderKey(id, null) : new OrderKey(null, id);
    }

    @Override
    public String rulesVersion() {
        return rules.version();
    }
}
