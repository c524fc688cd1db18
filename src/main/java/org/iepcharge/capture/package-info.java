/**
 * Charge capture: one accepted message, inside one ledger transaction, through the events of docs/decision-contract.md
 * §7 — order context stored, lines decided by the rules, charges and credits queued as DFTs, holds opened and closed.
 */
package org.iepcharge.capture;
