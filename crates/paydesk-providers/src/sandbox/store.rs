//! The sandbox's own records (`sandbox.sqlite`): what its payment page changes and
//! what the sandbox provider reads back.

use std::{path::Path, str::FromStr, time::Duration};

use chrono::{DateTime, Utc};
use paydesk_core::{format_instant, Currency, InvoiceKind, Money};
use sqlx::{
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions},
    Row, SqlitePool,
};

use super::{KIND, SANDBOX_FILE};
use crate::{CreateRequest, ProviderError, Result};

/// A payment as the sandbox "provider" keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxPayment {
    pub id: String,
    pub order_id: String,
    pub kind: InvoiceKind,
    pub name: String,
    pub currency: Currency,
    pub amount_minor: i64,
    pub paid_minor: i64,
    pub refunded_minor: i64,
    /// The sandbox's own status words: waiting, partial, paid, expired, cancelled,
    /// refunded, partially_refunded.
    pub state: String,
    pub late: bool,
    pub payment_number: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl SandboxPayment {
    pub fn amount(&self) -> Money {
        Money::from_minor(self.amount_minor, self.currency).unwrap_or(Money::zero(self.currency))
    }
}

/// The sandbox's side: its own records, and what its payment page's buttons do.
#[derive(Clone, Debug)]
pub struct SandboxStore {
    pool: SqlitePool,
}

fn db_err(e: sqlx::Error) -> ProviderError {
    ProviderError::Unavailable {
        provider: KIND,
        message: format!("the sandbox's records cannot be read: {e}"),
    }
}

fn rejected(message: impl Into<String>) -> ProviderError {
    ProviderError::Rejected {
        provider: KIND,
        code: None,
        message: message.into(),
    }
}

