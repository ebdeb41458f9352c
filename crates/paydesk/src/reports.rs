//! What the merchant reads out of PayDesk: the overview (today / this week / this month
//! in the store's time zone, a daily chart, the invoices that need the clerk), the CSV
//! export, an invoice's QR code, and the diagnostics report for support.

use chrono::{Datelike, Duration, NaiveTime, TimeZone, Utc};
use paydesk_core::{Currency, DeliveryState, Lang, Money};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

use crate::{context::internal, Engine, InvoiceView, Result};

/// Money of one currency, and how many invoices it came from.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
pub struct MoneyTotal {
    /// The currency's code.
    pub currency: String,
    /// How many invoices.
    #[ts(type = "number")]
    pub count: i64,
    /// The sum as a plain decimal.
    pub amount: String,
    /// The sum as people read it.
    pub amount_display: String,
}

/// The overview's figures for one period.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
pub struct PeriodTotals {
    /// `today`, `week` (since Monday) or `month`.
    #[ts(type = "\"today\" | \"week\" | \"month\"")]
    pub period: String,
    /// When the period began (the store's time zone).
    pub since: String,
    /// Money kept (received minus refunded) on invoices paid in the period, per currency.
    pub paid: Vec<MoneyTotal>,
    /// Invoices made in the period that are still waiting for the customer.
    #[ts(type = "number")]
    pub open: i64,
    /// Invoices that expired in the period.
    #[ts(type = "number")]
    pub expired: i64,
}

/// How many invoices were paid on one day.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
pub struct DayCount {
    /// The day (`YYYY-MM-DD`, the store's time zone).
    pub day: String,
    /// Invoices paid that day.
    #[ts(type = "number")]
    pub paid: i64,
}

/// An invoice the clerk should look at, and why.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
pub struct Attention {
    /// The invoice.
    pub invoice: InvoiceView,
    /// `paid_late`, `underpaid`, `overpaid`, `delivery_failed`, `provider_error`.
    #[ts(
        type = "Array<\"paid_late\" | \"underpaid\" | \"overpaid\" | \"delivery_failed\" | \"provider_error\">"
    )]
    pub reasons: Vec<String>,
}

/// The overview screen: periods, the last 14 days, what needs attention.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
pub struct DashboardView {
    /// Today, this week, this month.
    pub periods: Vec<PeriodTotals>,
    /// Invoices paid per day over the last 14 days (days with none included).
    pub daily: Vec<DayCount>,
    /// Invoices that need the clerk (late, short or over paid, a failed message, a provider error).
    pub attention: Vec<Attention>,
}

/// What the window shows above the invoice list: how many are open now, and the money
/// paid today (the store's day), per currency.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ListTotals {
    /// Invoices open now.
    #[ts(type = "number")]
    pub open: i64,
    /// Kept today per currency; one zero in the store's currency when nothing was.
    pub paid_today: Vec<MoneyTotal>,
}

/// The start of day `d` in the store's zone `tz`.
fn midnight(tz: chrono::FixedOffset, d: chrono::NaiveDate) -> chrono::DateTime<Utc> {
    tz.from_local_datetime(&d.and_time(NaiveTime::MIN))
        .single()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(Utc::now)
}

impl Engine {
    /// Money received on invoices that became paid since `since`, per currency.
    async fn paid_totals_since(&self, since: chrono::DateTime<Utc>) -> Result<Vec<MoneyTotal>> {
        Ok(self
            .inner
            .store
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
                    amount_display: m.to_display(),
                })
            })
            .collect())
    }

    /// The two figures above the list, without the rest of the overview.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn list_totals(&self) -> Result<ListTotals> {
        let tz = self.time_zone().await?;
        let today = Utc::now().with_timezone(&tz).date_naive();
        let open = self
            .inner
            .store
            .count_invoices(&paydesk_store::InvoiceFilter {
                status: Some(paydesk_core::Status::Open),
                ..Default::default()
            })
            .await?;
        let mut paid_today = self.paid_totals_since(midnight(tz, today)).await?;
        // Nothing kept yet today is a figure too: zero in the store's currency.
        if paid_today.is_empty() {
            let zero = Money::zero(self.store_currency().await?);
            paid_today.push(MoneyTotal {
                currency: zero.currency().code().into(),
                count: 0,
                amount: zero.to_plain(),
                amount_display: zero.to_display(),
            });
        }
        Ok(ListTotals { open, paid_today })
    }

    /// The overview: what was kept per period, invoices paid per day, what needs attention.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn dashboard(&self) -> Result<DashboardView> {
        let tz = self.time_zone().await?;
        let now = Utc::now().with_timezone(&tz);
        let midnight = |d: chrono::NaiveDate| midnight(tz, d);
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
            let paid = self.paid_totals_since(since).await?;
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

