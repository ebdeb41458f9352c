//! The outbox: a delivery row before any message is sent, claimed by one process,
//! settled with its audit entry.

use crate::{
    audit::insert_audit, rows::delivery_from_row, rows::ts, rows::DELIVERY_SELECT, Result, Store,
    StoreError,
};
use chrono::{DateTime, Utc};
use paydesk_core::{Delivery, DeliveryState, Source, TimelineEvent, Via};
use sqlx::AssertSqlSafe;

/// Where a delivery ends up after an attempt.
#[derive(Debug, Clone)]
pub struct DeliverySettled {
    pub state: DeliveryState,
    /// How it actually went, when that differs from what was asked (sms → lms).
    pub via: Option<Via>,
    pub channel_message_id: Option<String>,
    pub error: Option<String>,
    pub source: Source,
    pub at: DateTime<Utc>,
}

impl Store {
    /// Queues messages to customers, each with its audit entry, in one transaction.
    pub async fn insert_deliveries(&self, list: &[Delivery]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for d in list {
            insert_delivery_tx(&mut tx, d).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn insert_delivery(&self, d: &Delivery) -> Result<()> {
        self.insert_deliveries(std::slice::from_ref(d)).await
    }

    pub async fn delivery(&self, id: &str) -> Result<Delivery> {
        let row = sqlx::query(AssertSqlSafe(format!("{DELIVERY_SELECT} WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: "delivery",
                key: id.to_string(),
            })?;
        delivery_from_row(&row)
    }

    pub async fn deliveries(&self, invoice_id: Option<&str>) -> Result<Vec<Delivery>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "{DELIVERY_SELECT} WHERE $1 IS NULL OR invoice_id = $1 ORDER BY created_at, id"
        )))
        .bind(invoice_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(delivery_from_row).collect()
    }

    /// Deliveries the outbox has to act on: queued ones, and ones left in `sending`
    /// since before `stale_before` (by a process that stopped).
    pub async fn deliveries_due(&self, stale_before: DateTime<Utc>) -> Result<Vec<Delivery>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "{DELIVERY_SELECT} WHERE state = 'queued'
                OR (state = 'sending' AND updated_at < $1)
             ORDER BY created_at, id LIMIT 500"
        )))
        .bind(ts(stale_before))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(delivery_from_row).collect()
    }

    /// Takes a queued delivery for sending (state `sending`, one more attempt), with
    /// its audit entry. False when another process took it
    /// first or it is no longer queued: only one process ever sends a row.
    pub async fn claim_delivery(
        &self,
        id: &str,
        at: DateTime<Utc>,
        subject: Option<&str>,
        body: &str,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let r = sqlx::query(
            "UPDATE deliveries SET state = 'sending', attempts = attempts + 1, updated_at = $1,
                subject = $2, body = $3
             WHERE id = $4 AND state = 'queued'",
        )
        .bind(ts(at))
        .bind(subject)
        .bind(body)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Ok(false);
        }
        let d = delivery_tx(&mut tx, id).await?;
        let detail = format!(
            "delivery {} via {} to {}: sending (attempt {})",
            d.id, d.via, d.to, d.attempts
        );
        insert_audit(
            &mut tx,
            &d.invoice_id,
            at,
            TimelineEvent::Delivery,
            None,
            None,
            Source::User,
            Some(&detail),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Moves a delivery from `from` to its next state with its audit entry, in one
    /// transaction. False when the row was not in `from` (someone else moved it).
    pub async fn settle_delivery(
        &self,
        id: &str,
        from: DeliveryState,
        s: &DeliverySettled,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let r = sqlx::query(
            "UPDATE deliveries SET state = $1, via = COALESCE($2, via),
                channel_message_id = COALESCE($3, channel_message_id), error = $4, updated_at = $5
             WHERE id = $6 AND state = $7",
        )
        .bind(s.state.as_str())
        .bind(s.via.map(Via::as_str))
        .bind(s.channel_message_id.as_deref())
        .bind(s.error.as_deref())
        .bind(ts(s.at))
        .bind(id)
        .bind(from.as_str())
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Ok(false);
        }
        let d = delivery_tx(&mut tx, id).await?;
        let mut detail = format!(
            "delivery {} via {} to {}: {}",
            d.id,
            d.via,
            d.to,
            s.state.as_str()
        );
        if let Some(m) = &s.channel_message_id {
            detail.push_str(&format!(" ({m})"));
        }
        if let Some(e) = &s.error {
            detail.push_str(&format!(" — {e}"));
        }
        insert_audit(
            &mut tx,
            &d.invoice_id,
            s.at,
            TimelineEvent::Delivery,
            None,
            None,
            s.source,
            Some(&detail),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}

pub(crate) async fn insert_delivery_tx(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    d: &Delivery,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO deliveries (id, invoice_id, channel, via, recipient, state, attempts,
            channel_message_id, error, created_at, updated_at, lang, subject, body, kind)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(d.id.as_str())
    .bind(d.invoice_id.as_str())
    .bind(&d.channel)
    .bind(d.via.as_str())
    .bind(&d.to)
    .bind(d.state.as_str())
    .bind(d.attempts)
    .bind(&d.channel_message_id)
    .bind(&d.error)
    .bind(ts(d.created_at))
    .bind(ts(d.updated_at))
    .bind(d.lang.as_str())
    .bind(&d.subject)
    .bind(&d.body)
    .bind(d.kind.as_str())
    .execute(&mut **tx)
    .await?;
    let detail = format!(
        "delivery {} via {} to {}: queued ({}){}",
        d.id,
        d.via,
        d.to,
        d.channel,
        match d.kind {
            paydesk_core::MessageKind::Link => "",
            paydesk_core::MessageKind::RefundClaim => "; the refund's claim link",
        }
    );
    insert_audit(
        tx,
        &d.invoice_id,
        d.created_at,
        TimelineEvent::Delivery,
        None,
        None,
        Source::User,
        Some(&detail),
    )
    .await
}

pub(crate) async fn delivery_tx(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
) -> Result<Delivery> {
    let row = sqlx::query(AssertSqlSafe(format!("{DELIVERY_SELECT} WHERE id = $1")))
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    delivery_from_row(&row)
}
