//! The dashboard: what came in today, this week and this month (in the store's time
//! zone), a small daily chart, and the invoices that need the clerk.

use chrono::{Datelike, Duration, NaiveTime, TimeZone, Utc};
use paydesk_core::{Currency, DeliveryState, Money};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

use crate::{Engine, InvoiceView, Result};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MoneyTotal {
    pub currency: String,
    pub count: i64,
    pub amount: String,
    pub amount_display: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PeriodTotals {
    /// `today`, `week` (since Monday) or `month`.
    pub period: String,
    pub since: String,
    /// Money received on invoices that became paid in the period, per currency.
    pub paid: Vec<MoneyTotal>,
    /// Invoices made in the period that are still waiting for the customer.
    pub open: i64,
    /// Invoices that expired in the period.
    pub expired: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DayCount {
    pub day: String,
    pub paid: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Attention {
    pub invoice: InvoiceView,
    /// `paid_late`, `underpaid`, `overpaid`, `delivery_failed`, `provider_error`.
    pub reasons: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DashboardView {
    pub periods: Vec<PeriodTotals>,
    /// Invoices paid per day over the last 14 days (days with none included).
    pub daily: Vec<DayCount>,
    pub attention: Vec<Attention>,
}

impl Engine {
    pub async fn dashboard(&self) -> Result<DashboardView> {
        let tz = self.time_zone().await?;
        let now = Utc::now().with_timezone(&tz);
        let midnight = |d: chrono::NaiveDate| {
            tz.from_local_datetime(&d.and_time(NaiveTime::MIN))
                .single()
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(Utc::now)
        };
        let today = now.date_naive();
        let starts = [
            ("today", midnight(today)),
            (
                "week",
                midnight(today - Duration::days(now.weekday().num_days_from_monday() as i64)),
            ),
            ("month", midnight(today.with_day(1).unwrap_or(today))),
        ];
        let store = &self.inner.store;
        let mut periods = Vec::new();
        for (period, since) in starts {
            let paid = store
                .paid_since(since)
                .await?
                .into_iter()
                .filter_map(|(currency, count, minor)| {
                    let c = Currency::from_str(&currency).ok()?;
                    let m = Money::from_minor(minor, c).ok()?;
                    Some(MoneyTotal {
                        currency,
                        count,
                        amount: m.to_plain(),
                        amount_display: m.to_display("ko"),
                    })
                })
                .collect();
            let (open, expired) = store.open_and_expired_since(since).await?;
            periods.push(PeriodTotals {
                period: period.into(),
                since: paydesk_core::format_instant(since),
                paid,
                open,
                expired,
            });
        }
        let first_day = today - Duration::days(13);
        let counts = store
            .paid_per_day(midnight(first_day), tz.local_minus_utc())
            .await?;
        let daily = (0..14)
            .map(|i| {
                let day = (first_day + Duration::days(i))
                    .format("%Y-%m-%d")
                    .to_string();
                let paid = counts
                    .iter()
                    .find(|(d, _)| *d == day)
                    .map_or(0, |(_, n)| *n);
                DayCount { day, paid }
            })
            .collect();
        let mut attention = Vec::new();
        for inv in store.needing_attention(20).await? {
            let mut reasons = Vec::new();
            for (flag, name) in [
                (inv.flags.paid_late, "paid_late"),
                (inv.flags.underpaid, "underpaid"),
                (inv.flags.overpaid, "overpaid"),
            ] {
                if flag {
                    reasons.push(name.to_string());
                }
            }
            if store
                .deliveries(Some(&inv.id))
                .await?
                .iter()
                .any(|d| matches!(d.state, DeliveryState::Failed | DeliveryState::Unknown))
            {
                reasons.push("delivery_failed".into());
            }
            if inv.last_error.is_some() && !inv.status.is_final() {
                reasons.push("provider_error".into());
            }
            attention.push(Attention {
                invoice: self.view(&inv, false).await?,
                reasons,
            });
        }
        Ok(DashboardView {
            periods,
            daily,
            attention,
        })
    }
}
