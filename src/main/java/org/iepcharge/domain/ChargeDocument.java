package org.iepcharge.domain;

import java.util.List;

/**
 * Everything one DFT^P03 carries (docs/decision-contract.md §8). Built once, inside the ledger transaction that queues
 * it, so a redelivery sends the very same bytes.
 *
 * @param controlId    MSH-10 of the DFT, at most 20 characters
 * @param processingId copied from the inbound MSH-11
 * @param postedAt     EVN-2 and FT1-5, HL7 DTM
 * @param fillerOrder  FT1-23
 */
public record ChargeDocument(String controlId, String processingId, String postedAt, OrderContext context,
                             EntityId fillerOrder, List<FinancialTransaction> transactions) {
    public ChargeDocument {
        transactions = List.copyOf(transactions);
        fillerOrder = fillerOrder == null ? EntityId.NONE : fillerOrder;
    }
}
