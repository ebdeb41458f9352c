-- When PayDesk last sent an invoice to its provider to be created. A draft without it
-- never left PayDesk and can be created safely; one with it may exist at the provider
-- and is looked up by its order id first (or left to the clerk where the provider
-- cannot look orders up).
ALTER TABLE invoices ADD COLUMN create_attempted_at TEXT;
