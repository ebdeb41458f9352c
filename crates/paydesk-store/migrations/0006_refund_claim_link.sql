-- Where the customer claims a refund the provider does not send by itself (BTCPay's
-- pull payment page): the newest refund's, kept on the invoice.
ALTER TABLE invoices ADD COLUMN refund_url TEXT;
