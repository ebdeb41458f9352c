//! The embedded sandbox provider: no account, no network, no real money.
//!
//! It keeps its own provider-side records in `sandbox.sqlite` in the data directory
//! (never in PayDesk's own database), serves its payment page on 127.0.0.1
//! ([`server`]), and answers PayDesk through the same [`Provider`] trait as every
//! real provider, so invoices learn what happened on its page by polling it.

use std::sync::Arc;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use paydesk_core::{
    format_instant, Capabilities, Currency, InvoiceKind, Money, PaymentFlags, ProviderKind, Status,
};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{Row, SqlitePool};

use crate::registry::ProviderSpec;
use crate::{CreateRequest, Provider, ProviderError, RemoteInvoice, Result};

pub mod server;

/// The sandbox's own file in the data directory.
pub const SANDBOX_FILE: &str = "sandbox.sqlite";
/// Where the sandbox's payment pages are served unless the account says otherwise.
pub const DEFAULT_PORT: u16 = 8787;

const KIND: ProviderKind = ProviderKind::Sandbox;

/// The embedded sandbox: every capability, no keys, no network.
pub const SPEC: ProviderSpec = ProviderSpec {
    kind: KIND,
    capabilities: Capabilities {
        links: true,
        cvs: true,
        cancel: true,
        refund: true,
        partial_refund: true,
        notify_customer: false,
    },
    settings: &[],
    required: &[],
    secrets: &[],
    default_base_url: Some(DEFAULT_BASE_URL),
    build: |a| {
        let base = a.base_url()?;
        Ok(Arc::new(SandboxProvider::new(a.sandbox.clone(), base)))
    },
};

/// Where the sandbox's pages are served unless the account says otherwise.
pub const DEFAULT_BASE_URL: &str = "http://127.0.0.1:8787";

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

