-- ix_inbound_control (sender, control_id) repeats the leading columns of uq_inbound_identity
-- (sender, control_id, content_hash), which H2 and PostgreSQL both use for the same lookups. One index less is one
-- B-tree less to write on every inbound message (and, on H2, fewer pages serialised at each commit).
DROP INDEX ix_inbound_control;
