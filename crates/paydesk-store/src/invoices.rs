//! Invoices: saving them (with their first audit entry), reading them, and applying
//! what was learned about them, each change with its audit entry in one transaction.

use crate::{
    audit::describe_update, audit::insert_audit, deliveries::insert_delivery_tx,
    rows::customer_from_row, rows::invoice_from_row, rows::parse_opt_ts, rows::ts,
    rows::INVOICE_SELECT, Result, Store, StoreError,
};
use chrono::{DateTime, Utc};
use paydesk_core::{
    Customer, CustomerId, Delivery, Invoice, Money, PaymentFlags, Source, Status, TimelineEvent,
};
use sqlx::AssertSqlSafe;

/// What sync or a user action learned about an invoice, applied in one transaction
/// together with its audit entry.
#[derive(Debug, Clone)]
pub struct InvoiceUpdate {
    pub status: Status,
    pub flags: PaymentFlags,
    pub paid_minor: i64,
    /// The refunded total after this update (`paydesk_core::lifecycle::refunded_of`).
    pub refunded_minor: i64,
    pub provider_id: Option<String>,
    pub payment_url: Option<String>,
    pub payment_number: Option<String>,
    /// Where the customer claims this refund (none: the kept one stays).
    pub refund_url: Option<String>,
    pub source: Source,
    /// What caused it, for the audit log (e.g. the provider's raw status).
    pub detail: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Applied {
    pub before: Invoice,
    pub after: Invoice,
    /// Whether anything a clerk sees changed (`paydesk_core::lifecycle::changed`).
    pub changed: bool,
}

impl Store {
    /// Saves a new invoice (normally a `draft`, before the provider is called) with its
    /// `created` audit entry, in one transaction.
    pub async fn insert_invoice(
        &self,
        inv: &Invoice,
        source: Source,
        detail: Option<&str>,
    ) -> Result<()> {
        self.insert_invoice_with_deliveries(inv, source, detail, &[])
            .await
    }

    /// Saves a new invoice and the messages queued for it, in one transaction: a
    /// crash never leaves a link whose requested send was forgotten.
    pub async fn insert_invoice_with_deliveries(
        &self,
        inv: &Invoice,
        source: Source,
        detail: Option<&str>,
        deliveries: &[Delivery],
    ) -> Result<()> {
        let customer = match &inv.customer_id {
            Some(id) => self.customer(id).await?,
            None => None,
        };
        let mut tx = self.begin_write().await?;
        insert_invoice_tx(&mut tx, inv, customer.as_ref(), source, detail).await?;
        for d in deliveries {
            insert_delivery_tx(&mut tx, d).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Saves many new invoices (each with its `created` audit entry) in one
    /// transaction: all or none. For imports and for loading benchmark data.
    pub async fn insert_invoices(&self, list: &[Invoice], source: Source) -> Result<()> {
        let mut customers: std::collections::HashMap<CustomerId, Option<Customer>> =
            std::collections::HashMap::new();
        for id in list.iter().filter_map(|i| i.customer_id.as_ref()) {
            if !customers.contains_key(id) {
                customers.insert(id.clone(), self.customer(id).await?);
            }
        }
        let mut tx = self.begin_write().await?;
        for inv in list {
            let customer = inv
                .customer_id
                .as_ref()
                .and_then(|id| customers.get(id).cloned().flatten());
            insert_invoice_tx(&mut tx, inv, customer.as_ref(), source, None).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Looks an invoice up by PayDesk id, merchant order id or provider id.
    pub async fn find_invoice(&self, key: &str) -> Result<Option<Invoice>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "{INVOICE_SELECT} WHERE id = $1 OR order_id = $1 OR provider_id = $1 ORDER BY (id = $1) DESC LIMIT 1"
        )))
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| invoice_from_row(&r)).transpose()
    }

