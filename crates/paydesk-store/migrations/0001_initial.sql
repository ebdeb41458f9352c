-- PayDesk schema, version 1. Migrations only move forward: never edit a released file,
-- add a new one.

-- Provider accounts: only non-secret settings live here; keys are in the OS keyring.
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
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT NOT NULL UNIQUE,
    account         TEXT NOT NULL REFERENCES accounts(name),
    provider        TEXT NOT NULL,
    provider_id     TEXT,
    order_id        TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL CHECK (kind IN ('link', 'cvs')),
    name            TEXT NOT NULL,
    currency        TEXT NOT NULL,
    amount_minor    INTEGER NOT NULL CHECK (amount_minor > 0),
    tax_free_minor  INTEGER NOT NULL DEFAULT 0 CHECK (tax_free_minor >= 0),
    paid_minor      INTEGER NOT NULL DEFAULT 0 CHECK (paid_minor >= 0),
    status          TEXT NOT NULL,
    paid_late       INTEGER NOT NULL DEFAULT 0,
    underpaid       INTEGER NOT NULL DEFAULT 0,
    overpaid        INTEGER NOT NULL DEFAULT 0,
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

-- Full-text search over item name, customer and order / provider ids (trigram: substrings,
-- Korean and Japanese included). SQLite-only, reached only through the store's functions.
CREATE VIRTUAL TABLE invoices_fts USING fts5(
    search_text, content = 'invoices', content_rowid = 'seq', tokenize = 'trigram'
);
CREATE TRIGGER invoices_fts_insert AFTER INSERT ON invoices BEGIN
    INSERT INTO invoices_fts(rowid, search_text) VALUES (new.seq, new.search_text);
END;
CREATE TRIGGER invoices_fts_delete AFTER DELETE ON invoices BEGIN
    INSERT INTO invoices_fts(invoices_fts, rowid, search_text) VALUES ('delete', old.seq, old.search_text);
END;
CREATE TRIGGER invoices_fts_update AFTER UPDATE OF search_text ON invoices BEGIN
    INSERT INTO invoices_fts(invoices_fts, rowid, search_text) VALUES ('delete', old.seq, old.search_text);
    INSERT INTO invoices_fts(rowid, search_text) VALUES (new.seq, new.search_text);
END;

-- Every status change (and creation, delivery, provider error) of an invoice. Append-only.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    invoice_id  TEXT NOT NULL REFERENCES invoices(id),
    at          TEXT NOT NULL,
    event       TEXT NOT NULL CHECK (event IN ('created', 'status', 'delivery', 'error')),
    from_status TEXT,
    to_status   TEXT,
    source      TEXT NOT NULL CHECK (source IN ('user', 'sync', 'provider')),
    detail      TEXT
);
CREATE INDEX audit_log_invoice ON audit_log(invoice_id, id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- Messages to customers (the outbox): a row exists before any send is attempted.
CREATE TABLE deliveries (
    id                  TEXT PRIMARY KEY,
    invoice_id          TEXT NOT NULL REFERENCES invoices(id),
    channel             TEXT NOT NULL,
    via                 TEXT NOT NULL,
    recipient           TEXT NOT NULL,
    state               TEXT NOT NULL,
    attempts            INTEGER NOT NULL DEFAULT 0,
    channel_message_id  TEXT,
    error               TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX deliveries_invoice ON deliveries(invoice_id);
CREATE INDEX deliveries_state ON deliveries(state);
