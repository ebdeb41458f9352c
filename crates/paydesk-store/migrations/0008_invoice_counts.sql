-- The list's counts kept as invoices change, exact and in the same transaction: how many
-- invoices each account has in each status, per UTC day of creation (the day of
-- `created_at`). Counting the list without a search or a customer sums these rows instead
-- of reading the invoices. (Version 7 is the shared store's change notices; a file has none.)
-- Also: the search index is no longer rewritten by updates that leave its text as it was.
CREATE TABLE invoice_counts (
    account TEXT NOT NULL,
    status  TEXT NOT NULL,
    day     TEXT NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (account, status, day)
) WITHOUT ROWID;

INSERT INTO invoice_counts (account, status, day, n)
    SELECT account, status, substr(created_at, 1, 10), COUNT(*) FROM invoices GROUP BY 1, 2, 3;

CREATE TRIGGER invoice_counts_insert AFTER INSERT ON invoices BEGIN
    INSERT INTO invoice_counts (account, status, day, n)
        VALUES (NEW.account, NEW.status, substr(NEW.created_at, 1, 10), 1)
        ON CONFLICT (account, status, day) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER invoice_counts_update AFTER UPDATE OF account, status, created_at ON invoices
    WHEN OLD.account IS NOT NEW.account OR OLD.status IS NOT NEW.status
        OR substr(OLD.created_at, 1, 10) IS NOT substr(NEW.created_at, 1, 10)
BEGIN
    UPDATE invoice_counts SET n = n - 1
        WHERE account = OLD.account AND status = OLD.status AND day = substr(OLD.created_at, 1, 10);
    INSERT INTO invoice_counts (account, status, day, n)
        VALUES (NEW.account, NEW.status, substr(NEW.created_at, 1, 10), 1)
        ON CONFLICT (account, status, day) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER invoice_counts_delete AFTER DELETE ON invoices BEGIN
    UPDATE invoice_counts SET n = n - 1
        WHERE account = OLD.account AND status = OLD.status AND day = substr(OLD.created_at, 1, 10);
END;

-- A customer's invoices (the customer book, the list filtered by customer) by index.
CREATE INDEX invoices_customer ON invoices(customer_id, seq);

-- The search index is rewritten only when the searched text changes (an update that
-- sets it to what it was — every status change does — leaves the index alone).
DROP TRIGGER invoices_fts_update;
CREATE TRIGGER invoices_fts_update AFTER UPDATE OF search_text ON invoices
    WHEN old.search_text IS NOT new.search_text
BEGIN
    INSERT INTO invoices_fts(invoices_fts, rowid, search_text) VALUES ('delete', old.seq, old.search_text);
    INSERT INTO invoices_fts(rowid, search_text) VALUES (new.seq, new.search_text);
END;