/// Maps the sandbox's status words into PayDesk's lifecycle: one row of the design's
/// table per documented state (tested row by row below).
pub fn map_status(
    state: &str,
    amount: i64,
    paid: i64,
    late: bool,
) -> Option<(Status, PaymentFlags)> {
    let underpaid = paid > 0 && paid < amount;
    let overpaid = paid > amount;
    let flags = PaymentFlags {
        paid_late: late,
        underpaid,
        overpaid,
    };
    let status = match state {
        "waiting" | "partial" => Status::Open,
        "paid" => Status::Paid,
        "expired" => Status::Expired,
        "cancelled" => Status::Cancelled,
        "refunded" => Status::Refunded,
        "partially_refunded" => Status::PartiallyRefunded,
        _ => return None,
    };
    Some((status, flags))
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
        let paid = p
            .paid_minor
            .checked_add(add)
            .ok_or_else(|| rejected("amount too large"))?;
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
        if !matches!(p.state.as_str(), "paid" | "partially_refunded") {
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

/// The sandbox as a [`Provider`].
#[derive(Clone, Debug)]
pub struct SandboxProvider {
    store: SandboxStore,
    base_url: String,
}

impl SandboxProvider {
    /// `base_url` is where the payment pages are served, e.g. `http://127.0.0.1:8787`.
    pub fn new(store: SandboxStore, base_url: impl Into<String>) -> Self {
        SandboxProvider {
            store,
            base_url: base_url.into().trim_end_matches('/').to_string(),
        }
    }

    pub fn store(&self) -> &SandboxStore {
        &self.store
    }

    fn remote(&self, p: &SandboxPayment) -> Result<RemoteInvoice> {
        let (status, flags) = map_status(&p.state, p.amount_minor, p.paid_minor, p.late)
            .ok_or_else(|| ProviderError::Malformed {
                provider: KIND,
                field: "state".into(),
                message: format!("unknown state {:?}", p.state),
            })?;
        let raw_status = format!("{} (paid {} of {})", p.state, p.paid_minor, p.amount_minor);
        Ok(RemoteInvoice {
            provider_id: p.id.clone(),
            order_id: p.order_id.clone(),
            status,
            flags,
            paid_minor: p.paid_minor,
            refunded_minor: p.refunded_minor,
            currency: Some(p.currency),
            payment_url: Some(format!("{}/pay/{}", self.base_url, p.id)),
            payment_number: p.payment_number.clone(),
            raw_status,
        })
    }
}

#[async_trait]
impl Provider for SandboxProvider {
    fn kind(&self) -> ProviderKind {
        KIND
    }

    async fn create(&self, req: &CreateRequest) -> Result<RemoteInvoice> {
        let p = self.store.insert(req, Utc::now()).await?;
        self.remote(&p)
    }

    async fn find_by_order_id(&self, order_id: &str) -> Result<Option<RemoteInvoice>> {
        match self.store.find_by_order_id(order_id, Utc::now()).await? {
            Some(p) => Ok(Some(self.remote(&p)?)),
            None => Ok(None),
        }
    }

    async fn get(&self, provider_id: &str) -> Result<RemoteInvoice> {
        let p = self.store.get(provider_id, Utc::now()).await?;
        self.remote(&p)
    }

    async fn cancel(&self, provider_id: &str) -> Result<RemoteInvoice> {
        let p = self.store.cancel(provider_id, Utc::now()).await?;
        self.remote(&p)
    }

    async fn refund(&self, provider_id: &str, amount: Option<Money>) -> Result<RemoteInvoice> {
        let p = self.store.refund(provider_id, amount, Utc::now()).await?;
        self.remote(&p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn every_state_maps_into_the_lifecycle() {
        let none = PaymentFlags::default();
        let rows: [(&str, i64, bool, Status, PaymentFlags); 9] = [
            ("waiting", 0, false, Status::Open, none),
            (
                "partial",
                500,
                false,
                Status::Open,
                PaymentFlags {
                    underpaid: true,
                    ..none
                },
            ),
            ("paid", 1000, false, Status::Paid, none),
            (
                "paid",
                1100,
                false,
                Status::Paid,
                PaymentFlags {
                    overpaid: true,
                    ..none
                },
            ),
            (
                "paid",
                1000,
                true,
                Status::Paid,
                PaymentFlags {
                    paid_late: true,
                    ..none
                },
            ),
            ("expired", 0, false, Status::Expired, none),
            (
                "expired",
                300,
                false,
                Status::Expired,
                PaymentFlags {
                    underpaid: true,
                    ..none
                },
            ),
            ("cancelled", 0, false, Status::Cancelled, none),
            ("refunded", 1000, false, Status::Refunded, none),
        ];
        for (state, paid, late, status, flags) in rows {
            assert_eq!(
                map_status(state, 1000, paid, late),
                Some((status, flags)),
                "{state} paid {paid}"
            );
        }
        assert_eq!(
            map_status("partially_refunded", 1000, 1000, false).map(|m| m.0),
            Some(Status::PartiallyRefunded)
        );
        assert_eq!(map_status("bogus", 1000, 0, false), None);
    }

    fn request(order: &str, expires_in: Duration) -> CreateRequest {
        CreateRequest {
            kind: InvoiceKind::Link,
            order_id: order.into(),
            name: "테스트 상품".into(),
            amount: Money::from_minor(29900, Currency::Krw).unwrap(),
            tax_free: Money::zero(Currency::Krw),
            expires_at: Utc::now() + expires_in,
            customer: None,
        }
    }

    #[tokio::test]
    async fn create_pay_and_read_back_through_the_trait() {
        let dir = tempfile::tempdir().unwrap();
        let p = SandboxProvider::new(
            SandboxStore::open(dir.path()).await.unwrap(),
            "http://127.0.0.1:9/",
        );
        let r = p.create(&request("PD1", Duration::days(1))).await.unwrap();
        assert_eq!(r.status, Status::Open);
        assert_eq!(
            r.payment_url.as_deref(),
            Some(format!("http://127.0.0.1:9/pay/{}", r.provider_id).as_str())
        );
        // The same order id twice is refused, and can be found.
        assert!(matches!(
            p.create(&request("PD1", Duration::days(1))).await,
            Err(ProviderError::Rejected { .. })
        ));
        assert_eq!(
            p.find_by_order_id("PD1")
                .await
                .unwrap()
                .unwrap()
                .provider_id,
            r.provider_id
        );
        assert_eq!(p.find_by_order_id("PD2").await.unwrap(), None);

        let now = Utc::now();
        p.store().pay_less(&r.provider_id, now).await.unwrap();
        let half = p.get(&r.provider_id).await.unwrap();
        assert_eq!(
            (half.status, half.flags.underpaid, half.paid_minor),
            (Status::Open, true, 14950)
        );
        p.store()
            .pay(&r.provider_id, None, false, now)
            .await
            .unwrap();
        let paid = p.get(&r.provider_id).await.unwrap();
        assert_eq!(
            (paid.status, paid.flags, paid.paid_minor),
            (Status::Paid, PaymentFlags::default(), 29900)
        );
        assert!(
            p.cancel(&r.provider_id).await.is_err(),
            "paid links cannot be cancelled"
        );
        let refunded = p
            .refund(
                &r.provider_id,
                Some(Money::from_minor(900, Currency::Krw).unwrap()),
            )
            .await
            .unwrap();
        assert_eq!(refunded.status, Status::PartiallyRefunded);
    }

    #[tokio::test]
    async fn links_expire_by_themselves_and_late_money_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let p = SandboxProvider::new(
            SandboxStore::open(dir.path()).await.unwrap(),
            "http://127.0.0.1:9",
        );
        let r = p
            .create(&request("PD3", Duration::minutes(10)))
            .await
            .unwrap();
        let later = Utc::now() + Duration::minutes(11);
        assert_eq!(
            p.store().get(&r.provider_id, later).await.unwrap().state,
            "expired"
        );
        assert_eq!(p.get(&r.provider_id).await.unwrap().status, Status::Expired);
        p.store()
            .pay(&r.provider_id, None, false, later)
            .await
            .unwrap();
        let late = p.get(&r.provider_id).await.unwrap();
        assert_eq!((late.status, late.flags.paid_late), (Status::Paid, true));
    }

    #[tokio::test]
    async fn cvs_payments_get_a_number() {
        let dir = tempfile::tempdir().unwrap();
        let p = SandboxProvider::new(
            SandboxStore::open(dir.path()).await.unwrap(),
            "http://127.0.0.1:9",
        );
        let mut req = request("PD4", Duration::days(1));
        req.kind = InvoiceKind::Cvs;
        let r = p.create(&req).await.unwrap();
        let n = r.payment_number.unwrap();
        assert_eq!(n.len(), 14);
        assert!(n.bytes().all(|b| b.is_ascii_digit()));
    }
}
