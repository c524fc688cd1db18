-- ix_inbound_control (sender, control_id) repeats the leading columns of uq_inbound_identity
-- (sender, control_id, content_hash), which SQLite and PostgreSQL both use for the same lookups. One index less is one
-- B-tree less to write on every inbound message.
DROP INDEX ix_inbound_control;
