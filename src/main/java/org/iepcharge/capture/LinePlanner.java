package org.iepcharge.capture;

import java.sql.SQLException;
import java.util.Optional;

import org.iepcharge.domain.OrderContext;
import org.iepcharge.ledger.LedgerSession;

/** Decides the lines for one charge-master test (docs/decision-contract.md §4–§6). */
public interface LinePlanner {

    /** Whether the test is in the charge master (recognition by code only, §3). */
    default boolean isChargeMasterTest(org.iepcharge.domain.OrderedTest test) {
        return chargeMasterCpt(test).isPresent();
    }

    /**
     * The CPT the charge master maps the test to, if it is a charge-master test. With the order it is the identity
     * of everything the capture keeps per test: first final, cancel, posted lines, holds (docs/decision-contract.md
     * §4: a line is (order, CPT, kind)).
     */
    Optional<String> chargeMasterCpt(org.iepcharge.domain.OrderedTest test);

    /** Whether the test's name looks like IEP although its code is not in the charge master (held, §3). */
    boolean looksLikeIep(org.iepcharge.domain.OrderedTest test);

    /**
     * The lines and holds for a test. {@code session} answers history questions (same-day repeats, MUE) inside the
     * caller's transaction.
     */
    Plan plan(DecisionTrigger trigger, Optional<OrderContext> context, LedgerSession session) throws SQLException;

    /** The rules version in force, recorded with each posted line. */
    String rulesVersion();
}
