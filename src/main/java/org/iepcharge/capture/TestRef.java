package org.iepcharge.capture;

import org.iepcharge.domain.OrderKey;

/**
 * One charge-master test of an order: the unit the capture keeps its state for. The line identity is (order, CPT,
 * kind) (docs/decision-contract.md §4): first final, cancel state, posted lines, holds and corrections are all per
 * (order, CPT), so a second charge-master test on the same order is never taken for the first.
 *
 * @param orderKey the key the order is filed under in the ledger ({@link org.iepcharge.ledger.StoredOrder})
 * @param cpt      the CPT the charge master maps the test to ({@code ""} for an unmapped IEP-like test)
 * @param order    the order's whole identity: placer and filler numbers with namespaces, as far as known
 */
record TestRef(String orderKey, String cpt, OrderKey order) {
}
