package org.iepcharge.rules;

import org.iepcharge.domain.ChargeLine;

/**
 * One line of a decision: the charge line as decided (no transaction ID yet: the ledger assigns FT1-2), and, when it
 * cannot be posted, the hold. A held line still shows what was decided so far, for the analyst.
 *
 * @param hold null when the line can be posted
 */
public record DecidedLine(ChargeLine line, Hold hold) {
    public boolean isHeld() {
        return hold != null;
    }
}
