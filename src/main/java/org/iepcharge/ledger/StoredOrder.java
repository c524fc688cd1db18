package org.iepcharge.ledger;

import org.iepcharge.domain.OrderContext;

/**
 * An order as the ledger files it: {@code orderKey} is the key its rows (context, lines, holds, DFTs) are filed
 * under, fixed when the order was first seen; the context's {@link OrderContext#key() key} is its whole identity,
 * which may have learned a number since (a filler number the order message did not have yet). The two can differ:
 * an order first named by its filler number stays filed under it.
 */
public record StoredOrder(String orderKey, OrderContext context) {
}