    /// The invoice with this merchant order id (never one whose provider reference or
    /// PayDesk id happens to be the same text).
    pub async fn invoice_by_order_id(&self, order_id: &str) -> Result<Option<Invoice>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "{INVOICE_SELECT} WHERE order_id = $1"
        )))
        .bind(order_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| invoice_from_row(&r)).transpose()
    }

    /// The newest invoice that asks for the rest of `id` (an under-paid invoice), if any.
    pub async fn rest_link(&self, id: &str) -> Result<Option<Invoice>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "{INVOICE_SELECT} WHERE rest_of = $1 ORDER BY seq DESC LIMIT 1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| invoice_from_row(&r)).transpose()
    }

    pub async fn invoice(&self, id: &str) -> Result<Invoice> {
        self.find_invoice(id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: "invoice",
                key: id.to_string(),
            })
    }

    /// Invoices sync should look at: not final, and for expired ones (late money) and
    /// failed ones the provider holds (settled by the merchant after all) only within
    /// `w.late_grace` after their deadline; paid and partly refunded ones (a refund or
    /// chargeback made in the provider's console) once every `w.settled_every`, until
    /// `w.refund_window` after their last change. Never-checked first, then the longest
    /// unchecked, then the soonest deadline — so a pass limited to `limit` invoices
    /// still reaches every invoice over the following passes.
    pub async fn invoices_to_sync(
        &self,
        now: DateTime<Utc>,
        w: &crate::SyncWindow,
        limit: i64,
    ) -> Result<Vec<Invoice>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "{INVOICE_SELECT} WHERE status IN ('draft', 'open', 'paid_unconfirmed')
                OR refund_requested_minor > 0
                OR (status = 'expired' AND expires_at > $1)
                OR (status = 'failed' AND provider_id IS NOT NULL AND expires_at > $1)
                OR (status IN ('paid', 'partially_refunded') AND provider_id IS NOT NULL
                    AND updated_at > $3 AND (last_checked_at IS NULL OR last_checked_at < $4))
             ORDER BY last_checked_at IS NOT NULL, last_checked_at ASC, expires_at ASC LIMIT $2"
        )))
        .bind(ts(now - w.late_grace))
        .bind(limit)
        .bind(ts(now - w.refund_window))
        .bind(ts(now - w.settled_every))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(invoice_from_row).collect()
    }

    /// Keeps the SHA-256 (hex) of the token in an invoice's callback URL, before the
    /// provider is given the URL.
    pub async fn set_callback_token(&self, id: &str, sha256_hex: &str) -> Result<()> {
        sqlx::query("UPDATE invoices SET callback_token_sha256 = $1 WHERE id = $2")
            .bind(sha256_hex)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The SHA-256 (hex) of the token in an invoice's callback URL, if it has one.
    pub async fn callback_token(&self, id: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT callback_token_sha256 FROM invoices WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .flatten(),
        )
    }

    /// Writes that a refund of `minor` is asked of a provider that does it later, with
    /// its audit entry, before the provider is asked: `false` (nothing written) when one
    /// is already waiting, so two clerks never ask twice.
    pub async fn request_refund(
        &self,
        id: &str,
        minor: i64,
        detail: &str,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        self.set_refund_requested(id, minor, detail, at, "refund_requested_minor = 0")
            .await
    }

    /// Takes back a refund request the provider refused (its audit entry says why).
    pub async fn drop_refund_request(
        &self,
        id: &str,
        detail: &str,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        self.set_refund_requested(id, 0, detail, at, "refund_requested_minor > 0")
            .await
    }

    async fn set_refund_requested(
        &self,
        id: &str,
        minor: i64,
        detail: &str,
        at: DateTime<Utc>,
        only_if: &str,
    ) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let status: Option<String> = sqlx::query_scalar(AssertSqlSafe(format!(
            "UPDATE invoices SET refund_requested_minor = $1, updated_at = $2
             WHERE id = $3 AND {only_if} RETURNING status"
        )))
        .bind(minor)
        .bind(ts(at))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(status) = status else {
            return Ok(false);
        };
        let status: Status = status.parse()?;
        insert_audit(
            &mut tx,
            id,
            at,
            TimelineEvent::Status,
            Some(status),
            Some(status),
            Source::User,
            Some(detail),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Applies what was learned about an invoice: checks the transition, updates the
    /// row and appends the audit entry, all in one transaction.
    pub async fn apply_update(&self, id: &str, u: &InvoiceUpdate) -> Result<Applied> {
        let mut tx = self.begin_write().await?;
        let applied = apply_in(&mut tx, id, u).await?;
        tx.commit().await?;
        Ok(applied)
    }

    /// Applies a batch of updates (each checked and audited as `apply_update` does) and
    /// notes `checked` as checked at `checked_at`, all in one transaction. An update that
    /// is refused (a transition the lifecycle forbids, another provider invoice, an
    /// unknown invoice) writes nothing of its own and is answered with its error; the
    /// others still apply. A database failure applies none of them.
    pub async fn apply_updates(
        &self,
        updates: &[(String, InvoiceUpdate)],
        checked: &[String],
        checked_at: DateTime<Utc>,
    ) -> Result<Vec<Result<Applied>>> {
        let mut tx = self.begin_write().await?;
        let mut out = Vec::with_capacity(updates.len());
        for (id, u) in updates {
            match apply_in(&mut tx, id, u).await {
                Err(e @ (StoreError::Db(_) | StoreError::Unreachable(_))) => return Err(e),
                other => out.push(other),
            }
        }
        mark_checked_in(&mut tx, checked, checked_at).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Forgets a create attempt that provably never reached the provider.
    pub async fn clear_create_attempt(&self, id: &str) -> Result<()> {
        sqlx::query("UPDATE invoices SET create_attempted_at = NULL WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records, before the provider is called, that a create is about to be sent.
    pub async fn mark_create_attempt(&self, id: &str, at: DateTime<Utc>) -> Result<()> {
        sqlx::query("UPDATE invoices SET create_attempted_at = $1 WHERE id = $2")
            .bind(ts(at))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// When a create was last sent for this invoice, if ever.
    pub async fn create_attempted_at(&self, id: &str) -> Result<Option<DateTime<Utc>>> {
        let v: Option<Option<String>> =
            sqlx::query_scalar("SELECT create_attempted_at FROM invoices WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        parse_opt_ts(v.flatten())
    }

    /// Records that these invoices were checked at `at` and found unchanged, in one
    /// transaction.
    pub async fn mark_checked_many(&self, ids: &[String], at: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        mark_checked_in(&mut tx, ids, at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records an error met while talking to the provider (kept on the invoice and, when
    /// it is new, in the timeline).
    pub async fn record_error(
        &self,
        id: &str,
        at: DateTime<Utc>,
        source: Source,
        message: &str,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let previous: Option<Option<String>> =
            sqlx::query_scalar("SELECT last_error FROM invoices WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(previous) = previous else {
            return Err(StoreError::NotFound {
                what: "invoice",
                key: id.to_string(),
            });
        };
        sqlx::query("UPDATE invoices SET last_error = $1, last_checked_at = $2 WHERE id = $3")
            .bind(message)
            .bind(ts(at))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if previous.as_deref() != Some(message) {
            insert_audit(
                &mut tx,
                id,
                at,
                TimelineEvent::Error,
                None,
                None,
                source,
                Some(message),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// Inserts one invoice and its `created` audit entry inside the caller's transaction.
pub(crate) async fn insert_invoice_tx(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    inv: &Invoice,
    customer: Option<&Customer>,
    source: Source,
    detail: Option<&str>,
) -> Result<()> {
    let search_text = search_text(inv, customer);
    let r = sqlx::query(
        "INSERT INTO invoices (id, account, provider, provider_id, order_id, kind, name, currency,
                amount_minor, tax_free_minor, paid_minor, status, paid_late, underpaid, overpaid,
                payment_url, payment_number, expires_at, customer_id, created_at, updated_at,
                last_checked_at, last_error, search_text, refunded_minor, rest_of, paid_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27)",
    )
    .bind(inv.id.as_str())
    .bind(&inv.account)
    .bind(inv.provider.as_str())
    .bind(&inv.provider_id)
    .bind(inv.order_id.as_str())
    .bind(inv.kind.as_str())
    .bind(&inv.name)
    .bind(inv.amount.currency().code())
    .bind(inv.amount.minor())
    .bind(inv.tax_free.minor())
    .bind(inv.paid.minor())
    .bind(inv.status.as_str())
    .bind(i64::from(inv.flags.paid_late))
    .bind(i64::from(inv.flags.underpaid))
    .bind(i64::from(inv.flags.overpaid))
    .bind(&inv.payment_url)
    .bind(&inv.payment_number)
    .bind(ts(inv.expires_at))
    .bind(inv.customer_id.as_deref())
    .bind(ts(inv.created_at))
    .bind(ts(inv.updated_at))
    .bind(inv.last_checked_at.map(ts))
    .bind(&inv.last_error)
    .bind(search_text)
    .bind(inv.refunded.minor())
    .bind(inv.rest_of.as_deref())
    .bind(inv.paid_at.map(ts))
    .execute(&mut **tx)
    .await;
    if let Err(sqlx::Error::Database(e)) = &r {
        if e.is_unique_violation() && e.message().contains("rest_of") {
            return Err(StoreError::Exists {
                what: "live link asking for the rest of",
                key: inv
                    .rest_of
                    .as_ref()
                    .map(|r| r.to_string())
                    .unwrap_or_default(),
            });
        }
        if e.is_unique_violation() {
            return Err(StoreError::Exists {
                what: "invoice with order id",
                key: inv.order_id.to_string(),
            });
        }
    }
    r?;
    insert_audit(
        tx,
        &inv.id,
        inv.created_at,
        TimelineEvent::Created,
        None,
        Some(inv.status),
        source,
        detail,
    )
    .await?;
    Ok(())
}

pub(crate) fn search_text(inv: &Invoice, customer: Option<&Customer>) -> String {
    let mut parts: Vec<&str> = vec![&inv.name, &inv.order_id, &inv.id];
    if let Some(p) = &inv.provider_id {
        parts.push(p);
    }
    if let Some(n) = &inv.payment_number {
        parts.push(n);
    }
    if let Some(c) = customer {
        parts.push(&c.name);
        if let Some(p) = &c.phone {
            parts.push(p);
        }
        if let Some(e) = &c.email {
            parts.push(e);
        }
    }
    parts.join(" ")
}

/// `Store::apply_update` inside a write transaction: every check comes before the first
/// write, so a refused update writes nothing.
async fn apply_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: &str,
    u: &InvoiceUpdate,
) -> Result<Applied> {
    let row = sqlx::query(AssertSqlSafe(format!("{INVOICE_SELECT} WHERE id = $1")))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "invoice",
            key: id.to_string(),
        })?;
    let before = invoice_from_row(&row)?;
    if let (Some(kept), Some(other)) = (&before.provider_id, &u.provider_id) {
        if kept != other {
            return Err(StoreError::OtherProviderId {
                provider: before.provider,
                kept: kept.clone(),
                other: other.clone(),
            });
        }
    }
    before.status.check_transition(u.status)?;
    let paid = Money::from_minor(u.paid_minor, before.amount.currency())
        .map_err(|e| StoreError::Corrupt(format!("paid amount: {e}")))?;
    let refunded = Money::from_minor(u.refunded_minor.min(u.paid_minor), before.amount.currency())
        .map_err(|e| StoreError::Corrupt(format!("refunded amount: {e}")))?;
    let mut after = before.clone();
    after.status = u.status;
    after.flags = u.flags;
    after.paid = paid;
    after.refunded = refunded;
    if u.provider_id.is_some() {
        after.provider_id = u.provider_id.clone();
    }
    if u.payment_url.is_some() {
        after.payment_url = u.payment_url.clone();
    }
    if u.payment_number.is_some() {
        after.payment_number = u.payment_number.clone();
    }
    if u.refund_url.is_some() {
        after.refund_url = u.refund_url.clone();
    }
    // A refund waiting at the provider is done once the provider counts it.
    if after.refunded.minor() > before.refunded.minor() || after.status == Status::Refunded {
        after.refund_requested = Money::zero(before.amount.currency());
    }
    after.last_checked_at = Some(u.at);
    after.last_error = None;
    if after.paid_at.is_none() && matches!(after.status, Status::Paid | Status::PaidUnconfirmed) {
        after.paid_at = Some(u.at);
    }
    let changed = paydesk_core::lifecycle::changed(&before, &after);
    if changed {
        after.updated_at = u.at;
    }
    let customer = match &after.customer_id {
        Some(cid) => {
            sqlx::query("SELECT id, name, phone, email, created_at FROM customers WHERE id = $1")
                .bind(cid.as_str())
                .fetch_optional(&mut **tx)
                .await?
                .map(|r| customer_from_row(&r))
                .transpose()?
        }
        None => None,
    };
    sqlx::query(
            "UPDATE invoices SET status = $1, paid_late = $2, underpaid = $3, overpaid = $4, paid_minor = $5,
                refunded_minor = $6, paid_at = $7, provider_id = $8, payment_url = $9, payment_number = $10, updated_at = $11, last_checked_at = $12,
                last_error = NULL, search_text = $13, refund_url = $14, refund_requested_minor = $15
             WHERE id = $16",
        )
        .bind(after.status.as_str())
        .bind(i64::from(after.flags.paid_late))
        .bind(i64::from(after.flags.underpaid))
        .bind(i64::from(after.flags.overpaid))
        .bind(after.paid.minor())
        .bind(after.refunded.minor())
        .bind(after.paid_at.map(ts))
        .bind(&after.provider_id)
        .bind(&after.payment_url)
        .bind(&after.payment_number)
        .bind(ts(after.updated_at))
        .bind(ts(u.at))
        .bind(search_text(&after, customer.as_ref()))
        .bind(&after.refund_url)
        .bind(after.refund_requested.minor())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    if changed {
        let detail = describe_update(&before, &after, u.detail.as_deref());
        let refund = after.refunded.minor() - before.refunded.minor();
        crate::audit::insert_audit_refund(
            tx,
            id,
            u.at,
            TimelineEvent::Status,
            Some(before.status),
            Some(after.status),
            u.source,
            Some(&detail),
            (refund > 0).then_some(refund),
        )
        .await?;
    }
    Ok(Applied {
        before,
        after,
        changed,
    })
}

async fn mark_checked_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    ids: &[String],
    at: DateTime<Utc>,
) -> Result<()> {
    for id in ids {
        sqlx::query("UPDATE invoices SET last_checked_at = $1, last_error = NULL WHERE id = $2")
            .bind(ts(at))
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