/// The CSV columns of an export, in order.
/// A text cell as a spreadsheet will not run it: one that starts like a formula (`=`,
/// `+`, `-`, `@`, a tab or CR) gets a leading `'`, which Excel and LibreOffice show as
/// text. Only free text and what providers answered go through it; phone numbers are
/// E.164 digits checked on the way in.
pub(crate) fn cell(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

/// The CSV export's columns, in order (new columns are only ever added at the end).
pub const CSV_COLUMNS: [&str; 24] = [
    "id",
    "order_id",
    "account",
    "provider",
    "provider_id",
    "kind",
    "name",
    "currency",
    "amount",
    "tax_free",
    "paid_amount",
    "status",
    "paid_late",
    "underpaid",
    "overpaid",
    "customer_name",
    "customer_phone",
    "customer_email",
    "payment_url",
    "payment_number",
    "expires_at",
    "created_at",
    "refunded_amount",
    "paid_at",
];

/// The same columns as a Korean, Japanese or English spreadsheet names them.
fn csv_headers(lang: Lang) -> [&'static str; 24] {
    match lang {
        Lang::Ko => [
            "PayDesk ID",
            "주문번호",
            "계정",
            "결제사",
            "결제사 ID",
            "종류",
            "상품",
            "통화",
            "금액",
            "면세 금액",
            "받은 금액",
            "상태",
            "기한 후 입금",
            "부족 입금",
            "초과 입금",
            "고객",
            "고객 전화",
            "고객 이메일",
            "결제 링크",
            "결제번호",
            "결제 기한",
            "만든 시각",
            "환불한 금액",
            "결제 시각",
        ],
        Lang::Ja => [
            "PayDesk ID",
            "注文番号",
            "アカウント",
            "決済会社",
            "決済会社ID",
            "種類",
            "商品",
            "通貨",
            "金額",
            "非課税額",
            "入金額",
            "状態",
            "期限後入金",
            "入金不足",
            "過入金",
            "お客様",
            "電話番号",
            "メール",
            "支払いリンク",
            "払込番号",
            "支払期限",
            "作成日時",
            "返金額",
            "入金日時",
        ],
        Lang::En => [
            "PayDesk id",
            "Order id",
            "Account",
            "Provider",
            "Provider id",
            "Kind",
            "Item",
            "Currency",
            "Amount",
            "Tax-free",
            "Received",
            "Status",
            "Paid late",
            "Underpaid",
            "Overpaid",
            "Customer",
            "Phone",
            "E-mail",
            "Payment link",
            "Payment number",
            "Pay by",
            "Created",
            "Refunded",
            "Paid at",
        ],
    }
}

/// How an export is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CsvForm {
    /// For programs: the column names of `CSV_COLUMNS`, times in UTC (RFC 3339).
    #[default]
    Data,
    /// For a spreadsheet (Excel in Korea and Japan): a UTF-8 byte order mark, column
    /// names in the language, times in the store's time zone (`2026-12-03 08:43`).
    Spreadsheet(Lang),
}

