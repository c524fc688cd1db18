-- Line identity is (order, CPT, kind), and an order is one order whichever number names it
-- (docs/decision-contract.md §1, §4, §7; issue 12).
-- Portable SQL: only CREATE TABLE, ADD COLUMN, CREATE INDEX, INSERT and UPDATE, so the same file runs on SQLite
-- and PostgreSQL.

-- 1. "Final seen" and "cancel state" belong to one charge-master test of an order, not to the whole order: an order
--    of two tests (86320 and 86334) has two first finals and can have one test cancelled. order_context keeps its
--    old final_seen / cancel_state columns (no DROP COLUMN here), which the engine no longer reads.
--    cpt = '' is the order-wide state carried over from before this migration, read only while the (order, CPT) row
--    does not exist yet.
CREATE TABLE order_test (
    order_key    VARCHAR(500) NOT NULL,
    cpt          VARCHAR(10)  NOT NULL,
    final_seen   BOOLEAN      NOT NULL,
    cancel_state VARCHAR(20)  NOT NULL,
    PRIMARY KEY (order_key, cpt)
);

INSERT INTO order_test (order_key, cpt, final_seen, cancel_state)
SELECT c.order_key, t.cpt, c.final_seen, c.cancel_state
FROM order_context c
JOIN (SELECT order_key, cpt FROM charge_line
      UNION SELECT order_key, cpt FROM charge_hold WHERE cpt <> '') t ON t.order_key = c.order_key;

INSERT INTO order_test (order_key, cpt, final_seen, cancel_state)
SELECT c.order_key, '', c.final_seen, c.cancel_state
FROM order_context c
WHERE (c.final_seen = TRUE OR c.cancel_state <> 'NONE')
  AND NOT EXISTS (SELECT 1 FROM order_test t WHERE t.order_key = c.order_key);

-- 2. A charge line carries its order's numbers whole (placer and filler, each id^namespace as in order_context),
--    so the same-day repeat and MUE rules recognise the order's own lines whichever number a later result uses.
ALTER TABLE charge_line ADD COLUMN placer_key VARCHAR(500) NOT NULL DEFAULT '';
ALTER TABLE charge_line ADD COLUMN filler_key VARCHAR(500) NOT NULL DEFAULT '';

UPDATE charge_line SET
    placer_key = COALESCE((SELECT c.placer_key FROM order_context c WHERE c.order_key = charge_line.order_key), ''),
    filler_key = COALESCE((SELECT c.filler_key FROM order_context c WHERE c.order_key = charge_line.order_key), '');
