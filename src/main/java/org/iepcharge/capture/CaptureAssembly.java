package org.iepcharge.capture;

import java.time.Clock;
import java.util.function.Function;

import org.iepcharge.billing.DftBuilder;
import org.iepcharge.billing.DftSettings;
import org.iepcharge.config.EngineSettings;
import org.iepcharge.ledger.Ledger;
import org.iepcharge.rules.ChargeTrigger;
import org.iepcharge.rules.RuleSet;

/**
 * Charge capture put together from the settings, the same way for the engine, the console's and the command line's
 * hold releases and {@code explain}, so a release or an explanation decides exactly as the running engine would.
 */
public final class CaptureAssembly {
    private CaptureAssembly() {
    }

    /** Rules file named by the settings, else the built-in default. */
    public static RuleSet rules(EngineSettings settings) {
        return settings.rules() == null ? RuleSet.builtIn() : RuleSet.load(settings.rules());
    }

    /** Charge capture as the engine runs it, with the rules given. */
    public static ChargeCapture newCapture(EngineSettings settings, RuleSet rules, Ledger ledger) {
        return newCapture(settings, rules, RulesLinePlanner::new, ledger);
    }

    /** As {@link #newCapture(EngineSettings, RuleSet, Ledger)}, with the planner made by {@code planner}. */
    public static ChargeCapture newCapture(EngineSettings settings, RuleSet rules,
                                           Function<RuleSet, RulesLinePlanner> planner, Ledger ledger) {
        return newCapture(settings, rules, planner, ledger, Clock.systemDefaultZone(), ChargeIds.LEDGER_SEQUENCES);
    }

    /** As above, with the clock and the ID source given (the engine's tests pin both). */
    public static ChargeCapture newCapture(EngineSettings settings, RuleSet rules,
                                           Function<RuleSet, RulesLinePlanner> planner,
                                           Ledger ledger, Clock clock, ChargeIds ids) {
        DftBuilder dfts = new DftBuilder(new DftSettings(settings.application(), settings.facility(),
                settings.billingApplication(), settings.billingFacility()));
        return new ChargeCapture(ledger, planner.apply(rules), dfts,
                rules.site().chargeTrigger() == ChargeTrigger.ORDER, clock, ids);
    }
}
