-- A DFT may be queued as the document it is built from instead of its bytes (issue 9: the DFT^P03 build was 41 % of
-- the ledger writer's Java time). The document holds everything the DFT carries — MSH-10, every FT1-2, MSH-7/EVN-2/
-- FT1-5, the order context as it was, the DFT settings — so the outbox builds the same bytes on every delivery and
-- after a restart. payload stays NOT NULL: such a row holds an empty payload. Rows queued before keep their bytes.
-- Portable SQL (ADD COLUMN only): the same file runs on SQLite and PostgreSQL.
ALTER TABLE outbox ADD COLUMN document TEXT;
