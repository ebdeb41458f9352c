//! The append-only audit log: every status change and delivery step, with its source.

use std::str::FromStr;

use crate::{rows::corrupt, rows::parse_ts, rows::ts, Result, Store};
use chrono::{DateTime, Utc};
use paydesk_core::{Invoice, Source, Status, TimelineEntry, TimelineEvent};
use sqlx::Row;

impl Store {
    /// The audit log of one invoice, oldest first.
    pub async fn timeline(&self, invoice_id: &str) -> Result<Vec<TimelineEntry>> {
        let rows = sqlx::query(
            "SELECT at, event, from_status, to_status, source, detail, refund_minor FROM audit_log
             WHERE invoice_id = $1 ORDER BY id",
        )
        .bind(invoice_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let parse_status = |s: Option<String>| -> Result<Option<Status>> {
                    s.map(|s| Status::from_str(&s).map_err(corrupt("status")))
                        .transpose()
                };
                Ok(TimelineEntry {
                    at: parse_ts(&r.try_get::<String, _>("at")?)?,
                    event: TimelineEvent::from_str(&r.try_get::<String, _>("event")?)
                        .map_err(corrupt("event"))?,
                    from_status: parse_status(r.try_get("from_status")?)?,
                    status: parse_status(r.try_get("to_status")?)?,
                    source: Source::from_str(&r.try_get::<String, _>("source")?)
                        .map_err(corrupt("source"))?,
                    detail: r.try_get("detail")?,
                    refund_minor: r.try_get("refund_minor")?,
                })
            })
            .collect()
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_audit(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    invoice_id: &str,
    at: DateTime<Utc>,
    event: TimelineEvent,
    from: Option<Status>,
    to: Option<Status>,
    source: Source,
    detail: Option<&str>,
) -> Result<()> {
    insert_audit_refund(tx, invoice_id, at, event, from, to, source, detail, None).await
}

/// `insert_audit` for a change that recorded a refund of `refund_minor`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_audit_refund(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    invoice_id: &str,
    at: DateTime<Utc>,
    event: TimelineEvent,
    from: Option<Status>,
    to: Option<Status>,
    source: Source,
    detail: Option<&str>,
    refund_minor: Option<i64>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (invoice_id, at, event, from_status, to_status, source, detail,
            refund_minor)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(invoice_id)
    .bind(ts(at))
    .bind(event.as_str())
    .bind(from.map(|s| s.as_str()))
    .bind(to.map(|s| s.as_str()))
    .bind(source.as_str())
    .bind(detail)
    .bind(refund_minor)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(crate) fn describe_update(before: &Invoice, after: &Invoice, detail: Option<&str>) -> String {
    let mut parts = Vec::new();
    if before.status != after.status {
        parts.push(format!("{} → {}", before.status, after.status));
    }
    if before.paid != after.paid {
        parts.push(format!("paid {}", after.paid.to_plain()));
    }
    if before.refunded != after.refunded {
        parts.push(format!("refunded {}", after.refunded.to_plain()));
    }
    for (name, was, is) in [
        ("paid_late", before.flags.paid_late, after.flags.paid_late),
        ("underpaid", before.flags.underpaid, after.flags.underpaid),
        ("overpaid", before.flags.overpaid, after.flags.overpaid),
    ] {
        if was != is {
            parts.push(if is {
                name.to_string()
            } else {
                format!("no longer {name}")
            });
        }
    }
    if let Some(d) = detail {
        parts.push(d.to_string());
    }
    parts.join("; ")
}
