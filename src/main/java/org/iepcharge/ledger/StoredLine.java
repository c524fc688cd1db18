package org.iepcharge.ledger;

import org.iepcharge.domain.ChargeLine;
import org.iepcharge.domain.OrderKey;

/**
 * A charge line as the ledger holds it: the line, its generation (re-posts after corrections) and status.
 * {@code orderKey} is the key the order is filed under; {@code order} its whole identity (placer and filler numbers
 * with their namespaces, as far as known when the line was posted), which survives the round trip through the
 * ledger so that a later result naming the order by either number finds its own lines (docs/decision-contract.md §1).
 * The line's identity is (order, CPT, kind) (§4).
 */
public record StoredLine(long id, String orderKey, OrderKey order, int generation, ChargeLine line, LineStatus status,
                         boolean production, String patientKey, String rulesVersion, String postedDft) {
    public StoredLine {
        order = order == null ? new OrderKey(null, null) : order;
    }

    public boolean isPosted() {
        return status == LineStatus.POSTED;
    }
}
