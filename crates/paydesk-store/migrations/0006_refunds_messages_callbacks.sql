-- Where the customer claims a refund the provider does not send by itself (BTCPay's
-- pull payment page): the newest refund's, kept on the invoice.
ALTER TABLE invoices ADD COLUMN refund_url TEXT;
-- A refund asked of a provider that does it later (PIPE), not yet shown done there:
-- written before the request, so that a lost answer never leads to a second one.
ALTER TABLE invoices ADD COLUMN refund_requested_minor INTEGER NOT NULL DEFAULT 0;
-- What a message carries: the payment link, or a refund's claim page.
ALTER TABLE deliveries ADD COLUMN kind TEXT NOT NULL DEFAULT 'link';
-- For a provider that only calls back (BitroPay): the SHA-256 of the token in this
-- invoice's callback URL (the token itself is never kept).
ALTER TABLE invoices ADD COLUMN callback_token_sha256 TEXT;
