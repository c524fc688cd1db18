/**
 * Charge capture: one accepted message, inside one ledger transaction, through the events of docs/decision-contract.md
 * §7 — order context stored, lines decided by the rules, charges and credits queued as DFTs, holds opened and closed.
 * {@link org.iepcharge.capture.ChargeCapture} finds each test's order and hands it to {@code OrderEvents} (ORM/OML)
 * or {@code ResultEvents} (ORU); both decide and book through {@code Posting} and {@code Holds}, all with the one
 * per-message {@code CaptureContext} over {@code CaptureLedger}, the capture's unchecked view of the transaction.
 */
package org.iepcharge.capture;
