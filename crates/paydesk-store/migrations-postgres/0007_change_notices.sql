-- Every counter of a shared store hears of a change another made: the invoice's id on
-- the `paydesk_invoices` channel when an invoice is made or changes as a clerk sees it
-- (not when sync only notes that it checked), or when one of its messages is queued or
-- moves on. Sent at commit, so a listener never reads a change that is not there yet.
CREATE FUNCTION paydesk_invoice_notice() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT'
        OR NEW.status IS DISTINCT FROM OLD.status
        OR NEW.updated_at IS DISTINCT FROM OLD.updated_at
        OR NEW.last_error IS DISTINCT FROM OLD.last_error
        OR NEW.provider_id IS DISTINCT FROM OLD.provider_id THEN
        PERFORM pg_notify('paydesk_invoices', NEW.id);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER invoices_notice AFTER INSERT OR UPDATE ON invoices
    FOR EACH ROW EXECUTE FUNCTION paydesk_invoice_notice();

CREATE FUNCTION paydesk_delivery_notice() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.state IS DISTINCT FROM OLD.state THEN
        PERFORM pg_notify('paydesk_invoices', NEW.invoice_id);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER deliveries_notice AFTER INSERT OR UPDATE ON deliveries
    FOR EACH ROW EXECUTE FUNCTION paydesk_delivery_notice();
