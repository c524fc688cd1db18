package org.iepcharge.ledger;

import java.sql.SQLException;

/** Work done inside one ledger transaction. */
@FunctionalInterface
public interface LedgerWork<T> {
    T apply(LedgerSession session) throws SQLException;
}