impl Engine {
    /// The instants that bound days `from`..=`to` (`YYYY-MM-DD` in the store's time zone;
    /// either may be absent): [start of `from`, start of the day after `to`).
    pub(crate) async fn day_range(
        &self,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<(Option<chrono::DateTime<Utc>>, Option<chrono::DateTime<Utc>>)> {
        let tz = self.time_zone().await?;
        let day = |field: &str, v: Option<&str>| -> Result<Option<chrono::NaiveDate>> {
            match v.map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(None),
                // Years 1900–9999: every day has a next day and a midnight in every zone.
                Some(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .ok()
                    .filter(|d| (1900..=9999).contains(&d.year()))
                    .map(Some)
                    .ok_or_else(|| {
                        crate::EngineError::input(
                            field,
                            "must be a date like 2026-11-01 (years 1900 to 9999)",
                        )
                    }),
            }
        };
        let (from, to) = (day("from", from)?, day("to", to)?);
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                return Err(crate::EngineError::input("to", "must not be before from"));
            }
        }
        let start = |d: chrono::NaiveDate| {
            tz.from_local_datetime(&d.and_time(NaiveTime::MIN))
                .single()
                .map(|t| t.with_timezone(&Utc))
        };
        Ok((
            from.and_then(start),
            to.and_then(|d| d.succ_opt()).and_then(start),
        ))
    }

    /// Every invoice created between `from` and `to` (dates `YYYY-MM-DD` in the store's
    /// time zone, both included; open-ended when absent) as CSV, newest first, in `form`.
    /// Amounts are plain decimals in the major unit, exactly as stored.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn export_csv(
        &self,
        from: Option<&str>,
        to: Option<&str>,
        form: CsvForm,
    ) -> Result<Vec<u8>> {
        let (lo, hi) = self.day_range(from, to).await?;
        let tz = self.time_zone().await?;
        let at = |t: chrono::DateTime<Utc>| match form {
            CsvForm::Data => paydesk_core::format_instant(t),
            CsvForm::Spreadsheet(_) => paydesk_core::local_time(t, tz),
        };
        let mut out = Vec::new();
        if matches!(form, CsvForm::Spreadsheet(_)) {
            out.extend_from_slice("\u{feff}".as_bytes());
        }
        let mut w = csv::Writer::from_writer(out);
        match form {
            CsvForm::Data => w.write_record(CSV_COLUMNS),
            CsvForm::Spreadsheet(lang) => w.write_record(csv_headers(lang)),
        }
        .map_err(internal)?;
        // Page by page after the last row written (keyset: an invoice created meanwhile
        // neither shifts nor repeats a row).
        let mut after: Option<String> = None;
        loop {
            let page = self
                .inner
                .store
                .invoices(&paydesk_store::InvoiceFilter {
                    limit: Some(5000),
                    after: after.clone(),
                    created_from: lo,
                    created_before: hi,
                    ..Default::default()
                })
                .await?;
            after = page.last().map(|i| i.id.to_string());
            for i in &page {
                if lo.is_some_and(|lo| i.created_at < lo) || hi.is_some_and(|hi| i.created_at >= hi)
                {
                    continue;
                }
                let c = self.customer_of(i).await?;
                let flag = |b: bool| if b { "true" } else { "false" };
                w.write_record([
                    i.id.as_str(),
                    &i.order_id,
                    &i.account,
                    i.provider.as_str(),
                    &cell(i.provider_id.as_deref().unwrap_or("")),
                    i.kind.as_str(),
                    &cell(&i.name),
                    i.amount.currency().code(),
                    &i.amount.to_plain(),
                    &i.tax_free.to_plain(),
                    &i.paid.to_plain(),
                    i.status.as_str(),
                    flag(i.flags.paid_late),
                    flag(i.flags.underpaid),
                    flag(i.flags.overpaid),
                    &cell(c.as_ref().map(|c| c.name.as_str()).unwrap_or("")),
                    c.as_ref().and_then(|c| c.phone.as_deref()).unwrap_or(""),
                    &cell(c.as_ref().and_then(|c| c.email.as_deref()).unwrap_or("")),
                    &cell(i.payment_url.as_deref().unwrap_or("")),
                    &cell(i.payment_number.as_deref().unwrap_or("")),
                    &at(i.expires_at),
                    &at(i.created_at),
                    &i.refunded.to_plain(),
                    &i.paid_at.map(at).unwrap_or_default(),
                ])
                .map_err(internal)?;
            }
            if page.len() < 5000 {
                break;
            }
        }
        w.into_inner().map_err(internal)
    }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn formulas_are_kept_as_text() {
        for f in [
            "=HYPERLINK(\"http://x\")",
            "+1+1",
            "-2",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert_eq!(cell(f), format!("'{f}"));
        }
        for plain in ["원두 1kg", "kim@example.kr", "", "a=b"] {
            assert_eq!(cell(plain), plain);
        }
    }
}
