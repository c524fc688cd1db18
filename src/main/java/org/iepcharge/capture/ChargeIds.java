package org.iepcharge.capture;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.iepcharge.ledger.DftIds;
import org.iepcharge.ledger.LedgerSession;

/**
 * Where a DFT's MSH-10 and a charge's FT1-2 come from. The engine draws them from the ledger's sequences, inside the
 * transaction that stores the line, so an ID is never handed out twice; a test can supply its own sequence to compare
 * a whole DFT with a hand-written one.
 */
public interface ChargeIds {

    /** MSH-10 of the next DFT: at most 20 characters. */
    String nextDftControlId(LedgerSession session) throws SQLException;

    /** FT1-2 of the next charge line: at most 12 characters (docs/decision-contract.md §8). */
    String nextTransactionId(LedgerSession session) throws SQLException;

    /** The MSH-10 of a DFT and the FT1-2 of its {@code charges} lines, in that order of drawing. */
    default DftIds nextDftIds(LedgerSession session, int charges) throws SQLException {
        String dft = nextDftControlId(session);
        List<String> transactions = new ArrayList<>(charges);
        for (int i = 0; i < charges; i++) {
            transactions.add(nextTransactionId(session));
        }
        return new DftIds(dft, transactions);
    }

    /** The ledger's own sequences: what the engine uses. */
    ChargeIds LEDGER_SEQUENCES = new ChargeIds() {
        @Override
        public DftIds nextDftIds(LedgerSession session, int charges) throws SQLException {
            return session.sequences().nextDftIds(charges); // one statement instead of 1 + charges
        }

        @Override
        public String nextDftControlId(LedgerSession session) throws SQLException {
            return session.sequences().nextDftControlId();
        }

        @Override
        public String nextTransactionId(LedgerSession session) throws SQLException {
            return session.sequences().nextTransactionId();
        }
    };
}
