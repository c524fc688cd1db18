package org.iepcharge.ledger;

import java.sql.SQLException;

/**
 * The audit row of an analyst's action (docs/operating.md, "Audit trail"), written inside the transaction that
 * carries the action out: the action and its record commit together or not at all, so a crash between the two can
 * neither leave an action nobody is recorded as having taken nor record one that never happened.
 *
 * @param <R> what the action came to (e.g. whether a parked DFT was queued again), which the row records
 */
@FunctionalInterface
public interface AuditWrite<R> {
    void write(LedgerSession session, R result) throws SQLException;
}