impl SandboxStore {
    pub async fn open(data_dir: &Path) -> Result<SandboxStore> {
        std::fs::create_dir_all(data_dir).map_err(|e| db_err(sqlx::Error::Io(e)))?;
        let options = SqliteConnectOptions::new()
            .filename(data_dir.join(SANDBOX_FILE))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(2)
            .connect_with(options)
            .await
            .map_err(db_err)?;
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS sandbox_payments (
                id TEXT PRIMARY KEY,
                order_id TEXT NOT NULL UNIQUE,
                kind TEXT NOT NULL,
                name TEXT NOT NULL,
                currency TEXT NOT NULL,
                amount_minor INTEGER NOT NULL,
                paid_minor INTEGER NOT NULL DEFAULT 0,
                refunded_minor INTEGER NOT NULL DEFAULT 0,
                state TEXT NOT NULL,
                late INTEGER NOT NULL DEFAULT 0,
                payment_number TEXT,
                expires_at TEXT NOT NULL,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )",
        )
        .execute(&pool)
        .await
        .map_err(db_err)?;
        Ok(SandboxStore { pool })
    }

    pub async fn insert(&self, req: &CreateRequest, now: DateTime<Utc>) -> Result<SandboxPayment> {
        let id = paydesk_core::invoice::new_id("sbx");
        let payment_number = match req.kind {
            InvoiceKind::Cvs => Some(cvs_number(&id)),
            InvoiceKind::Link => None,
        };
        let r = sqlx::query(
            "INSERT INTO sandbox_payments (id, order_id, kind, name, currency, amount_minor, state,
                payment_number, expires_at, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, 'waiting', ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(&req.order_id)
        .bind(req.kind.as_str())
        .bind(&req.name)
        .bind(req.amount.currency().code())
        .bind(req.amount.minor())
        .bind(&payment_number)
        .bind(format_instant(req.expires_at))
        .bind(format_instant(now))
        .bind(format_instant(now))
        .execute(&self.pool)
        .await;
        match r {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(ProviderError::Rejected {
                    provider: KIND,
                    code: Some("DUPLICATE_ORDER_ID".into()),
                    message: format!("order id {} was already used", req.order_id),
                })
            }
            r => r.map_err(db_err)?,
        };
        self.get(&id, now).await
    }

    async fn load(&self, key: &str, by_order: bool) -> Result<Option<SandboxPayment>> {
        let sql = if by_order {
            "SELECT * FROM sandbox_payments WHERE order_id = ?"
        } else {
            "SELECT * FROM sandbox_payments WHERE id = ?"
        };
        let row = sqlx::query(sql)
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.map(|r| payment_from_row(&r)).transpose()
    }

    /// The payment, with its deadline applied (a provider expires links by itself).
    pub async fn get(&self, id: &str, now: DateTime<Utc>) -> Result<SandboxPayment> {
        let p = self
            .load(id, false)
            .await?
            .ok_or_else(|| ProviderError::NotFound {
                provider: KIND,
                id: id.to_string(),
            })?;
        self.expire_if_due(p, now).await
    }

    pub async fn find_by_order_id(
        &self,
        order_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<SandboxPayment>> {
        match self.load(order_id, true).await? {
            Some(p) => Ok(Some(self.expire_if_due(p, now).await?)),
            None => Ok(None),
        }
    }

    async fn expire_if_due(&self, p: SandboxPayment, now: DateTime<Utc>) -> Result<SandboxPayment> {
        if matches!(p.state.as_str(), "waiting" | "partial") && now >= p.expires_at {
            return self
                .set_state(&p.id, "expired", p.paid_minor, p.late, now)
                .await;
        }
        Ok(p)
    }

    async fn set_state(
        &self,
        id: &str,
        state: &str,
        paid: i64,
        late: bool,
        now: DateTime<Utc>,
    ) -> Result<SandboxPayment> {
        sqlx::query("UPDATE sandbox_payments SET state = ?, paid_minor = ?, late = ?, updated_at = ? WHERE id = ?")
            .bind(state)
            .bind(paid)
            .bind(late)
            .bind(format_instant(now))
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        self.load(id, false)
            .await?
            .ok_or_else(|| ProviderError::NotFound {
                provider: KIND,
                id: id.to_string(),
            })
    }

    /// The customer pays `amount` (all that is due when `None`). `late` makes the money
    /// arrive after the deadline, as crypto or bank transfers sometimes do.
    pub async fn pay(
        &self,
        id: &str,
        amount: Option<Money>,
        late: bool,
        now: DateTime<Utc>,
    ) -> Result<SandboxPayment> {
        let p = self.get(id, now).await?;
        if let Some(a) = amount {
            if a.currency() != p.currency {
                return Err(rejected(format!(
                    "the link is in {}, not {}",
                    p.currency,
                    a.currency()
                )));
            }
            if a.is_zero() {
                return Err(rejected("a payment must be greater than zero"));
            }
        }
        let late = late || p.state == "expired";
        match p.state.as_str() {
            "waiting" | "partial" | "expired" => {}
            other => return Err(rejected(format!("this link is {other} and cannot be paid"))),
        }
        let due = (p.amount_minor - p.paid_minor).max(0);
        let add = amount.map(Money::minor).unwrap_or(due.max(1));
        // What was paid in all stays an amount PayDesk can keep.
        let paid = p
            .paid_minor
            .checked_add(add)
            .filter(|p| *p <= paydesk_core::money::MAX_MINOR)
            .ok_or_else(|| {
                rejected(
                    "amount too large: the payments would add up to more than any invoice holds",
                )
            })?;
        let state = if paid >= p.amount_minor {
            "paid"
        } else if p.state == "expired" {
            "expired"
        } else {
            "partial"
        };
        self.set_state(id, state, paid, late && state == "paid" || p.late, now)
            .await
    }

    /// Pays half of what is due (the page's "Pay less" button).
    pub async fn pay_less(&self, id: &str, now: DateTime<Utc>) -> Result<SandboxPayment> {
        let p = self.get(id, now).await?;
        let half = ((p.amount_minor - p.paid_minor) / 2).max(1);
        self.pay(
            id,
            Some(Money::from_minor(half, p.currency).map_err(|e| rejected(e.to_string()))?),
            false,
            now,
        )
        .await
    }

    /// Pays 10 % more than is due (the page's "Pay more" button).
    pub async fn pay_more(&self, id: &str, now: DateTime<Utc>) -> Result<SandboxPayment> {
        let p = self.get(id, now).await?;
        let due = (p.amount_minor - p.paid_minor).max(0);
        let more = due + (p.amount_minor / 10).max(1);
        self.pay(
            id,
            Some(Money::from_minor(more, p.currency).map_err(|e| rejected(e.to_string()))?),
            false,
            now,
        )
        .await
    }

    /// Expires the link now (the page's "Expire" button).
    pub async fn expire(&self, id: &str, now: DateTime<Utc>) -> Result<SandboxPayment> {
        let p = self.get(id, now).await?;
        match p.state.as_str() {
            "waiting" | "partial" => {
                sqlx::query(
                    "UPDATE sandbox_payments SET expires_at = ? WHERE id = ? AND expires_at > ?",
                )
                .bind(format_instant(now))
                .bind(id)
                .bind(format_instant(now))
                .execute(&self.pool)
                .await
                .map_err(db_err)?;
                self.set_state(id, "expired", p.paid_minor, p.late, now)
                    .await
            }
            "expired" => Ok(p),
            other => Err(rejected(format!("this link is {other} and cannot expire"))),
        }
    }

    pub async fn cancel(&self, id: &str, now: DateTime<Utc>) -> Result<SandboxPayment> {
        let p = self.get(id, now).await?;
        match p.state.as_str() {
            "waiting" | "expired" if p.paid_minor == 0 => self.set_state(id, "cancelled", 0, p.late, now).await,
            "cancelled" => Ok(p),
            other => Err(rejected(format!(
                "this link is {other} with money received and cannot be cancelled; refund it instead"
            ))),
        }
    }

    pub async fn refund(
        &self,
        id: &str,
        amount: Option<Money>,
        now: DateTime<Utc>,
    ) -> Result<SandboxPayment> {
        let p = self.get(id, now).await?;
        // Paid, or paid short before the link expired.
        let short = p.state == "expired" && p.paid_minor > 0;
        if !matches!(p.state.as_str(), "paid" | "partially_refunded") && !short {
            return Err(rejected(format!(
                "this link is {} and cannot be refunded",
                p.state
            )));
        }
        let refundable = p.paid_minor - p.refunded_minor;
        let amount = amount.map(Money::minor).unwrap_or(refundable);
        if amount <= 0 || amount > refundable {
            return Err(rejected(format!(
                "at most {refundable} minor units can be refunded"
            )));
        }
        let refunded = p.refunded_minor + amount;
        let state = if refunded >= p.paid_minor {
            "refunded"
        } else {
            "partially_refunded"
        };
        sqlx::query("UPDATE sandbox_payments SET refunded_minor = ? WHERE id = ?")
            .bind(refunded)
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        self.set_state(id, state, p.paid_minor, p.late, now).await
    }
}

