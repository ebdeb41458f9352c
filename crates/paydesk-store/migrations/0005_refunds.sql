-- Money given back: the invoice's refunded total, and on each audit entry the refund
-- that change made (so the timeline shows every refund with its amount).
ALTER TABLE invoices ADD COLUMN refunded_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE audit_log ADD COLUMN refund_minor INTEGER;
-- A fully refunded invoice gave back all it received.
UPDATE invoices SET refunded_minor = paid_minor WHERE status = 'refunded';
