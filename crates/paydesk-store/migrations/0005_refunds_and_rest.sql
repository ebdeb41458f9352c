-- Money given back: the invoice's refunded total, and on each audit entry the refund
-- that change made (so the timeline shows every refund with its amount).
ALTER TABLE invoices ADD COLUMN refunded_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE audit_log ADD COLUMN refund_minor INTEGER;
-- A fully refunded invoice gave back all it received.
UPDATE invoices SET refunded_minor = paid_minor WHERE status = 'refunded';
-- An under-paid invoice's rest, asked for with a new link: the new invoice names the
-- first. One live rest link per invoice at a time (a cancelled, failed or expired one
-- does not count), so two clicks never make two payable links.
ALTER TABLE invoices ADD COLUMN rest_of TEXT REFERENCES invoices(id);
CREATE UNIQUE INDEX invoices_one_live_rest ON invoices(rest_of)
    WHERE rest_of IS NOT NULL AND status NOT IN ('cancelled', 'failed', 'expired');
-- When an invoice was first paid (or seen paid), for the list and exports.
ALTER TABLE invoices ADD COLUMN paid_at TEXT;
UPDATE invoices SET paid_at = (
    SELECT MIN(at) FROM audit_log
    WHERE audit_log.invoice_id = invoices.id AND event = 'status'
      AND to_status IN ('paid', 'paid_unconfirmed'));