/// A 14-digit CVS payment number derived from the payment id (sandbox only).
fn cvs_number(id: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("9{:013}", h % 10_000_000_000_000)
}

fn payment_from_row(r: &sqlx::sqlite::SqliteRow) -> Result<SandboxPayment> {
    let field = |name: &str, e: String| ProviderError::Malformed {
        provider: KIND,
        field: name.to_string(),
        message: e,
    };
    let get_s = |name: &str| -> Result<String> {
        r.try_get::<String, _>(name)
            .map_err(|e| field(name, e.to_string()))
    };
    let get_i = |name: &str| -> Result<i64> {
        r.try_get::<i64, _>(name)
            .map_err(|e| field(name, e.to_string()))
    };
    let get_t = |name: &str| -> Result<DateTime<Utc>> {
        let s = get_s(name)?;
        DateTime::parse_from_rfc3339(&s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| field(name, e.to_string()))
    };
    Ok(SandboxPayment {
        id: get_s("id")?,
        order_id: get_s("order_id")?,
        kind: InvoiceKind::from_str(&get_s("kind")?).map_err(|e| field("kind", e.to_string()))?,
        name: get_s("name")?,
        currency: Currency::from_str(&get_s("currency")?)
            .map_err(|e| field("currency", e.to_string()))?,
        amount_minor: get_i("amount_minor")?,
        paid_minor: get_i("paid_minor")?,
        refunded_minor: get_i("refunded_minor")?,
        state: get_s("state")?,
        late: get_i("late")? != 0,
        payment_number: r
            .try_get::<Option<String>, _>("payment_number")
            .map_err(|e| field("payment_number", e.to_string()))?,
        expires_at: get_t("expires_at")?,
        created_at: get_t("created_at")?,
        updated_at: get_t("updated_at")?,
    })
}
