-- The ledger: every inbound message with its answer, order context, charge lines, holds and the DFT outbox.
-- SQLite spelling (the embedded ledger); db/vendor/postgresql/V1__ledger.sql is the same schema for shared
-- deployments. Only this first migration differs: an INTEGER PRIMARY KEY is SQLite's own row id (assigned on insert,
-- what an identity column is elsewhere), and SQLite has no sequences, so ledger_sequence holds their counters.
-- Later migrations are portable and live in db/migration.
-- Idempotency rests on the unique keys below, never on what one engine node remembers.

CREATE TABLE inbound_message (
    id              INTEGER PRIMARY KEY,
    sender          VARCHAR(500)  NOT NULL,
    control_id      VARCHAR(200)  NOT NULL,
    content_hash    VARCHAR(64)   NOT NULL,
    message_type    VARCHAR(40)   NOT NULL,
    processing_id   VARCHAR(5)    NOT NULL,
    received_at     TIMESTAMP     NOT NULL,
    raw             BLOB,
    disposition     VARCHAR(12)   NOT NULL,
    ack_code        VARCHAR(2)    NOT NULL,
    error_code      INTEGER       NOT NULL,
    error_location  VARCHAR(100)  NOT NULL,
    error_text      VARCHAR(1000) NOT NULL,
    CONSTRAINT uq_inbound_identity UNIQUE (sender, control_id, content_hash)
);
CREATE INDEX ix_inbound_control ON inbound_message (sender, control_id);
CREATE INDEX ix_inbound_received ON inbound_message (received_at);

CREATE TABLE order_context (
    id                INTEGER PRIMARY KEY,
    order_key         VARCHAR(500)    NOT NULL,
    placer_key        VARCHAR(500)    NOT NULL,
    filler_key        VARCHAR(500)    NOT NULL,
    patient_key       VARCHAR(500)    NOT NULL,
    source_message_id BIGINT          NOT NULL REFERENCES inbound_message (id),
    context_json      VARCHAR(200000) NOT NULL,
    cancel_state      VARCHAR(20)     NOT NULL,
    final_seen        BOOLEAN         NOT NULL,
    updated_at        TIMESTAMP       NOT NULL,
    CONSTRAINT uq_order_context UNIQUE (order_key)
);
CREATE INDEX ix_context_placer ON order_context (placer_key);
CREATE INDEX ix_context_filler ON order_context (filler_key);

CREATE TABLE charge_line (
    id                INTEGER PRIMARY KEY,
    transaction_id    VARCHAR(12)    NOT NULL,
    order_key         VARCHAR(500)   NOT NULL,
    cpt               VARCHAR(10)    NOT NULL,
    kind              VARCHAR(1)     NOT NULL,
    generation        INTEGER        NOT NULL,
    patient_key       VARCHAR(500)   NOT NULL,
    date_of_service   VARCHAR(30)    NOT NULL,
    units             INTEGER        NOT NULL,
    modifiers         VARCHAR(100)   NOT NULL,
    production        BOOLEAN        NOT NULL,
    status            VARCHAR(10)    NOT NULL,
    line_json         VARCHAR(20000) NOT NULL,
    rules_version     VARCHAR(40)    NOT NULL,
    source_message_id BIGINT         NOT NULL REFERENCES inbound_message (id),
    posted_dft        VARCHAR(20)    NOT NULL,
    credit_dft        VARCHAR(20),
    posted_at         TIMESTAMP      NOT NULL,
    credited_at       TIMESTAMP,
    CONSTRAINT uq_line_txn UNIQUE (transaction_id),
    CONSTRAINT uq_line_identity UNIQUE (order_key, cpt, kind, generation)
);
CREATE INDEX ix_line_patient ON charge_line (patient_key, cpt, date_of_service);

CREATE TABLE charge_hold (
    id                INTEGER PRIMARY KEY,
    order_key         VARCHAR(500)   NOT NULL,
    cpt               VARCHAR(10)    NOT NULL,
    kind              VARCHAR(1)     NOT NULL,
    patient_key       VARCHAR(500)   NOT NULL,
    reason_code       VARCHAR(40)    NOT NULL,
    reason_text       VARCHAR(1000)  NOT NULL,
    status            VARCHAR(10)    NOT NULL,
    source_message_id BIGINT         NOT NULL REFERENCES inbound_message (id),
    trigger_json      VARCHAR(200000) NOT NULL,
    created_at        TIMESTAMP      NOT NULL,
    closed_at         TIMESTAMP,
    closed_note       VARCHAR(1000)
);
CREATE INDEX ix_hold_order ON charge_hold (order_key, status);

-- AUTOINCREMENT: an outbox id is what an analyst types (outbox retry ID), so one is never reused, even after the
-- newest row was pruned.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    control_id      VARCHAR(20)   NOT NULL,
    order_key       VARCHAR(500)  NOT NULL,
    payload         BLOB         NOT NULL,
    status          VARCHAR(10)   NOT NULL,
    attempts        INTEGER       NOT NULL,
    next_attempt_at TIMESTAMP     NOT NULL,
    claimed_by      VARCHAR(100),
    claimed_until   TIMESTAMP,
    last_error      VARCHAR(1000),
    created_at      TIMESTAMP     NOT NULL,
    delivered_at    TIMESTAMP,
    CONSTRAINT uq_outbox_control UNIQUE (control_id)
);
CREATE INDEX ix_outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX ix_outbox_order ON outbox (order_key, id);

-- What CREATE SEQUENCE is on PostgreSQL: LedgerSession draws the next value with UPDATE ... RETURNING inside the
-- writer's transaction (SQLite has one writer at a time, so no two transactions draw the same value).
CREATE TABLE ledger_sequence (
    name  VARCHAR(40) PRIMARY KEY,
    value BIGINT      NOT NULL
);
INSERT INTO ledger_sequence (name, value) VALUES ('transaction_seq', 0);
INSERT INTO ledger_sequence (name, value) VALUES ('dft_seq', 0);
