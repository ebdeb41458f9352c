-- Looking an invoice up by the provider's id alone (as `link show PROVIDER_ID` and the
-- id / order id / provider id lookup do) must not scan the table.
CREATE INDEX invoices_provider_id_only ON invoices(provider_id);
