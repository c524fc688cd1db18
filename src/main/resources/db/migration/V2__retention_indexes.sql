-- Retention (LedgerRetention) looks rows up by the inbound message they reference, and deleting an inbound row
-- makes the database check those same foreign keys: without these indexes both scan whole tables.
CREATE INDEX ix_line_source ON charge_line (source_message_id);
CREATE INDEX ix_hold_source ON charge_hold (source_message_id);
CREATE INDEX ix_context_source ON order_context (source_message_id);
