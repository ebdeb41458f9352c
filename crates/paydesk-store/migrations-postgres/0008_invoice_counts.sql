-- The list's counts kept as invoices change, exact and in the same transaction: how many
-- invoices each account has in each status, per UTC day of creation (the day of
-- `created_at`). Counting the list without a search or a customer sums these rows instead
-- of reading the invoices. Same table as the file's version 8.
CREATE TABLE invoice_counts (
    account TEXT NOT NULL,
    status  TEXT NOT NULL,
    day     TEXT NOT NULL,
    n       BIGINT NOT NULL,
    PRIMARY KEY (account, status, day)
);

INSERT INTO invoice_counts (account, status, day, n)
    SELECT account, status, substr(created_at, 1, 10), COUNT(*) FROM invoices GROUP BY 1, 2, 3;

CREATE FUNCTION paydesk_invoice_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE invoice_counts SET n = n - 1
            WHERE account = OLD.account AND status = OLD.status
                AND day = substr(OLD.created_at, 1, 10);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO invoice_counts (account, status, day, n)
            VALUES (NEW.account, NEW.status, substr(NEW.created_at, 1, 10), 1)
            ON CONFLICT (account, status, day) DO UPDATE SET n = invoice_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER invoice_counts_insert_delete AFTER INSERT OR DELETE ON invoices
    FOR EACH ROW EXECUTE FUNCTION paydesk_invoice_counts();
CREATE TRIGGER invoice_counts_update AFTER UPDATE OF account, status, created_at ON invoices
    FOR EACH ROW
    WHEN (OLD.account IS DISTINCT FROM NEW.account OR OLD.status IS DISTINCT FROM NEW.status
        OR substr(OLD.created_at, 1, 10) IS DISTINCT FROM substr(NEW.created_at, 1, 10))
    EXECUTE FUNCTION paydesk_invoice_counts();

CREATE INDEX invoices_customer ON invoices(customer_id, seq);
