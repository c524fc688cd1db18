-- Operator actions (console and command line): who did what to which hold or DFT, when, and why.
-- Portable SQL (SQLite and PostgreSQL): the key is a UUID made by the engine, no identity column.
CREATE TABLE operator_audit (
    audit_id   VARCHAR(36)   NOT NULL PRIMARY KEY,
    acted_at   TIMESTAMP     NOT NULL,
    actor      VARCHAR(200)  NOT NULL,
    action     VARCHAR(40)   NOT NULL,
    target     VARCHAR(200)  NOT NULL,
    reason     VARCHAR(1000) NOT NULL,
    result     VARCHAR(200)  NOT NULL
);
CREATE INDEX ix_audit_acted ON operator_audit (acted_at);
