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
