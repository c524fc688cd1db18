package org.iepcharge.ledger;

import java.util.List;

/** The MSH-10 of one DFT and the FT1-2 of each charge line it carries, drawn together from the ledger's sequences. */
public record DftIds(String controlId, List<String> transactionIds) {
    public DftIds {
        transactionIds = List.copyOf(transactionIds);
    }
}
