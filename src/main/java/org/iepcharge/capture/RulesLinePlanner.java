package org.iepcharge.capture;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.iepcharge.domain.ChargeLine;
import org.iepcharge.domain.LineKind;
import org.iepcharge.domain.OrderContext;
import org.iepcharge.domain.OrderedTest;
import org.iepcharge.domain.Provider;
import org.iepcharge.ledger.LedgerSession;
import org.iepcharge.rules.ChargeMasterEntry;
import org.iepcharge.rules.RuleSet;

/** The line planner over the analysts' rules file. */
public final class RulesLinePlanner implements LinePlanner {
    private final RuleSet rules;

    public RulesLinePlanner(RuleSet rules) {
        this.rules = rules;
    }

    @Override
    public boolean isChargeMasterTest(OrderedTest test) {
        return rules.chargeMasterEntry(test.test(), test.alternateTest()).isPresent();
    }

    @Override
    public boolean looksLikeIep(OrderedTest test) {
        return rules.looksLikeIep(test.test(), test.alternateTest());
    }

    @Override
    public Plan plan(DecisionTrigger trigger, Optional<OrderContext> context, LedgerSession session) {
        OrderedTest test = trigger.test();
        ChargeMasterEntry entry = rules.chargeMasterEntry(test.test(), test.alternateTest()).orElseThrow();
        List<ChargeLine> lines = new ArrayList<>();
        List<PlannedHold> holds = new ArrayList<>();
        if (test.collectionTime().isEmpty()) {
            holds.add(new PlannedHold(LineKind.T, entry.cpt(), "NO_COLLECTION_DATE",
                    "No collection date (SPM-17 / OBR-7): the date of service cannot be set [2.3]"));
        } else {
            lines.add(new ChargeLine("", LineKind.T, entry.cpt(), entry.description(), entry.chargeCode(),
                    entry.units(), List.of(), test.collectionTime(), Provider.NONE));
        }
        return new Plan(lines, holds, rules.version());
    }

    @Override
    public String rulesVersion() {
        return rules.version();
    }
}
