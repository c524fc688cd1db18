/**
 * The ledger: the durable centre of the engine. All SQL lives here. Idempotency rests on unique keys in the
 * database and outbox rows are claimed in the database, so several engine nodes can share one PostgreSQL ledger.
 */
package org.iepcharge.ledger;
