//! PayDesk's local store: one SQLite file in WAL mode in the data directory, with
//! forward-only migrations embedded in the binary, repositories for accounts,
//! customers, invoices and deliveries, and an append-only audit log.
//!
//! SQLite-only parts (pragmas, full-text search) stay inside this crate so that a
//! shared PostgreSQL backend can be added later without touching its callers.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use paydesk_core::{
    format_instant, Currency, Customer, Delivery, DeliveryState, Invoice, InvoiceKind, Lang, Money,
    PaymentFlags, ProviderKind, Source, Status, StatusError, TimelineEntry, TimelineEvent, Via,
};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{AssertSqlSafe, Row, SqlitePool};

/// The database file's name inside the data directory.
pub const DB_FILE: &str = "paydesk.sqlite";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database at {path}: {source}")]
    Open { path: PathBuf, source: sqlx::Error },
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot migrate the database from version {from}: {source}; the database as it was is kept at {}", backup.display())]
    MigrationFailed {
        from: i64,
        backup: PathBuf,
        source: sqlx::migrate::MigrateError,
    },
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("{what} {key:?} already exists")]
    Exists { what: &'static str, key: String },
    #[error("no {what} {key:?}")]
    NotFound { what: &'static str, key: String },
    #[error(transparent)]
    Transition(#[from] StatusError),
    #[error("the database holds a value PayDesk cannot read ({0}); was it edited by hand?")]
    Corrupt(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// A provider account's non-secret settings.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountRecord {
    pub name: String,
    pub provider: ProviderKind,
    /// JSON object: base_url, store_id, channel_key, mode — never a secret.
    pub settings: serde_json::Map<String, serde_json::Value>,
    pub created_at: DateTime<Utc>,
}

/// What sync or a user action learned about an invoice, applied in one transaction
/// together with its audit entry.
#[derive(Debug, Clone)]
pub struct InvoiceUpdate {
    pub status: Status,
    pub flags: PaymentFlags,
    pub paid_minor: i64,
    pub provider_id: Option<String>,
    pub payment_url: Option<String>,
    pub payment_number: Option<String>,
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

#[derive(Debug, Clone, Default)]
pub struct InvoiceFilter {
    pub status: Option<Status>,
    pub account: Option<String>,
    /// Only this customer's invoices.
    pub customer_id: Option<String>,
    /// Only invoices created at or after / before these instants.
    pub created_from: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
    pub search: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

fn ts(t: DateTime<Utc>) -> String {
    format_instant(t)
}

fn parse_ts(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| StoreError::Corrupt(format!("timestamp {s:?}")))
}

fn parse_opt_ts(s: Option<String>) -> Result<Option<DateTime<Utc>>> {
    s.as_deref().map(parse_ts).transpose()
}

fn corrupt<E: std::fmt::Display>(what: &str) -> impl Fn(E) -> StoreError + '_ {
    move |e| StoreError::Corrupt(format!("{what}: {e}"))
}

impl Store {
    /// Opens (creating when missing) the database in `data_dir` and migrates it forward.
    pub async fn open(data_dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(data_dir).map_err(|e| StoreError::Open {
            path: data_dir.to_path_buf(),
            source: sqlx::Error::Io(e),
        })?;
        Self::open_file(&data_dir.join(DB_FILE)).await
    }

    pub async fn open_file(path: &Path) -> Result<Store> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Open {
                path: path.to_path_buf(),
                source,
            })?;
        migrate_with_backup(&pool, path).await?;
        Ok(Store {
            pool,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version (the newest migration applied).
    pub async fn schema_version(&self) -> Result<i64> {
        let v: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success = 1")
                .fetch_one(&self.pool)
                .await?;
        Ok(v.unwrap_or(0))
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    // ---- accounts -------------------------------------------------------------------

    pub async fn insert_account(&self, a: &AccountRecord) -> Result<()> {
        let settings = serde_json::Value::Object(a.settings.clone()).to_string();
        let r = sqlx::query(
            "INSERT INTO accounts (name, provider, settings, created_at) VALUES (?, ?, ?, ?)",
        )
        .bind(&a.name)
        .bind(a.provider.as_str())
        .bind(settings)
        .bind(ts(a.created_at))
        .execute(&self.pool)
        .await;
        match r {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(StoreError::Exists {
                what: "account",
                key: a.name.clone(),
            }),
            other => other.map(|_| ()).map_err(Into::into),
        }
    }

    /// Inserts the account unless one of that name exists; true when inserted.
    pub async fn ensure_account(&self, a: &AccountRecord) -> Result<bool> {
        match self.insert_account(a).await {
            Ok(()) => Ok(true),
            Err(StoreError::Exists { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    pub async fn account(&self, name: &str) -> Result<Option<AccountRecord>> {
        let row =
            sqlx::query("SELECT name, provider, settings, created_at FROM accounts WHERE name = ?")
                .bind(name)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| account_from_row(&r)).transpose()
    }

    pub async fn accounts(&self) -> Result<Vec<AccountRecord>> {
        let rows =
            sqlx::query("SELECT name, provider, settings, created_at FROM accounts ORDER BY name")
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(account_from_row).collect()
    }

    /// Removes an account that no invoice uses; an account with invoices is kept (their
    /// history needs it) and the error says so.
    pub async fn delete_account(&self, name: &str) -> Result<()> {
        let used: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM invoices WHERE account = ?")
            .bind(name)
            .fetch_one(&self.pool)
            .await?;
        if used > 0 {
            return Err(StoreError::Exists {
                what: "invoice history for account",
                key: name.to_string(),
            });
        }
        let r = sqlx::query("DELETE FROM accounts WHERE name = ?")
            .bind(name)
            .execute(&self.pool)
            .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "account",
                key: name.to_string(),
            });
        }
        Ok(())
    }

    // ---- customers ------------------------------------------------------------------

    pub async fn insert_customer(&self, c: &Customer) -> Result<()> {
        sqlx::query(
            "INSERT INTO customers (id, name, phone, email, created_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&c.id)
        .bind(&c.name)
        .bind(&c.phone)
        .bind(&c.email)
        .bind(ts(c.created_at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn customer(&self, id: &str) -> Result<Option<Customer>> {
        let row =
            sqlx::query("SELECT id, name, phone, email, created_at FROM customers WHERE id = ?")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| customer_from_row(&r)).transpose()
    }

    /// The customers with these ids, in one query (a page of the invoice list names
    /// up to a few hundred; ids not found are left out).
    pub async fn customers_by_ids(
        &self,
        ids: &[&str],
    ) -> Result<std::collections::HashMap<String, Customer>> {
        let mut out = std::collections::HashMap::new();
        let mut unique: Vec<&str> = ids.to_vec();
        unique.sort_unstable();
        unique.dedup();
        // SQLite's bound-parameter limit is far above a page; chunks keep any caller safe.
        for chunk in unique.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(", ");
            let sql = format!(
                "SELECT id, name, phone, email, created_at FROM customers WHERE id IN ({marks})"
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(*id);
            }
            for row in q.fetch_all(&self.pool).await? {
                let c = customer_from_row(&row)?;
                out.insert(c.id.clone(), c);
            }
        }
        Ok(out)
    }

    /// Finds a customer by exact phone (E.164) or e-mail.
    pub async fn customer_by_contact(
        &self,
        phone: Option<&str>,
        email: Option<&str>,
    ) -> Result<Option<Customer>> {
        let row = sqlx::query(
            "SELECT id, name, phone, email, created_at FROM customers
             WHERE (?1 IS NOT NULL AND phone = ?1) OR (?2 IS NOT NULL AND email = ?2)
             ORDER BY created_at LIMIT 1",
        )
        .bind(phone)
        .bind(email)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| customer_from_row(&r)).transpose()
    }

    pub async fn customers(&self, search: Option<&str>, limit: i64) -> Result<Vec<Customer>> {
        let pattern = search.map(like_pattern);
        let rows = sqlx::query(
            "SELECT id, name, phone, email, created_at FROM customers
             WHERE ?1 IS NULL OR name LIKE ?1 ESCAPE '\\' OR phone LIKE ?1 ESCAPE '\\' OR email LIKE ?1 ESCAPE '\\'
             ORDER BY name LIMIT ?2",
        )
        .bind(pattern)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(customer_from_row).collect()
    }

    // ---- invoices -------------------------------------------------------------------

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
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
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
        let mut customers: std::collections::HashMap<String, Option<Customer>> =
            std::collections::HashMap::new();
        for id in list.iter().filter_map(|i| i.customer_id.as_ref()) {
            if !customers.contains_key(id) {
                customers.insert(id.clone(), self.customer(id).await?);
            }
        }
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
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
            "{INVOICE_SELECT} WHERE id = ?1 OR order_id = ?1 OR provider_id = ?1 ORDER BY (id = ?1) DESC LIMIT 1"
        )))
        .bind(key)
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

    /// Invoices, newest first, filtered by status, account and a search text over item
    /// name, customer (name, phone, e-mail), order id and provider id.
    /// How many invoices match the filter (its limit and offset aside).
    pub async fn count_invoices(&self, f: &InvoiceFilter) -> Result<i64> {
        let (sql, search) = filter_sql("SELECT COUNT(*) FROM invoices", f);
        Ok(sqlx::query_scalar(AssertSqlSafe(sql))
            .bind(f.status.map(|s| s.as_str()))
            .bind(f.account.as_deref())
            .bind(search)
            .bind(-1i64)
            .bind(0i64)
            .bind(f.customer_id.as_deref())
            .bind(f.created_from.map(ts))
            .bind(f.created_before.map(ts))
            .fetch_one(&self.pool)
            .await?)
    }

    pub async fn invoices(&self, f: &InvoiceFilter) -> Result<Vec<Invoice>> {
        let (mut sql, search_param) = filter_sql(INVOICE_SELECT, f);
        sql.push_str(" ORDER BY seq DESC LIMIT ?4 OFFSET ?5");
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(f.status.map(|s| s.as_str()))
            .bind(f.account.as_deref())
            .bind(search_param)
            .bind(f.limit.unwrap_or(500))
            .bind(f.offset.unwrap_or(0))
            .bind(f.customer_id.as_deref())
            .bind(f.created_from.map(ts))
            .bind(f.created_before.map(ts))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(invoice_from_row).collect()
    }

    /// Invoices sync should look at: not final, and for expired ones only within
    /// `grace` after their deadline (late money). Never-checked first, then the longest
    /// unchecked, then the soonest deadline — so a pass limited to `limit` invoices still
    /// reaches every invoice over the following passes.
    pub async fn invoices_to_sync(
        &self,
        now: DateTime<Utc>,
        grace: chrono::Duration,
        limit: i64,
    ) -> Result<Vec<Invoice>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "{INVOICE_SELECT} WHERE status IN ('draft', 'open', 'paid_unconfirmed')
                OR (status = 'expired' AND expires_at > ?1)
             ORDER BY last_checked_at IS NOT NULL, last_checked_at ASC, expires_at ASC LIMIT ?2"
        )))
        .bind(ts(now - grace))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(invoice_from_row).collect()
    }

    /// Applies what was learned about an invoice: checks the transition, updates the
    /// row and appends the audit entry, all in one transaction.
    pub async fn apply_update(&self, id: &str, u: &InvoiceUpdate) -> Result<Applied> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let row = sqlx::query(AssertSqlSafe(format!("{INVOICE_SELECT} WHERE id = ?")))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: "invoice",
                key: id.to_string(),
            })?;
        let before = invoice_from_row(&row)?;
        before.status.check_transition(u.status)?;
        let paid = Money::from_minor(u.paid_minor, before.amount.currency())
            .map_err(|e| StoreError::Corrupt(format!("paid amount: {e}")))?;
        let mut after = before.clone();
        after.status = u.status;
        after.flags = u.flags;
        after.paid = paid;
        if u.provider_id.is_some() {
            after.provider_id = u.provider_id.clone();
        }
        if u.payment_url.is_some() {
            after.payment_url = u.payment_url.clone();
        }
        if u.payment_number.is_some() {
            after.payment_number = u.payment_number.clone();
        }
        after.last_checked_at = Some(u.at);
        after.last_error = None;
        let changed = paydesk_core::lifecycle::changed(&before, &after);
        if changed {
            after.updated_at = u.at;
        }
        let customer = match &after.customer_id {
            Some(cid) => {
                sqlx::query("SELECT id, name, phone, email, created_at FROM customers WHERE id = ?")
                    .bind(cid)
                    .fetch_optional(&mut *tx)
                    .await?
                    .map(|r| customer_from_row(&r))
                    .transpose()?
            }
            None => None,
        };
        sqlx::query(
            "UPDATE invoices SET status = ?, paid_late = ?, underpaid = ?, overpaid = ?, paid_minor = ?,
                provider_id = ?, payment_url = ?, payment_number = ?, updated_at = ?, last_checked_at = ?,
                last_error = NULL, search_text = ?
             WHERE id = ?",
        )
        .bind(after.status.as_str())
        .bind(after.flags.paid_late)
        .bind(after.flags.underpaid)
        .bind(after.flags.overpaid)
        .bind(after.paid.minor())
        .bind(&after.provider_id)
        .bind(&after.payment_url)
        .bind(&after.payment_number)
        .bind(ts(after.updated_at))
        .bind(ts(u.at))
        .bind(search_text(&after, customer.as_ref()))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if changed {
            let detail = describe_update(&before, &after, u.detail.as_deref());
            insert_audit(
                &mut tx,
                id,
                u.at,
                TimelineEvent::Status,
                Some(before.status),
                Some(after.status),
                u.source,
                Some(&detail),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(Applied {
            before,
            after,
            changed,
        })
    }

    /// Records, before the provider is called, that a create is about to be sent.
    /// Forgets a create attempt that provably never reached the provider.
    pub async fn clear_create_attempt(&self, id: &str) -> Result<()> {
        sqlx::query("UPDATE invoices SET create_attempted_at = NULL WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn mark_create_attempt(&self, id: &str, at: DateTime<Utc>) -> Result<()> {
        sqlx::query("UPDATE invoices SET create_attempted_at = ? WHERE id = ?")
            .bind(ts(at))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// When a create was last sent for this invoice, if ever.
    pub async fn create_attempted_at(&self, id: &str) -> Result<Option<DateTime<Utc>>> {
        let v: Option<Option<String>> =
            sqlx::query_scalar("SELECT create_attempted_at FROM invoices WHERE id = ?")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        parse_opt_ts(v.flatten())
    }

    /// Records that the provider was asked and nothing changed.
    /// Records that these invoices were checked at `at` and found unchanged, in one
    /// transaction.
    pub async fn mark_checked_many(&self, ids: &[String], at: DateTime<Utc>) -> Result<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        for id in ids {
            sqlx::query("UPDATE invoices SET last_checked_at = ?, last_error = NULL WHERE id = ?")
                .bind(ts(at))
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn mark_checked(&self, id: &str, at: DateTime<Utc>) -> Result<()> {
        sqlx::query("UPDATE invoices SET last_checked_at = ?, last_error = NULL WHERE id = ?")
            .bind(ts(at))
            .bind(id)
            .execute(&self.pool)
            .await?;
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
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let previous: Option<Option<String>> =
            sqlx::query_scalar("SELECT last_error FROM invoices WHERE id = ?")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(previous) = previous else {
            return Err(StoreError::NotFound {
                what: "invoice",
                key: id.to_string(),
            });
        };
        sqlx::query("UPDATE invoices SET last_error = ?, last_checked_at = ? WHERE id = ?")
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

    /// The audit log of one invoice, oldest first.
    pub async fn timeline(&self, invoice_id: &str) -> Result<Vec<TimelineEntry>> {
        let rows = sqlx::query(
            "SELECT at, event, from_status, to_status, source, detail FROM audit_log
             WHERE invoice_id = ? ORDER BY id",
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
                })
            })
            .collect()
    }

    /// Money received on invoices that became paid since `since`, per currency:
    /// (currency, invoices, paid minor units).
    pub async fn paid_since(&self, since: DateTime<Utc>) -> Result<Vec<(String, i64, i64)>> {
        let rows = sqlx::query(
            "SELECT currency, COUNT(*) AS n, COALESCE(SUM(paid_minor), 0) AS paid FROM invoices
             WHERE id IN (SELECT invoice_id FROM audit_log
                          WHERE event = 'status' AND to_status IN ('paid', 'paid_unconfirmed') AND at >= ?)
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
            "SELECT COUNT(*) FROM invoices WHERE status IN ('open', 'draft') AND created_at >= ?",
        )
        .bind(ts(since))
        .fetch_one(&self.pool)
        .await?;
        let expired: i64 = sqlx::query_scalar(
            "SELECT COUNT(DISTINCT invoice_id) FROM audit_log
             WHERE event = 'status' AND to_status = 'expired' AND at >= ?",
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
        let rows = sqlx::query(
            "SELECT date(at, ?2) AS day, COUNT(DISTINCT invoice_id) AS n FROM audit_log
             WHERE event = 'status' AND to_status IN ('paid', 'paid_unconfirmed') AND at >= ?1
             GROUP BY day ORDER BY day",
        )
        .bind(ts(since))
        .bind(format!("{offset_secs:+} seconds"))
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
             ORDER BY updated_at DESC LIMIT ?"
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

    // ---- channels and settings --------------------------------------------------------

    pub async fn insert_channel(&self, c: &ChannelRecord) -> Result<()> {
        let r = sqlx::query(
            "INSERT INTO channels (name, kind, settings, created_at) VALUES (?, ?, ?, ?)",
        )
        .bind(&c.name)
        .bind(&c.kind)
        .bind(serde_json::Value::Object(c.settings.clone()).to_string())
        .bind(ts(c.created_at))
        .execute(&self.pool)
        .await;
        match r {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(StoreError::Exists {
                what: "channel",
                key: c.name.clone(),
            }),
            other => other.map(|_| ()).map_err(Into::into),
        }
    }

    pub async fn channel(&self, name: &str) -> Result<Option<ChannelRecord>> {
        let row =
            sqlx::query("SELECT name, kind, settings, created_at FROM channels WHERE name = ?")
                .bind(name)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| channel_from_row(&r)).transpose()
    }

    pub async fn channels(&self) -> Result<Vec<ChannelRecord>> {
        let rows =
            sqlx::query("SELECT name, kind, settings, created_at FROM channels ORDER BY name")
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(channel_from_row).collect()
    }

    /// Removes a channel; the deliveries it made keep its name in their history.
    pub async fn delete_channel(&self, name: &str) -> Result<()> {
        let r = sqlx::query("DELETE FROM channels WHERE name = ?")
            .bind(name)
            .execute(&self.pool)
            .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound {
                what: "channel",
                key: name.to_string(),
            });
        }
        Ok(())
    }

    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn delete_setting(&self, key: &str) -> Result<()> {
        sqlx::query("DELETE FROM settings WHERE key = ?")
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES (?, ?)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    // ---- deliveries (the outbox) ------------------------------------------------------

    /// Queues messages to customers, each with its audit entry, in one transaction.
    pub async fn insert_deliveries(&self, list: &[Delivery]) -> Result<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
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
        let row = sqlx::query(AssertSqlSafe(format!("{DELIVERY_SELECT} WHERE id = ?")))
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
            "{DELIVERY_SELECT} WHERE ?1 IS NULL OR invoice_id = ?1 ORDER BY created_at, id"
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
                OR (state = 'sending' AND updated_at < ?)
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
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let r = sqlx::query(
            "UPDATE deliveries SET state = 'sending', attempts = attempts + 1, updated_at = ?,
                subject = ?, body = ?
             WHERE id = ? AND state = 'queued'",
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
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let r = sqlx::query(
            "UPDATE deliveries SET state = ?, via = COALESCE(?, via),
                channel_message_id = COALESCE(?, channel_message_id), error = ?, updated_at = ?
             WHERE id = ? AND state = ?",
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

/// A channel's non-secret settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelRecord {
    pub name: String,
    pub kind: String,
    pub settings: serde_json::Map<String, serde_json::Value>,
    pub created_at: DateTime<Utc>,
}

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

const DELIVERY_SELECT: &str = "SELECT id, invoice_id, channel, via, recipient, state, attempts,
    channel_message_id, error, created_at, updated_at, lang, subject, body FROM deliveries";

async fn insert_delivery_tx(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    d: &Delivery,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO deliveries (id, invoice_id, channel, via, recipient, state, attempts,
            channel_message_id, error, created_at, updated_at, lang, subject, body)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&d.id)
    .bind(&d.invoice_id)
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
    .execute(&mut **tx)
    .await?;
    let detail = format!(
        "delivery {} via {} to {}: queued ({})",
        d.id, d.via, d.to, d.channel
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

async fn delivery_tx(tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>, id: &str) -> Result<Delivery> {
    let row = sqlx::query(AssertSqlSafe(format!("{DELIVERY_SELECT} WHERE id = ?")))
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    delivery_from_row(&row)
}

fn delivery_from_row(r: &sqlx::sqlite::SqliteRow) -> Result<Delivery> {
    Ok(Delivery {
        id: r.try_get("id")?,
        invoice_id: r.try_get("invoice_id")?,
        channel: r.try_get("channel")?,
        via: Via::from_str(&r.try_get::<String, _>("via")?).map_err(corrupt("via"))?,
        to: r.try_get("recipient")?,
        state: DeliveryState::from_str(&r.try_get::<String, _>("state")?)
            .map_err(corrupt("state"))?,
        attempts: r.try_get("attempts")?,
        channel_message_id: r.try_get("channel_message_id")?,
        error: r.try_get("error")?,
        created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
        updated_at: parse_ts(&r.try_get::<String, _>("updated_at")?)?,
        lang: Lang::from_str(&r.try_get::<String, _>("lang")?).map_err(corrupt("lang"))?,
        subject: r.try_get("subject")?,
        body: r.try_get("body")?,
    })
}

fn channel_from_row(r: &sqlx::sqlite::SqliteRow) -> Result<ChannelRecord> {
    let settings: String = r.try_get("settings")?;
    let settings = match serde_json::from_str(&settings).map_err(corrupt("channel settings"))? {
        serde_json::Value::Object(m) => m,
        _ => return Err(StoreError::Corrupt("channel settings".into())),
    };
    Ok(ChannelRecord {
        name: r.try_get("name")?,
        kind: r.try_get("kind")?,
        settings,
        created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
    })
}

const INVOICE_SELECT: &str =
    "SELECT id, account, provider, provider_id, order_id, kind, name, currency,
    amount_minor, tax_free_minor, paid_minor, status, paid_late, underpaid, overpaid, payment_url,
    payment_number, expires_at, customer_id, created_at, updated_at, last_checked_at, last_error
    FROM invoices";

/// Migrates the database forward. When a database made by an earlier version is about
/// to change, a consistent copy of it is written first (`paydesk.sqlite.before-vN`, by
/// `VACUUM INTO`) and kept until every migration has succeeded; if one fails, the copy
/// stays and the error says where it is.
async fn migrate_with_backup(pool: &SqlitePool, path: &Path) -> Result<()> {
    let latest = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
    let has_table: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_one(pool)
    .await?;
    let current: i64 = if has_table > 0 {
        sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success")
            .fetch_one(pool)
            .await?
    } else {
        0
    };
    if current == 0 || current >= latest {
        MIGRATOR.run(pool).await?;
        return Ok(());
    }
    let backup = backup_path(path, latest);
    let _ = std::fs::remove_file(&backup);
    sqlx::query("VACUUM INTO ?")
        .bind(backup.to_string_lossy().to_string())
        .execute(pool)
        .await?;
    tracing::info!(from = current, to = latest, backup = %backup.display(), "migrating the database");
    match MIGRATOR.run(pool).await {
        Ok(()) => {
            let _ = std::fs::remove_file(&backup);
            Ok(())
        }
        Err(e) => Err(StoreError::MigrationFailed {
            from: current,
            backup,
            source: e,
        }),
    }
}

/// Where the copy of a database is kept while it is migrated to `version`.
pub fn backup_path(db: &Path, version: i64) -> PathBuf {
    let mut name = db.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(format!(".before-v{version}"));
    db.with_file_name(name)
}

/// Inserts one invoice and its `created` audit entry inside the caller's transaction.
async fn insert_invoice_tx(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
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
                last_checked_at, last_error, search_text)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&inv.id)
    .bind(&inv.account)
    .bind(inv.provider.as_str())
    .bind(&inv.provider_id)
    .bind(&inv.order_id)
    .bind(inv.kind.as_str())
    .bind(&inv.name)
    .bind(inv.amount.currency().code())
    .bind(inv.amount.minor())
    .bind(inv.tax_free.minor())
    .bind(inv.paid.minor())
    .bind(inv.status.as_str())
    .bind(inv.flags.paid_late)
    .bind(inv.flags.underpaid)
    .bind(inv.flags.overpaid)
    .bind(&inv.payment_url)
    .bind(&inv.payment_number)
    .bind(ts(inv.expires_at))
    .bind(&inv.customer_id)
    .bind(ts(inv.created_at))
    .bind(ts(inv.updated_at))
    .bind(inv.last_checked_at.map(ts))
    .bind(&inv.last_error)
    .bind(search_text)
    .execute(&mut **tx)
    .await;
    if let Err(sqlx::Error::Database(e)) = &r {
        if e.is_unique_violation() {
            return Err(StoreError::Exists {
                what: "invoice with order id",
                key: inv.order_id.clone(),
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

#[allow(clippy::too_many_arguments)]
async fn insert_audit(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    invoice_id: &str,
    at: DateTime<Utc>,
    event: TimelineEvent,
    from: Option<Status>,
    to: Option<Status>,
    source: Source,
    detail: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (invoice_id, at, event, from_status, to_status, source, detail)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(invoice_id)
    .bind(ts(at))
    .bind(event.as_str())
    .bind(from.map(|s| s.as_str()))
    .bind(to.map(|s| s.as_str()))
    .bind(source.as_str())
    .bind(detail)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn describe_update(before: &Invoice, after: &Invoice, detail: Option<&str>) -> String {
    let mut parts = Vec::new();
    if before.status != after.status {
        parts.push(format!("{} → {}", before.status, after.status));
    }
    if before.paid != after.paid {
        parts.push(format!("paid {}", after.paid.to_plain()));
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

fn search_text(inv: &Invoice, customer: Option<&Customer>) -> String {
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

/// The search text as an FTS5 phrase: a literal, whatever characters it holds.
fn fts_phrase(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn like_pattern(s: &str) -> String {
    let escaped = s
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The WHERE part every invoice list shares (parameters ?1 status, ?2 account, ?3
/// search, ?6 customer), and the search parameter: FTS5 trigram for 3+ characters,
/// LIKE below that.
fn filter_sql(select: &str, f: &InvoiceFilter) -> (String, Option<String>) {
    let mut sql = format!("{select} WHERE 1 = 1");
    let search = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let use_fts = search.map(|s| s.chars().count() >= 3).unwrap_or(false);
    if f.status.is_some() {
        sql.push_str(" AND status = ?1");
    }
    if f.account.is_some() {
        sql.push_str(" AND account = ?2");
    }
    // Only the filters in use are written out, so the planner can count through an index
    // and range over `created_at`; ?8 is always mentioned (a condition that is always
    // true), so that every statement takes the same eight parameters.
    if f.customer_id.is_some() {
        sql.push_str(" AND customer_id = ?6");
    }
    if f.created_from.is_some() {
        sql.push_str(" AND created_at >= ?7");
    }
    if f.created_before.is_some() {
        sql.push_str(" AND created_at < ?8");
    } else {
        sql.push_str(" AND coalesce(?8, 1) IS NOT NULL");
    }
    if search.is_some() {
        if use_fts {
            sql.push_str(
                " AND seq IN (SELECT rowid FROM invoices_fts WHERE invoices_fts MATCH ?3)",
            );
        } else {
            sql.push_str(" AND search_text LIKE ?3 ESCAPE '\\'");
        }
    }
    let param = search.map(|s| {
        if use_fts {
            fts_phrase(s)
        } else {
            like_pattern(s)
        }
    });
    (sql, param)
}

fn account_from_row(r: &sqlx::sqlite::SqliteRow) -> Result<AccountRecord> {
    let settings: String = r.try_get("settings")?;
    let settings = match serde_json::from_str(&settings).map_err(corrupt("account settings"))? {
        serde_json::Value::Object(m) => m,
        _ => {
            return Err(StoreError::Corrupt(
                "account settings are not an object".into(),
            ))
        }
    };
    Ok(AccountRecord {
        name: r.try_get("name")?,
        provider: ProviderKind::from_str(&r.try_get::<String, _>("provider")?)
            .map_err(corrupt("provider"))?,
        settings,
        created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
    })
}

fn customer_from_row(r: &sqlx::sqlite::SqliteRow) -> Result<Customer> {
    Ok(Customer {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        phone: r.try_get("phone")?,
        email: r.try_get("email")?,
        created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
    })
}

fn invoice_from_row(r: &sqlx::sqlite::SqliteRow) -> Result<Invoice> {
    let currency =
        Currency::from_str(&r.try_get::<String, _>("currency")?).map_err(corrupt("currency"))?;
    let money = |col: &str| -> Result<Money> {
        Money::from_minor(r.try_get::<i64, _>(col)?, currency).map_err(corrupt("amount"))
    };
    Ok(Invoice {
        id: r.try_get("id")?,
        account: r.try_get("account")?,
        provider: ProviderKind::from_str(&r.try_get::<String, _>("provider")?)
            .map_err(corrupt("provider"))?,
        provider_id: r.try_get("provider_id")?,
        order_id: r.try_get("order_id")?,
        kind: InvoiceKind::from_str(&r.try_get::<String, _>("kind")?).map_err(corrupt("kind"))?,
        name: r.try_get("name")?,
        amount: money("amount_minor")?,
        tax_free: money("tax_free_minor")?,
        paid: money("paid_minor")?,
        status: Status::from_str(&r.try_get::<String, _>("status")?).map_err(corrupt("status"))?,
        flags: PaymentFlags {
            paid_late: r.try_get("paid_late")?,
            underpaid: r.try_get("underpaid")?,
            overpaid: r.try_get("overpaid")?,
        },
        payment_url: r.try_get("payment_url")?,
        payment_number: r.try_get("payment_number")?,
        expires_at: parse_ts(&r.try_get::<String, _>("expires_at")?)?,
        customer_id: r.try_get("customer_id")?,
        created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
        updated_at: parse_ts(&r.try_get::<String, _>("updated_at")?)?,
        last_checked_at: parse_opt_ts(r.try_get("last_checked_at")?)?,
        last_error: r.try_get("last_error")?,
    })
}
