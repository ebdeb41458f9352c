//! Figures for the overview: money received, counts by status, what needs the clerk.

use std::str::FromStr;

use crate::{
    rows::corrupt, rows::invoice_from_row, rows::ts, rows::INVOICE_SELECT, Backend, Result, Store,
};
use chrono::{DateTime, Utc};
use paydesk_core::{Invoice, Status};
use sqlx::{AssertSqlSafe, Row};

impl Store {
    /// Money kept (received minus refunded) on invoices that became paid since `since`,
    /// per currency: (currency, invoices that kept money, kept minor units). A fully
    /// refunded invoice counts for nothing.
    pub async fn paid_since(&self, since: DateTime<Utc>) -> Result<Vec<(String, i64, i64)>> {
        let rows = sqlx::query(
            "SELECT currency, COUNT(*) AS n, CAST(COALESCE(SUM(paid_minor - refunded_minor), 0) AS BIGINT) AS paid FROM invoices
             WHERE paid_minor > refunded_minor AND id IN (SELECT invoice_id FROM audit_log
                          WHERE event = 'status' AND to_status IN ('paid', 'paid_unconfirmed') AND at >= $1)
               AND status IN ('paid', 'paid_unconfirmed', 'partially_refunded', 'refunded')
             GROUP BY currency ORDER BY currency",
        )
        .bind(ts(since))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("currency")?, r.try_get("n")?, r.try_get("paid")?)))
            .collect()
    }

    /// Invoices created since `since` that are still open, and invoices that expired
    /// since `since`.
    pub async fn open_and_expired_since(&self, since: DateTime<Utc>) -> Result<(i64, i64)> {
        let open: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM invoices WHERE status IN ('open', 'draft') AND created_at >= $1",
        )
        .bind(ts(since))
        .fetch_one(&self.pool)
        .await?;
        let expired: i64 = sqlx::query_scalar(
            "SELECT COUNT(DISTINCT invoice_id) FROM audit_log
             WHERE event = 'status' AND to_status = 'expired' AND at >= $1",
        )
        .bind(ts(since))
        .fetch_one(&self.pool)
        .await?;
        Ok((open, expired))
    }

    /// Invoices paid per day (in the merchant's offset) since `since`: (day, count).
    pub async fn paid_per_day(
        &self,
        since: DateTime<Utc>,
        offset_secs: i32,
    ) -> Result<Vec<(String, i64)>> {
        let day = match self.backend {
            Backend::Sqlite => "date(at, $2 || ' seconds')",
            Backend::Postgres => {
                "to_char((CAST(at AS TIMESTAMPTZ) AT TIME ZONE 'UTC')
                    + CAST($2 AS DOUBLE PRECISION) * INTERVAL '1 second', 'YYYY-MM-DD')"
            }
        };
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {day} AS day, COUNT(DISTINCT invoice_id) AS n FROM audit_log
             WHERE event = 'status' AND to_status IN ('paid', 'paid_unconfirmed') AND at >= $1
             GROUP BY day ORDER BY day"
        )))
        .bind(ts(since))
        .bind(format!("{offset_secs:+}"))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("day")?, r.try_get("n")?)))
            .collect()
    }

    /// Invoices that need the clerk: money that came late, short or over; a message that
    /// failed or may not have gone out; a provider error on an invoice still in play.
    pub async fn needing_attention(&self, limit: i64) -> Result<Vec<Invoice>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "{INVOICE_SELECT} WHERE paid_late = 1 OR underpaid = 1 OR overpaid = 1
                OR id IN (SELECT invoice_id FROM deliveries WHERE state IN ('failed', 'unknown'))
                OR (last_error IS NOT NULL AND status IN ('draft', 'open', 'paid_unconfirmed'))
             ORDER BY updated_at DESC LIMIT $1"
        )))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(invoice_from_row).collect()
    }

    /// Number of invoices per status (for totals and tests).
    pub async fn count_by_status(&self) -> Result<Vec<(Status, i64)>> {
        let rows = sqlx::query(
            "SELECT status, COUNT(*) AS n FROM invoices GROUP BY status ORDER BY status",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    Status::from_str(&r.try_get::<String, _>("status")?)
                        .map_err(corrupt("status"))?,
                    r.try_get("n")?,
                ))
            })
            .collect()
    }
}
