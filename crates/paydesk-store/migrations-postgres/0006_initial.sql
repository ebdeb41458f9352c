-- PayDesk schema for a shared PostgreSQL store. It begins at version 6: the tables,
-- columns and rules the SQLite file has after migrations 1-6 (../migrations), so both
-- backends run the same SQL. Times are RFC 3339 text in UTC, as in SQLite; flags are 0/1
-- integers. Migrations only move forward: never edit a released file, add a new one.

CREATE TABLE accounts (
    name        TEXT PRIMARY KEY,
    provider    TEXT NOT NULL,
    settings    TEXT NOT NULL DEFAULT '{}',
    created_at  TEXT NOT NULL
);

CREATE TABLE customers (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    phone       TEXT,
    email       TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX customers_name ON customers(name);

CREATE TABLE invoices (
    seq             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    account         TEXT NOT NULL REFERENCES accounts(name),
    provider        TEXT NOT NULL,
    provider_id     TEXT,
    order_id        TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL CHECK (kind IN ('link', 'cvs')),
    name            TEXT NOT NULL,
    currency        TEXT NOT NULL,
    amount_minor    BIGINT NOT NULL CHECK (amount_minor > 0),
    tax_free_minor  BIGINT NOT NULL DEFAULT 0 CHECK (tax_free_minor >= 0),
    paid_minor      BIGINT NOT NULL DEFAULT 0 CHECK (paid_minor >= 0),
    status          TEXT NOT NULL,
    paid_late       BIGINT NOT NULL DEFAULT 0,
    underpaid       BIGINT NOT NULL DEFAULT 0,
    overpaid        BIGINT NOT NULL DEFAULT 0,
    payment_url     TEXT,
    payment_number  TEXT,
    expires_at      TEXT NOT NULL,
    customer_id     TEXT REFERENCES customers(id),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    last_checked_at TEXT,
    last_error      TEXT,
    search_text     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX invoices_status_expires ON invoices(status, expires_at);
CREATE INDEX invoices_account ON invoices(account);
CREATE INDEX invoices_provider_id ON invoices(provider, provider_id);
CREATE INDEX invoices_created ON invoices(created_at);

-- Every status change (and creation, delivery, provider error) of an invoice. Append-only.
CREATE TABLE audit_log (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invoice_id  TEXT NOT NULL REFERENCES invoices(id),
    at          TEXT NOT NULL,
    event       TEXT NOT NULL CHECK (event IN ('created', 'status', 'delivery', 'error')),
    from_status TEXT,
    to_status   TEXT,
    source      TEXT NOT NULL CHECK (source IN ('user', 'sync', 'provider')),
    detail      TEXT
);
CREATE INDEX audit_log_invoice ON audit_log(invoice_id, id);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Messages to customers (the outbox): a row exists before any send is attempted.
CREATE TABLE deliveries (
    id                  TEXT PRIMARY KEY,
    invoice_id          TEXT NOT NULL REFERENCES invoices(id),
    channel             TEXT NOT NULL,
    via                 TEXT NOT NULL,
    recipient           TEXT NOT NULL,
    state               TEXT NOT NULL,
    attempts            BIGINT NOT NULL DEFAULT 0,
    channel_message_id  TEXT,
    error               TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX deliveries_invoice ON deliveries(invoice_id);
CREATE INDEX deliveries_state ON deliveries(state);

-- Versions 2-6 of the SQLite file.
-- When PayDesk last sent an invoice to its provider to be created. A draft without it
-- never left PayDesk and can be created safely; one with it may exist at the provider
-- and is looked up by its order id first (or left to the clerk where the provider
-- cannot look orders up).
ALTER TABLE invoices ADD COLUMN create_attempted_at TEXT;

-- Looking an invoice up by the provider's id alone (as `link show PROVIDER_ID` and the
-- id / order id / provider id lookup do) must not scan the table.
CREATE INDEX invoices_provider_id_only ON invoices(provider_id);

-- Delivery channels (SMTP, Solapi, Twilio): non-secret settings only; passwords and
-- keys live in the OS keyring.
CREATE TABLE channels (
    name        TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    settings    TEXT NOT NULL DEFAULT '{}',
    created_at  TEXT NOT NULL
);

-- The store's profile and app settings (store_name, time_zone, …).
CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);

-- The outbox: the language of the message and what was sent (subject and text). A
-- row in `sending` not touched for longer than any send can take was left by a
-- process that stopped.
ALTER TABLE deliveries ADD COLUMN lang TEXT NOT NULL DEFAULT 'ko';
ALTER TABLE deliveries ADD COLUMN subject TEXT;
ALTER TABLE deliveries ADD COLUMN body TEXT;

-- Money given back: the invoice's refunded total, and on each audit entry the refund
-- that change made (so the timeline shows every refund with its amount).
ALTER TABLE invoices ADD COLUMN refunded_minor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE audit_log ADD COLUMN refund_minor BIGINT;
-- An under-paid invoice's rest, asked for with a new link: the new invoice names the
-- first. One live rest link per invoice at a time (a cancelled, failed or expired one
-- does not count), so two clicks never make two payable links.
ALTER TABLE invoices ADD COLUMN rest_of TEXT REFERENCES invoices(id);
CREATE UNIQUE INDEX invoices_one_live_rest ON invoices(rest_of)
    WHERE rest_of IS NOT NULL AND status NOT IN ('cancelled', 'failed', 'expired');
-- When an invoice was first paid (or seen paid), for the list and exports.
ALTER TABLE invoices ADD COLUMN paid_at TEXT;

-- Where the customer claims a refund the provider does not send by itself (BTCPay's
-- pull payment page): the newest refund's, kept on the invoice.
ALTER TABLE invoices ADD COLUMN refund_url TEXT;
-- A refund asked of a provider that does it later (PIPE), not yet shown done there:
-- written before the request, so that a lost answer never leads to a second one.
ALTER TABLE invoices ADD COLUMN refund_requested_minor BIGINT NOT NULL DEFAULT 0;
-- What a message carries: the payment link, or a refund's claim page.
ALTER TABLE deliveries ADD COLUMN kind TEXT NOT NULL DEFAULT 'link';
-- For a provider that only calls back (BitroPay): the SHA-256 of the token in this
-- invoice's callback URL (the token itself is never kept).
ALTER TABLE invoices ADD COLUMN callback_token_sha256 TEXT;
