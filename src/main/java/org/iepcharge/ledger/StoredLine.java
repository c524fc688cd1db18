package org.iepcharge.ledger;

import org.iepcharge.domain.ChargeLine;

/** A charge line as the ledger holds it: the line, its generation (re-posts after corrections) and status. */
public record StoredLine(long id, String orderKey, int generation, ChargeLine line, String status, boolean production,
                         String patientKey, String rulesVersion, String postedDft) {
    public static final String POSTED = "POSTED";
    public static final String CREDITED = "CREDITED";
    public static final String WITHDRAWN = "WITHDRAWN";

    public boolean isPosted() {
        return POSTED.equals(status);
    }
}
