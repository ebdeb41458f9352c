//! PayDesk's engine: the use cases — accounts, customers, payment links, cancel,
//! refund, sync, the sandbox — and the one API every shell (the desktop app, the
//! `paydesk` command) calls. Business rules live here and in the core, never in a shell.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use paydesk_core::{
    invoice, AccountName, Currency, Customer, Email, Expiry, InputError, Invoice, InvoiceKind,
    ItemName, Money, PaymentFlags, PersonName, Phone, ProviderKind, Source, Status,
};
use paydesk_providers::bitropay::{self, Bitropay};
use paydesk_providers::bootpay::{self, Bootpay};
use paydesk_providers::btcpay::Btcpay;
use paydesk_providers::http::Http;
use paydesk_providers::pipe::{self, Pipe};
use paydesk_providers::portone::{self, Portone};
use paydesk_providers::sandbox::{SandboxPayment, SandboxProvider, SandboxStore, DEFAULT_PORT};
use paydesk_providers::{CreateRequest, CustomerInfo, Provider, ProviderError, RemoteInvoice};
use paydesk_secrets::{Owner, SecretStore, SecretString};
use paydesk_store::{AccountRecord, InvoiceFilter, InvoiceUpdate, Store};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

mod branding;
mod error;
mod outbox;
mod reports;
mod views;

pub use branding::StoreLogo;
pub use error::{EngineError, ErrorView, Result};
pub use outbox::{
    ChannelView, DeliveryView, MessagePreview, NewChannel, OutboxReport, SendRequest,
    MAX_SEND_ATTEMPTS,
};
pub use paydesk_core as core;
pub use paydesk_notify::sms::SmsClass;
pub use paydesk_secrets::SecretString as Secret;
pub use reports::{
    Attention, DashboardView, DayCount, ListTotals, MoneyTotal, PeriodTotals, SlipPreview,
};
pub use views::*;

/// The account every data directory starts with.
pub const SANDBOX_ACCOUNT: &str = "sandbox";
/// How long an expired invoice is still watched for late money.
pub const LATE_PAYMENT_GRACE: Duration = Duration::days(7);
/// How many invoices one sync pass looks at, at most (bounded work per pass).
pub const MAX_PER_PASS: i64 = 1000;
/// How many requests sync keeps in flight to one provider account at a time.
pub const PER_ACCOUNT_CONCURRENCY: usize = 4;
/// How many invoices sync asks a provider about in one request, where it can.
pub const BATCH: usize = 50;
/// The default expiry of a link when none is given.
pub const DEFAULT_EXPIRY: Duration = Duration::days(3);

/// The OS's app-data folder for PayDesk (shared by the app and the command), or
/// `PAYDESK_DATA_DIR` when set.
pub fn default_data_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("PAYDESK_DATA_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    directories::ProjectDirs::from("kr", "PayDesk", "PayDesk")
        .map(|p| p.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".paydesk"))
}

/// A new provider account, as typed (validated here).
#[derive(Debug, Default, Deserialize, ts_rs::TS)]
#[ts(optional_fields)]
pub struct NewAccount {
    pub name: String,
    #[ts(as = "paydesk_core::ProviderKind")]
    pub provider: String,
    #[serde(default)]
    pub base_url: Option<String>,
    #[serde(default)]
    pub store_id: Option<String>,
    #[serde(default)]
    pub channel_key: Option<String>,
    #[serde(default)]
    pub mode: Option<String>,
    /// Secret name → value, straight to the keyring.
    #[serde(skip)]
    pub secrets: Vec<(String, SecretString)>,
}

#[derive(Debug, Default, Clone, Deserialize, ts_rs::TS)]
#[ts(optional_fields)]
pub struct NewCustomer {
    pub name: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

/// A new payment link, as typed in the form or on the command line.
#[derive(Debug, Default, Clone, Deserialize, ts_rs::TS)]
#[ts(optional_fields)]
pub struct NewLink {
    pub account: String,
    pub name: String,
    pub amount: String,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub tax_free: Option<String>,
    #[serde(default)]
    pub expires_in: Option<String>,
    #[serde(default)]
    pub expires_at: Option<String>,
    #[serde(default)]
    pub customer_id: Option<String>,
    #[serde(default)]
    pub customer_name: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub order_id: Option<String>,
    /// Send the link to the customer once it exists: `sms`, `alimtalk`, `email`, `provider`.
    #[serde(default)]
    #[ts(as = "Option<Vec<paydesk_notify::Via>>")]
    pub send: Vec<String>,
    /// The channel to send through (otherwise the first that can).
    #[serde(default)]
    pub channel: Option<String>,
    /// The customer's language for the message (otherwise from the phone number, or ko).
    #[serde(default)]
    pub lang: Option<String>,
}

impl NewLink {
    /// The deadline asked for: `expires_in` (`90m`, `36h`, `3d`) or `expires_at` (RFC
    /// 3339), never both, else the default (3 days).
    pub fn expiry(&self, now: DateTime<Utc>) -> std::result::Result<Expiry, InputError> {
        match (non_empty(&self.expires_in), non_empty(&self.expires_at)) {
            (Some(_), Some(_)) => Err(InputError::new(
                "expires_at",
                "give either expires_in or expires_at, not both",
            )),
            (Some(d), None) => Expiry::parse_in("expires_in", d, now),
            (None, Some(at)) => Expiry::parse_instant("expires_at", at, now),
            (None, None) => Expiry::at("expires_in", now + DEFAULT_EXPIRY, now),
        }
    }
}

#[derive(Debug, Default, Clone, Deserialize, Serialize, ts_rs::TS)]
#[ts(optional_fields = nullable)]
pub struct ListQuery {
    #[serde(default)]
    #[ts(as = "Option<paydesk_core::Status>")]
    pub status: Option<String>,
    /// Only this customer's invoices (the customer book).
    #[serde(default)]
    pub customer: Option<String>,
    /// Only invoices created from / to these days (`YYYY-MM-DD`, store's time zone, inclusive).
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub account: Option<String>,
    #[serde(default)]
    pub search: Option<String>,
    #[serde(default)]
    #[ts(as = "Option<u32>")]
    pub limit: Option<i64>,
    #[serde(default)]
    #[ts(as = "Option<u32>")]
    pub offset: Option<i64>,
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    data_dir: PathBuf,
    store: Store,
    secrets: SecretStore,
    sandbox: SandboxStore,
    changes: broadcast::Sender<InvoiceView>,
    sync_reports: broadcast::Sender<SyncReport>,
    sync_lock: tokio::sync::Mutex<()>,
    /// One adapter per account (its HTTP client and provider token are reused).
    adapters: tokio::sync::Mutex<BTreeMap<String, Arc<dyn Provider>>>,
    /// Accounts whose provider did not answer: when to try again and how many passes
    /// in a row failed (the wait doubles, kept across passes).
    backoff: std::sync::Mutex<BTreeMap<String, Backoff>>,
    /// Each account's request rate (requests per second, shared by every pass).
    limiters: std::sync::Mutex<BTreeMap<String, Arc<Limiter>>>,
}

type Limiter = governor::DefaultDirectRateLimiter;

#[derive(Debug, Clone, Copy)]
struct Backoff {
    until: DateTime<Utc>,
    failures: u32,
}

/// The first wait after a pass found a provider unreachable, and the longest.
const BACKOFF_FIRST: Duration = Duration::seconds(5);
const BACKOFF_MAX: Duration = Duration::minutes(5);
/// The app's pause between sync passes unless `sync_interval` says otherwise.
pub const DEFAULT_SYNC_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5);

/// Requests per second sync sends one provider account unless `sync_rate_limit` says otherwise.
pub const DEFAULT_RATE_LIMIT: u32 = 20;

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("data_dir", &self.inner.data_dir)
            .finish()
    }
}

fn internal<E: std::fmt::Display>(e: E) -> EngineError {
    EngineError::Internal(e.to_string())
}

impl Engine {
    /// Opens the data directory (creating and migrating it), with the OS keyring.
    pub async fn open(data_dir: &Path) -> Result<Engine> {
        Self::open_with(data_dir, SecretStore::new()).await
    }

    pub async fn open_with(data_dir: &Path, secrets: SecretStore) -> Result<Engine> {
        let store = Store::open(data_dir).await?;
        let port = std::env::var("PAYDESK_SANDBOX_PORT")
            .ok()
            .and_then(|p| p.parse::<u16>().ok())
            .unwrap_or(DEFAULT_PORT);
        let mut settings = serde_json::Map::new();
        settings.insert("base_url".into(), format!("http://127.0.0.1:{port}").into());
        store
            .ensure_account(&AccountRecord {
                name: SANDBOX_ACCOUNT.into(),
                provider: ProviderKind::Sandbox,
                settings,
                created_at: Utc::now(),
            })
            .await?;
        let sandbox = SandboxStore::open(data_dir)
            .await
            .map_err(|e| EngineError::Internal(e.to_string()))?;
        let (changes, _) = broadcast::channel(256);
        let (sync_reports, _) = broadcast::channel(16);
        Ok(Engine {
            inner: Arc::new(Inner {
                data_dir: data_dir.to_path_buf(),
                store,
                secrets,
                sandbox,
                changes,
                sync_reports,
                sync_lock: tokio::sync::Mutex::new(()),
                adapters: tokio::sync::Mutex::new(BTreeMap::new()),
                backoff: std::sync::Mutex::new(BTreeMap::new()),
                limiters: std::sync::Mutex::new(BTreeMap::new()),
            }),
        })
    }

    pub fn data_dir(&self) -> &Path {
        &self.inner.data_dir
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Every invoice change (created, synced, cancelled), as it is committed.
    pub fn subscribe(&self) -> broadcast::Receiver<InvoiceView> {
        self.inner.changes.subscribe()
    }

    /// The result of every sync pass (for a "provider unreachable" banner).
    pub fn subscribe_sync(&self) -> broadcast::Receiver<SyncReport> {
        self.inner.sync_reports.subscribe()
    }

    async fn publish(&self, inv: &Invoice) -> Result<InvoiceView> {
        let view = self.view(inv, false).await?;
        let _ = self.inner.changes.send(view.clone());
        Ok(view)
    }

    async fn customer_of(&self, inv: &Invoice) -> Result<Option<Customer>> {
        match &inv.customer_id {
            Some(id) => Ok(self.inner.store.customer(id).await?),
            None => Ok(None),
        }
    }

    async fn view(&self, inv: &Invoice, with_timeline: bool) -> Result<InvoiceView> {
        let customer = self.customer_of(inv).await?;
        let timeline = if with_timeline {
            Some(self.inner.store.timeline(&inv.id).await?)
        } else {
            None
        };
        Ok(InvoiceView::new(
            inv,
            customer.as_ref(),
            timeline.as_deref(),
        ))
    }

    // ---- secrets (blocking platform calls, off the async threads) ---------------------

    async fn secrets<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&SecretStore) -> paydesk_secrets::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let s = self.inner.secrets.clone();
        tokio::task::spawn_blocking(move || f(&s))
            .await
            .map_err(internal)?
            .map_err(EngineError::from)
    }

    /// Puts secrets in the keyring for an account or channel (called before its row is
    /// written: if the keyring refuses, nothing is written).
    async fn save_secrets(
        &self,
        holder: Holder,
        secrets: Vec<(String, SecretString)>,
    ) -> Result<()> {
        self.secrets(move |s| {
            for (key, value) in &secrets {
                s.set(holder.owner(), key, value)?;
            }
            Ok(())
        })
        .await
    }

    /// Deletes an account's or channel's secrets from the keyring.
    async fn delete_secrets(&self, holder: Holder, names: Vec<String>) -> Result<()> {
        self.secrets(move |s| {
            for key in &names {
                s.delete(holder.owner(), key)?;
            }
            Ok(())
        })
        .await
    }

    /// Per secret name: `set`, `missing`, or `unknown` when the keyring does not answer.
    async fn secret_states(
        &self,
        holder: Holder,
        names: &'static [&'static str],
    ) -> BTreeMap<String, String> {
        if names.is_empty() {
            return BTreeMap::new();
        }
        match self
            .secrets(move |s| {
                names
                    .iter()
                    .map(|n| s.is_set(holder.owner(), n).map(|set| (n.to_string(), set)))
                    .collect::<paydesk_secrets::Result<Vec<_>>>()
            })
            .await
        {
            Ok(v) => v
                .into_iter()
                .map(|(n, set)| (n, if set { "set" } else { "missing" }.to_string()))
                .collect(),
            Err(e) => {
                tracing::warn!(error = %e, "keyring did not answer");
                names
                    .iter()
                    .map(|n| (n.to_string(), "unknown".to_string()))
                    .collect()
            }
        }
    }

    // ---- accounts ---------------------------------------------------------------------

    pub async fn add_account(&self, a: NewAccount) -> Result<AccountView> {
        let mut errors = Vec::new();
        let name = AccountName::parse("name", &a.name)
            .map_err(|e| errors.push(e))
            .ok();
        let provider = ProviderKind::from_str(&a.provider)
            .map_err(|e| errors.push(e))
            .ok();
        let mut settings = serde_json::Map::new();
        if let Some(url) = non_empty(&a.base_url) {
            if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() > 300 {
                errors.push(InputError::new(
                    "base_url",
                    "must be an http:// or https:// address",
                ));
            }
            settings.insert("base_url".into(), url.trim_end_matches('/').into());
        }
        for (key, value) in [("store_id", &a.store_id), ("channel_key", &a.channel_key)] {
            if let Some(v) = non_empty(value) {
                if v.len() > 200 || v.chars().any(char::is_control) {
                    errors.push(InputError::new(
                        key,
                        "must be at most 200 printable characters",
                    ));
                }
                settings.insert(key.into(), v.into());
            }
        }
        match non_empty(&a.mode) {
            Some(m @ ("live" | "test")) => {
                settings.insert("mode".into(), m.into());
            }
            Some(_) => errors.push(InputError::new("mode", "must be live or test")),
            None => {}
        }
        if let Some(p) = provider {
            for (key, _) in &a.secrets {
                if !p.secret_names().contains(&key.as_str()) {
                    errors.push(InputError::new(
                        "secret",
                        format!(
                            "{key:?} is not a {p} secret (expected: {})",
                            if p.secret_names().is_empty() {
                                "none".to_string()
                            } else {
                                p.secret_names().join(", ")
                            }
                        ),
                    ));
                }
            }
            if p == ProviderKind::Btcpay {
                for (key, flag) in [("base_url", "--base-url"), ("store_id", "--store-id")] {
                    if settings.get(key).is_none() {
                        errors.push(
                            InputError::new(key, format!("a BTCPay account needs {flag}"))
                                .code("empty"),
                        );
                    }
                }
            }
            if p == ProviderKind::Sandbox && settings.get("base_url").is_none() {
                settings.insert(
                    "base_url".into(),
                    format!("http://127.0.0.1:{DEFAULT_PORT}").into(),
                );
            }
        }
        let (Some(name), Some(provider), true) = (name, provider, errors.is_empty()) else {
            return Err(EngineError::Input(errors));
        };
        if self.inner.store.account(name.as_str()).await?.is_some() {
            return Err(EngineError::input(
                "name",
                format!("an account named {name} already exists"),
            ));
        }
        // Keys first: if the keyring refuses, nothing is written to the database.
        let account = name.as_str().to_string();
        let secrets = a.secrets;
        let names: Vec<String> = secrets.iter().map(|(k, _)| k.clone()).collect();
        self.save_secrets(Holder::Account(account.clone()), secrets)
            .await?;
        let record = AccountRecord {
            name: account.clone(),
            provider,
            settings,
            created_at: Utc::now(),
        };
        if let Err(e) = self.inner.store.insert_account(&record).await {
            let _ = self
                .delete_secrets(Holder::Account(account.clone()), names)
                .await;
            return Err(e.into());
        }
        tracing::info!(account = %account, provider = %provider, "account added");
        self.account_view(record).await
    }

    async fn account_view(&self, r: AccountRecord) -> Result<AccountView> {
        let states = self
            .secret_states(Holder::Account(r.name.clone()), r.provider.secret_names())
            .await;
        Ok(AccountView {
            capabilities: r.provider.capabilities(),
            sandbox: r.provider == ProviderKind::Sandbox,
            name: r.name,
            provider: r.provider.as_str().into(),
            settings: r.settings,
            secrets: states,
            created_at: paydesk_core::format_instant(r.created_at),
        })
    }

    async fn account_record(&self, field: &str, name: &str) -> Result<AccountRecord> {
        let name = name.trim();
        if name.is_empty() {
            return Err(EngineError::input(field, "must not be empty"));
        }
        self.inner.store.account(name).await?.ok_or_else(|| {
            EngineError::input(field, format!("no account named {:?}", truncate(name, 40)))
        })
    }

    pub async fn accounts(&self) -> Result<Vec<AccountView>> {
        let mut out = Vec::new();
        for r in self.inner.store.accounts().await? {
            out.push(self.account_view(r).await?);
        }
        Ok(out)
    }

    pub async fn account(&self, name: &str) -> Result<AccountView> {
        let r = self.account_record("account", name).await?;
        self.account_view(r).await
    }

    pub async fn remove_account(&self, name: &str) -> Result<()> {
        let r = self.account_record("account", name).await?;
        if r.provider == ProviderKind::Sandbox && r.name == SANDBOX_ACCOUNT {
            return Err(EngineError::input(
                "account",
                "the sandbox account is built in and stays",
            ));
        }
        self.inner
            .store
            .delete_account(&r.name)
            .await
            .map_err(|e| match e {
                paydesk_store::StoreError::Exists { .. } => EngineError::input(
                    "account",
                    "has invoices; it is kept so that their history stays readable",
                ),
                e => e.into(),
            })?;
        self.inner.adapters.lock().await.remove(&r.name);
        let names = r
            .provider
            .secret_names()
            .iter()
            .map(|n| n.to_string())
            .collect();
        self.delete_secrets(Holder::Account(r.name.clone()), names)
            .await
    }

    /// Asks the account's provider whether it answers (for the sandbox: its records).
    pub async fn test_account(&self, name: &str) -> Result<String> {
        let r = self.account_record("account", name).await?;
        let p = self.provider_for(&r).await?;
        p.check()
            .await
            .map_err(|e| EngineError::from_provider(e, false))
    }

    /// The account's provider adapter, with its keys read from the keyring.
    /// The account's adapter, made once and kept (so its HTTP client and its provider
    /// token serve every call); dropped when the account is removed.
    async fn provider_for(&self, r: &AccountRecord) -> Result<Arc<dyn Provider>> {
        if let Some(p) = self.inner.adapters.lock().await.get(&r.name) {
            return Ok(p.clone());
        }
        let p = self.make_provider(r).await?;
        self.inner
            .adapters
            .lock()
            .await
            .insert(r.name.clone(), p.clone());
        Ok(p)
    }

    async fn make_provider(&self, r: &AccountRecord) -> Result<Arc<dyn Provider>> {
        let setting = |key: &str| {
            r.settings
                .get(key)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let provider_error = |e: ProviderError| EngineError::from_provider(e, false);
        match r.provider {
            ProviderKind::Sandbox => {
                let base = setting("base_url")
                    .unwrap_or_else(|| format!("http://127.0.0.1:{DEFAULT_PORT}"));
                Ok(Arc::new(SandboxProvider::new(
                    self.inner.sandbox.clone(),
                    base,
                )))
            }
            ProviderKind::Btcpay => {
                let base = setting("base_url").ok_or_else(|| missing_setting(r, "base_url"))?;
                let store = setting("store_id").ok_or_else(|| missing_setting(r, "store_id"))?;
                let key = self.secret(r, "api_key").await?;
                let http = Http::new(r.provider).map_err(provider_error)?;
                Ok(Arc::new(
                    Btcpay::new(http, &base, &store, key).map_err(provider_error)?,
                ))
            }
            ProviderKind::Bootpay => {
                let base =
                    setting("base_url").unwrap_or_else(|| bootpay::DEFAULT_BASE_URL.to_string());
                let client_key = self.secret(r, "client_key").await?;
                let secret_key = self.secret(r, "secret_key").await?;
                let http = Http::new(r.provider).map_err(provider_error)?;
                Ok(Arc::new(Bootpay::new(http, &base, client_key, secret_key)))
            }
            ProviderKind::Pipe => {
                let base =
                    setting("base_url").unwrap_or_else(|| pipe::DEFAULT_BASE_URL.to_string());
                let key = self.secret(r, "api_key").await?;
                let http = Http::new(r.provider).map_err(provider_error)?;
                Ok(Arc::new(Pipe::new(
                    http,
                    &base,
                    key,
                    setting("callback_url"),
                )))
            }
            ProviderKind::Bitropay => {
                let base =
                    setting("base_url").unwrap_or_else(|| bitropay::DEFAULT_BASE_URL.to_string());
                let key = self.secret(r, "api_key").await?;
                let http = Http::new(r.provider).map_err(provider_error)?;
                Ok(Arc::new(Bitropay::new(
                    http,
                    &base,
                    key,
                    setting("redirect_url"),
                    setting("callback_url"),
                )))
            }
            ProviderKind::Portone => {
                let base =
                    setting("base_url").unwrap_or_else(|| portone::DEFAULT_BASE_URL.to_string());
                let imp_key = self.secret(r, "imp_key").await?;
                let imp_secret = self.secret(r, "imp_secret").await?;
                let http = Http::new(r.provider).map_err(provider_error)?;
                Ok(Arc::new(Portone::new(
                    http,
                    &base,
                    setting("channel_key"),
                    imp_key,
                    imp_secret,
                )))
            }
        }
    }

    async fn secret(&self, r: &AccountRecord, name: &'static str) -> Result<SecretString> {
        let account = r.name.clone();
        self.secrets(move |s| s.get(Owner::Account(&account), name))
            .await?
            .ok_or_else(|| EngineError::Provider {
                provider: r.provider,
                code: None,
                message: format!(
                    "the account {} has no {name} in the keyring; add it again with --secret-stdin",
                    r.name
                ),
                created: false,
            })
    }

    // ---- customers --------------------------------------------------------------------

    pub async fn add_customer(&self, c: NewCustomer) -> Result<CustomerView> {
        let mut errors = Vec::new();
        let name = PersonName::parse("name", &c.name)
            .map_err(|e| errors.push(e))
            .ok();
        let phone =
            non_empty(&c.phone).and_then(|p| Phone::parse(p).map_err(|e| errors.push(e)).ok());
        let email =
            non_empty(&c.email).and_then(|e| Email::parse(e).map_err(|err| errors.push(err)).ok());
        let Some(name) = name.filter(|_| errors.is_empty()) else {
            return Err(EngineError::Input(errors));
        };
        let customer = Customer {
            id: invoice::new_id("cus"),
            name: name.as_str().into(),
            phone: phone.map(|p| p.e164().to_string()),
            email: email.map(|e| e.as_str().to_string()),
            created_at: Utc::now(),
        };
        self.inner.store.insert_customer(&customer).await?;
        Ok(CustomerView::from(&customer))
    }

    pub async fn customers(&self, search: Option<&str>) -> Result<Vec<CustomerView>> {
        let search = search.map(str::trim).filter(|s| !s.is_empty());
        if let Some(s) = search {
            if s.chars().count() > 100 {
                return Err(EngineError::input(
                    "search",
                    "is too long (at most 100 characters)",
                ));
            }
        }
        Ok(self
            .inner
            .store
            .customers(search, 1000)
            .await?
            .iter()
            .map(CustomerView::from)
            .collect())
    }

    // ---- payment links ----------------------------------------------------------------

    /// Creates a payment link. The local invoice (a draft with its merchant order id) is
    /// committed before the provider is called; if the provider's answer is lost, the
    /// draft stays and sync finishes it by looking the order id up — never two links.
    pub async fn create_link(&self, l: NewLink) -> Result<InvoiceView> {
        self.create_invoice(l, InvoiceKind::Link).await
    }

    /// Issues a convenience-store payment number (PortOne, or the sandbox), with the
    /// same never-twice rules as a link.
    pub async fn issue_cvs(&self, l: NewLink) -> Result<InvoiceView> {
        self.create_invoice(l, InvoiceKind::Cvs).await
    }

    async fn create_invoice(&self, l: NewLink, kind: InvoiceKind) -> Result<InvoiceView> {
        let now = Utc::now();
        let mut errors = Vec::new();
        let account = match self.account_record("account", &l.account).await {
            Ok(a) => {
                let caps = a.provider.capabilities();
                let (supported, what, other) = match kind {
                    InvoiceKind::Link => (caps.links, "payment links", "cvs issue"),
                    InvoiceKind::Cvs => {
                        (caps.cvs, "convenience-store payment numbers", "link create")
                    }
                };
                if !supported {
                    errors.push(
                        InputError::new(
                            "account",
                            format!("{} does not make {what}; use {other}", a.provider),
                        )
                        .code("unsupported"),
                    );
                }
                Some(a)
            }
            Err(EngineError::Input(mut e)) => {
                errors.append(&mut e);
                None
            }
            Err(e) => return Err(e),
        };
        let name = ItemName::parse(&l.name).map_err(|e| errors.push(e)).ok();
        let currency = match non_empty(&l.currency) {
            Some(c) => Currency::from_str(c)
                .map_err(|e| errors.push(InputError::new("currency", e).code("unknown_currency")))
                .ok(),
            None => Some(Currency::Krw),
        };
        let mut amount = None;
        let mut tax_free = None;
        if let Some(c) = currency {
            amount = paydesk_core::input::amount("amount", &l.amount, c, true)
                .map_err(|e| errors.push(e))
                .ok();
            tax_free = match non_empty(&l.tax_free) {
                Some(t) => paydesk_core::input::amount("tax_free", t, c, false)
                    .map_err(|e| errors.push(e))
                    .ok(),
                None => Some(Money::zero(c)),
            };
            if let (Some(a), Some(t)) = (amount, tax_free) {
                if t.minor() > a.minor() {
                    errors.push(InputError::new(
                        "tax_free",
                        "must not be more than the amount",
                    ));
                }
            }
        }
        let expiry = l.expiry(now).map_err(|e| errors.push(e)).ok();
        let order_id = match non_empty(&l.order_id) {
            Some(o) => {
                if o.len() > 40
                    || !o
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                {
                    errors.push(InputError::new(
                        "order_id",
                        "may use only letters, digits, '-' and '_' (at most 40)",
                    ));
                }
                o.to_string()
            }
            None => invoice::new_order_id(),
        };
        let customer = self.resolve_customer(&l, &mut errors).await?;
        let invoice_id = invoice::new_id("inv");
        let mut deliveries = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for via in l.send.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
            if !seen.insert(via.to_ascii_lowercase()) {
                continue; // `--send sms --send sms` is one message, not two.
            }
            let contact = customer.as_ref().map(|c| match c {
                NewOrExisting::Existing(c) | NewOrExisting::New(c) => c,
            });
            let req = outbox::SendRequest {
                invoice: invoice_id.clone(),
                via: via.to_string(),
                channel: l.channel.clone(),
                to: None,
                lang: l.lang.clone(),
            };
            if let Some(d) = self
                .plan_delivery(&invoice_id, &l.account, contact, &req, &mut errors)
                .await?
            {
                deliveries.push(d);
            }
        }
        let (Some(account), Some(name), Some(amount), Some(tax_free), Some(expiry), true) =
            (account, name, amount, tax_free, expiry, errors.is_empty())
        else {
            return Err(EngineError::Input(errors));
        };
        let provider = self.provider_for(&account).await?;
        if self.inner.store.find_invoice(&order_id).await?.is_some() {
            return Err(EngineError::input(
                "order_id",
                "is already used by another invoice",
            ));
        }
        let customer = match customer {
            Some(NewOrExisting::Existing(c)) => Some(c),
            Some(NewOrExisting::New(c)) => {
                self.inner.store.insert_customer(&c).await?;
                Some(c)
            }
            None => None,
        };
        let zero = Money::zero(amount.currency());
        let draft = Invoice {
            id: invoice_id,
            account: account.name.clone(),
            provider: account.provider,
            provider_id: None,
            order_id,
            kind,
            name: name.as_str().to_string(),
            amount,
            tax_free,
            paid: zero,
            status: Status::Draft,
            flags: PaymentFlags::default(),
            payment_url: None,
            payment_number: None,
            expires_at: expiry.instant(),
            customer_id: customer.as_ref().map(|c| c.id.clone()),
            created_at: now,
            updated_at: now,
            last_checked_at: None,
            last_error: None,
        };
        // The draft and the messages asked for are saved together, before any call out.
        self.inner
            .store
            .insert_invoice_with_deliveries(
                &draft,
                Source::User,
                Some(&format!("created by the clerk on {}", account.name)),
                &deliveries,
            )
            .await?;
        tracing::info!(invoice = %draft.id, order_id = %draft.order_id, account = %account.name, "draft saved");
        failpoint("create:after-draft");
        self.inner
            .store
            .mark_create_attempt(&draft.id, Utc::now())
            .await?;
        let req = create_request(&draft, customer.as_ref());
        match provider.create(&req).await {
            Ok(remote) => {
                failpoint("create:after-provider");
                let applied = self.apply_remote(&draft, &remote, Source::User).await?;
                self.publish(&applied).await?;
                let mut sent = Vec::new();
                for d in &deliveries {
                    match self.process_delivery(&d.id).await {
                        Ok(after) => sent.push(after),
                        // Not sent and still queued (the keyring did not answer…): sync retries.
                        Err(e) => {
                            return Err(EngineError::Channel {
                                channel: d.channel.clone(),
                                code: None,
                                message: format!(
                                "the link {} was created; sending by {} waits in the outbox: {e}",
                                draft.id, d.via
                            ),
                            })
                        }
                    }
                }
                if let Some(e) = outbox::failed_deliveries_error(&draft.id, &sent) {
                    return Err(e);
                }
                self.invoice(&draft.id).await
            }
            // The provider could not be reached: nothing was made there. The draft waits
            // ("waiting for connection") and sync creates it, then sends its messages.
            Err(e @ ProviderError::NotReached { .. }) => {
                self.inner.store.clear_create_attempt(&draft.id).await?;
                self.inner
                    .store
                    .record_error(&draft.id, Utc::now(), Source::User, &e.to_string())
                    .await?;
                let saved = self.inner.store.invoice(&draft.id).await?;
                self.publish(&saved).await?;
                let mut err = EngineError::from_provider(e, true);
                if let EngineError::Provider { message, .. } = &mut err {
                    message.push_str(if deliveries.is_empty() {
                        " as a draft waiting for the connection; it is created as soon as the provider answers"
                    } else {
                        " as a draft waiting for the connection; it is created and sent as soon as the provider answers"
                    });
                }
                Err(err)
            }
            // No answer, or one PayDesk cannot read: the provider may have made the link, so
            // the draft stays and sync looks its order id up before anything else.
            Err(e) if e.outcome_unknown() || matches!(e, ProviderError::Malformed { .. }) => {
                self.inner
                    .store
                    .record_error(&draft.id, Utc::now(), Source::User, &e.to_string())
                    .await?;
                let saved = self.inner.store.invoice(&draft.id).await?;
                self.publish(&saved).await?;
                let mut err = EngineError::from_provider(e, true);
                if let (EngineError::Provider { message, .. }, false) =
                    (&mut err, deliveries.is_empty())
                {
                    message.push_str(" and its message will be sent once the link exists");
                }
                Err(err)
            }
            Err(e) => {
                let failed = self
                    .set_status_source(&draft, Status::Failed, Source::Provider, &e.to_string())
                    .await?;
                self.publish(&failed).await?;
                self.drop_queued_deliveries(&draft.id, "not sent: the link could not be created")
                    .await?;
                Err(EngineError::from_provider(e, true))
            }
        }
    }

    async fn resolve_customer(
        &self,
        l: &NewLink,
        errors: &mut Vec<InputError>,
    ) -> Result<Option<NewOrExisting>> {
        if let Some(id) = non_empty(&l.customer_id) {
            return match self.inner.store.customer(id).await? {
                Some(c) => Ok(Some(NewOrExisting::Existing(c))),
                None => {
                    errors.push(InputError::new(
                        "customer",
                        format!("no customer {:?}", truncate(id, 40)),
                    ));
                    Ok(None)
                }
            };
        }
        let phone =
            non_empty(&l.phone).and_then(|p| Phone::parse(p).map_err(|e| errors.push(e)).ok());
        let email =
            non_empty(&l.email).and_then(|e| Email::parse(e).map_err(|err| errors.push(err)).ok());
        let name = non_empty(&l.customer_name).and_then(|n| {
            PersonName::parse("customer_name", n)
                .map_err(|e| errors.push(e))
                .ok()
        });
        if phone.is_none() && email.is_none() {
            // A name alone (a walk-in customer on a slip) is kept as a new customer.
            return Ok(name.map(|n| {
                NewOrExisting::New(Customer {
                    id: invoice::new_id("cus"),
                    name: n.as_str().to_string(),
                    phone: None,
                    email: None,
                    created_at: Utc::now(),
                })
            }));
        }
        let phone_s = phone.as_ref().map(|p| p.e164().to_string());
        let email_s = email.as_ref().map(|e| e.as_str().to_string());
        if let Some(c) = self
            .inner
            .store
            .customer_by_contact(phone_s.as_deref(), email_s.as_deref())
            .await?
        {
            return Ok(Some(NewOrExisting::Existing(c)));
        }
        let display_name = name
            .map(|n| n.as_str().to_string())
            .or_else(|| phone.as_ref().map(|p| p.display()))
            .or_else(|| email_s.clone())
            .unwrap_or_default();
        Ok(Some(NewOrExisting::New(Customer {
            id: invoice::new_id("cus"),
            name: display_name,
            phone: phone_s,
            email: email_s,
            created_at: Utc::now(),
        })))
    }

    /// Applies the provider's view of an invoice (with local expiry on top).
    async fn apply_remote(
        &self,
        local: &Invoice,
        remote: &RemoteInvoice,
        source: Source,
    ) -> Result<Invoice> {
        let now = Utc::now();
        if let Some(c) = remote.currency.filter(|c| *c != local.amount.currency()) {
            return Err(EngineError::from_provider(
                ProviderError::Malformed {
                    provider: local.provider,
                    field: "currency".into(),
                    message: format!(
                        "the provider keeps this invoice in {c}, PayDesk in {}",
                        local.amount.currency()
                    ),
                },
                true,
            ));
        }
        let (status, flags, detail) = target_of(local, remote, now);
        // A draft is first opened, then moved on, so its history shows every step.
        if local.status == Status::Draft
            && status != Status::Open
            && Status::Draft.check_transition(status).is_err()
        {
            self.inner
                .store
                .apply_update(
                    &local.id,
                    &InvoiceUpdate {
                        status: Status::Open,
                        flags: PaymentFlags::default(),
                        paid_minor: 0,
                        provider_id: Some(remote.provider_id.clone()),
                        payment_url: remote.payment_url.clone(),
                        payment_number: remote.payment_number.clone(),
                        source,
                        detail: Some(format!("{}: created", local.provider)),
                        at: now,
                    },
                )
                .await?;
        }
        let applied = self
            .inner
            .store
            .apply_update(
                &local.id,
                &InvoiceUpdate {
                    status,
                    flags,
                    paid_minor: remote.paid_minor,
                    provider_id: Some(remote.provider_id.clone()),
                    payment_url: remote.payment_url.clone(),
                    payment_number: remote.payment_number.clone(),
                    source,
                    detail: Some(detail),
                    at: now,
                },
            )
            .await?;
        Ok(applied.after)
    }

    /// How many invoices the list query matches (for a list that loads page by page).
    pub async fn count_invoices(&self, q: &ListQuery) -> Result<i64> {
        let filter = self.invoice_filter(q).await?;
        Ok(self.inner.store.count_invoices(&filter).await?)
    }

    async fn invoice_filter(&self, q: &ListQuery) -> Result<InvoiceFilter> {
        let status = match non_empty(&q.status) {
            Some(s) => Some(Status::from_str(s).map_err(|_| {
                EngineError::input(
                    "status",
                    "must be one of draft, open, paid_unconfirmed, paid, partially_refunded, refunded, expired, cancelled, failed",
                )
            })?),
            None => None,
        };
        if let Some(a) = non_empty(&q.account) {
            self.account_record("account", a).await?;
        }
        if let Some(s) = non_empty(&q.search) {
            if s.chars().count() > 100 {
                return Err(EngineError::input(
                    "search",
                    "is too long (at most 100 characters)",
                ));
            }
        }
        let limit = q.limit.unwrap_or(500);
        if !(1..=5000).contains(&limit) {
            return Err(EngineError::input("limit", "must be between 1 and 5000"));
        }
        let (created_from, created_before) =
            self.day_range(q.from.as_deref(), q.to.as_deref()).await?;
        Ok(InvoiceFilter {
            created_from,
            created_before,
            status,
            account: non_empty(&q.account).map(str::to_string),
            customer_id: non_empty(&q.customer).map(str::to_string),
            search: non_empty(&q.search).map(str::to_string),
            limit: Some(limit),
            offset: Some(q.offset.unwrap_or(0).max(0)),
        })
    }

    pub async fn invoices(&self, q: &ListQuery) -> Result<Vec<InvoiceView>> {
        let filter = self.invoice_filter(q).await?;
        let invoices = self.inner.store.invoices(&filter).await?;
        // The page's customers in one query, not one each.
        let ids: Vec<&str> = invoices
            .iter()
            .filter_map(|i| i.customer_id.as_deref())
            .collect();
        let customers = self.inner.store.customers_by_ids(&ids).await?;
        Ok(invoices
            .iter()
            .map(|i| {
                let customer = i.customer_id.as_ref().and_then(|id| customers.get(id));
                InvoiceView::new(i, customer, None)
            })
            .collect())
    }

    async fn find(&self, key: &str) -> Result<Invoice> {
        let key = key.trim();
        if key.is_empty() {
            return Err(EngineError::input("id", "must not be empty"));
        }
        self.inner
            .store
            .find_invoice(key)
            .await?
            .ok_or_else(|| EngineError::input("id", format!("no invoice {:?}", truncate(key, 60))))
    }

    /// One invoice with its timeline, by PayDesk id, order id or provider id.
    pub async fn invoice(&self, key: &str) -> Result<InvoiceView> {
        let inv = self.find(key).await?;
        self.view(&inv, true).await
    }

    /// Cancels a link: a queued draft locally, an open one at its provider.
    pub async fn cancel(&self, key: &str) -> Result<InvoiceView> {
        let inv = self.find(key).await?;
        if inv.provider_id.is_some() && !inv.provider.capabilities().cancel {
            return Err(InputError::new(
                "id",
                format!(
                    "{} invoices cannot be cancelled from PayDesk; they expire at their deadline",
                    inv.provider
                ),
            )
            .code("unsupported")
            .into());
        }
        if !inv.status.is_cancellable() {
            return Err(EngineError::input(
                "id",
                format!("is {} and cannot be cancelled", inv.status),
            ));
        }
        let after = match (&inv.provider_id, inv.status) {
            (None, Status::Draft)
                if self
                    .inner
                    .store
                    .create_attempted_at(&inv.id)
                    .await?
                    .is_none() =>
            {
                // Never sent to the provider (it was down): nothing to undo there.
                self.set_status(
                    &inv,
                    Status::Cancelled,
                    "cancelled before it reached the provider",
                )
                .await?
            }
            (None, Status::Draft) => {
                // Maybe at the provider; make sure of it before dropping the draft.
                let account = self.account_record("account", &inv.account).await?;
                let provider = self.provider_for(&account).await?;
                match provider.find_by_order_id(&inv.order_id).await {
                    Ok(Some(remote)) => {
                        let remote = provider
                            .cancel(&remote.provider_id)
                            .await
                            .map_err(|e| EngineError::from_provider(e, true))?;
                        self.apply_remote(&inv, &remote, Source::User).await?
                    }
                    Ok(None) => {
                        self.set_status(
                            &inv,
                            Status::Cancelled,
                            "cancelled before it reached the provider",
                        )
                        .await?
                    }
                    Err(ProviderError::Unsupported { provider, .. }) => {
                        self.set_status(
                            &inv,
                            Status::Cancelled,
                            &format!(
                                "cancelled here; {provider} cannot look orders up, so check its console for order {}",
                                inv.order_id
                            ),
                        )
                        .await?
                    }
                    Err(e) => return Err(EngineError::from_provider(e, true)),
                }
            }
            (Some(pid), _) => {
                let account = self.account_record("account", &inv.account).await?;
                let provider = self.provider_for(&account).await?;
                let remote = provider
                    .cancel(pid)
                    .await
                    .map_err(|e| EngineError::from_provider(e, true))?;
                let after = self.apply_remote(&inv, &remote, Source::User).await?;
                if !matches!(
                    after.status,
                    Status::Cancelled | Status::Failed | Status::Expired
                ) {
                    self.publish(&after).await?;
                    return Err(EngineError::Provider {
                        provider: inv.provider,
                        code: None,
                        message: format!(
                            "{} accepted the cancel but still reports the invoice as {} ({}); check it at the provider",
                            inv.provider, after.status, remote.raw_status
                        ),
                        created: true,
                    });
                }
                after
            }
            (None, _) => {
                self.set_status(&inv, Status::Cancelled, "cancelled by the clerk")
                    .await?
            }
        };
        self.publish(&after).await?;
        self.drop_queued_deliveries(&after.id, "not sent: the link was cancelled")
            .await?;
        self.invoice(&after.id).await
    }

    pub async fn refund(&self, key: &str, amount: Option<&str>) -> Result<InvoiceView> {
        let inv = self.find(key).await?;
        let caps = inv.provider.capabilities();
        if !caps.refund || (amount.is_some() && !caps.partial_refund) {
            let what = if caps.refund {
                "partial refunds"
            } else {
                "refunds"
            };
            return Err(InputError::new(
                "id",
                format!("{} does not support {what} through PayDesk", inv.provider),
            )
            .code("unsupported")
            .into());
        }
        if !matches!(inv.status, Status::Paid | Status::PartiallyRefunded) {
            return Err(EngineError::input(
                "id",
                format!("is {} and cannot be refunded", inv.status),
            ));
        }
        let amount = match amount.map(str::trim).filter(|s| !s.is_empty()) {
            Some(a) => Some(paydesk_core::input::amount(
                "amount",
                a,
                inv.amount.currency(),
                true,
            )?),
            None => None,
        };
        let pid = inv
            .provider_id
            .clone()
            .ok_or_else(|| EngineError::Internal("a paid invoice has no provider id".into()))?;
        let account = self.account_record("account", &inv.account).await?;
        let provider = self.provider_for(&account).await?;
        let remote = provider
            .refund(&pid, amount)
            .await
            .map_err(|e| EngineError::from_provider(e, true))?;
        let after = self.apply_remote(&inv, &remote, Source::User).await?;
        self.publish(&after).await?;
        self.invoice(&after.id).await
    }

    async fn set_status(&self, inv: &Invoice, status: Status, detail: &str) -> Result<Invoice> {
        self.set_status_source(inv, status, Source::User, detail)
            .await
    }

    // ---- slips ------------------------------------------------------------------------

    /// One PDF with a payment slip for each invoice (convenience-store payments: those
    /// with a payment number), in `lang` (`ko`, `ja`, `en`).
    pub async fn slips(
        &self,
        keys: &[String],
        layout: &str,
        lang: &str,
        store: &str,
    ) -> Result<Vec<u8>> {
        let layout: paydesk_slips::Layout = layout
            .parse()
            .map_err(|e: String| EngineError::input("layout", e))?;
        let lang = slip_lang(lang)?;
        let store = PersonName::parse("store_name", store)?;
        if keys.is_empty() {
            return Err(EngineError::input("id", "give at least one invoice"));
        }
        if keys.len() > 5000 {
            return Err(EngineError::input("id", "at most 5,000 slips at a time"));
        }
        let zone = self.time_zone().await?;
        let mut slips = Vec::with_capacity(keys.len());
        for key in keys {
            slips.push(self.slip_of(key, lang, store.as_str(), zone).await?);
        }
        let logo = self.logo()?.map(|l| l.decoded);
        tokio::task::spawn_blocking(move || {
            paydesk_slips::render_with_logo(&slips, layout, logo.as_ref())
        })
        .await
        .map_err(internal)?
        .map_err(|e| EngineError::input("id", e))
    }

    /// What the slip of one convenience-store payment prints (refused for invoices
    /// without a payment number and for those that can no longer be paid).
    pub(crate) async fn slip_of(
        &self,
        key: &str,
        lang: paydesk_slips::Lang,
        store: &str,
        zone: chrono::FixedOffset,
    ) -> Result<paydesk_slips::Slip> {
        let inv = self.find(key).await?;
        let number = inv.payment_number.clone().ok_or_else(|| {
            EngineError::input(
                "id",
                format!(
                    "{} has no payment number: only convenience-store payments have slips",
                    inv.id
                ),
            )
        })?;
        if !matches!(inv.status, Status::Open | Status::Draft) {
            return Err(EngineError::input(
                "id",
                format!("{} is {} and can no longer be paid", inv.id, inv.status),
            ));
        }
        let customer = self.customer_of(&inv).await?;
        Ok(paydesk_slips::Slip {
            store: store.to_string(),
            customer: customer.map(|c| c.name),
            item: inv.name.clone(),
            amount: inv.amount.to_display("ko"),
            deadline: deadline_text(inv.expires_at, lang, zone),
            payment_number: number,
            payment_url: inv.payment_url.clone(),
            lang,
        })
    }

    /// A one-page invoice PDF for a payment link (amount, tax-free part, item, deadline,
    /// a QR code of the link).
    pub async fn invoice_pdf(&self, key: &str, lang: &str, store: &str) -> Result<Vec<u8>> {
        let lang = slip_lang(lang)?;
        let store = PersonName::parse("store_name", store)?;
        let inv = self.find(key).await?;
        let url = inv.payment_url.clone().ok_or_else(|| {
            EngineError::input(
                "id",
                format!("{} has no payment link yet (it is {})", inv.id, inv.status),
            )
        })?;
        let customer = self.customer_of(&inv).await?;
        let doc = paydesk_slips::InvoiceDoc {
            store: store.as_str().to_string(),
            customer: customer.map(|c| c.name),
            item: inv.name.clone(),
            amount: inv.amount.to_display("ko"),
            tax_free: inv.tax_free.to_display("ko"),
            order_id: inv.order_id.clone(),
            deadline: deadline_text(inv.expires_at, lang, self.time_zone().await?),
            payment_url: url,
            lang,
            logo: self.logo()?.map(|l| l.decoded),
        };
        tokio::task::spawn_blocking(move || paydesk_slips::render_invoice(&doc))
            .await
            .map_err(internal)?
            .map_err(|e| EngineError::input("id", e))
    }

    /// Saves a PDF under the data folder's `prints/` and returns its path.
    pub fn save_print(&self, what: &str, bytes: &[u8]) -> Result<PathBuf> {
        self.save_file("prints", what, "pdf", bytes)
    }

    /// Saves `bytes` as `folder/what-TIMESTAMP.ext` under the data folder.
    pub fn save_file(&self, folder: &str, what: &str, ext: &str, bytes: &[u8]) -> Result<PathBuf> {
        let dir = self.inner.data_dir.join(folder);
        std::fs::create_dir_all(&dir).map_err(internal)?;
        let path = dir.join(format!(
            "{what}-{}.{ext}",
            Utc::now().format("%Y%m%d-%H%M%S%3f")
        ));
        std::fs::write(&path, bytes).map_err(internal)?;
        Ok(path)
    }

    /// Slips for `ids` (every open convenience-store payment when empty), saved as one PDF.
    pub async fn print_slips(&self, ids: &[String], layout: &str, store: &str) -> Result<PathBuf> {
        let ids = if ids.is_empty() {
            self.open_cvs_ids().await?
        } else {
            ids.to_vec()
        };
        if ids.is_empty() {
            return Err(EngineError::input(
                "id",
                "there are no open convenience-store payments to print",
            ));
        }
        let bytes = self.slips(&ids, layout, "ko", store).await?;
        self.save_print("slips", &bytes)
    }

    /// Every open convenience-store payment (for "print all open slips").
    pub async fn open_cvs_ids(&self) -> Result<Vec<String>> {
        let open = self
            .inner
            .store
            .invoices(&InvoiceFilter {
                status: Some(Status::Open),
                limit: Some(5000),
                ..Default::default()
            })
            .await?;
        Ok(open
            .into_iter()
            .filter(|i| i.kind == InvoiceKind::Cvs && i.payment_number.is_some())
            .map(|i| i.id)
            .collect())
    }

    // ---- sync -------------------------------------------------------------------------

    /// One pass over every invoice that can still change: asks its provider, applies
    /// what changed with its audit entry, marks local expiry, and finishes drafts whose
    /// creation was interrupted (looking their order id up first).
    pub async fn sync_once(&self) -> Result<SyncReport> {
        let _one_at_a_time = self.inner.sync_lock.lock().await;
        let now = Utc::now();
        // The pass takes the invoices checked longest ago (fair to a big book), then asks
        // about them soonest deadline first.
        let mut due = self
            .inner
            .store
            .invoices_to_sync(now, LATE_PAYMENT_GRACE, MAX_PER_PASS)
            .await?;
        due.sort_by_key(|i| i.expires_at);
        let mut report = SyncReport {
            checked: due.len(),
            ..Default::default()
        };
        // One adapter (one token, one HTTP client), one concurrency limit, one request rate
        // and one circuit per account; accounts are checked side by side, soonest
        // deadline first within each. An account whose provider did not answer is left
        // alone until its backoff has passed (kept across passes), and a pass stops asking
        // it as soon as it stops answering.
        let rate = self.rate_limit().await?;
        let mut providers: BTreeMap<String, AccountRun> = BTreeMap::new();
        let mut waiting: BTreeMap<String, (String, String, DateTime<Utc>)> = BTreeMap::new();
        let mut batches: Vec<(AccountRun, Vec<Invoice>)> = Vec::new();
        let mut open: BTreeMap<String, usize> = BTreeMap::new();
        for inv in due {
            if let Some(b) = self.backoff_of(&inv.account).filter(|b| b.until > now) {
                report.checked -= 1;
                waiting.entry(inv.account.clone()).or_insert((
                    inv.id.clone(),
                    inv.provider.as_str().into(),
                    b.until,
                ));
                continue;
            }
            let run = match providers.get(&inv.account) {
                Some(p) => p.clone(),
                None => {
                    let account = self.account_record("account", &inv.account).await?;
                    match self.provider_for(&account).await {
                        Ok(p) => {
                            let limiter = (account.provider != ProviderKind::Sandbox)
                                .then(|| self.limiter_for(&account.name, rate))
                                .flatten();
                            let entry = AccountRun {
                                provider: p,
                                limit: Arc::new(tokio::sync::Semaphore::new(
                                    PER_ACCOUNT_CONCURRENCY,
                                )),
                                limiter,
                                tripped: Arc::new(std::sync::atomic::AtomicBool::new(false)),
                            };
                            providers.insert(inv.account.clone(), entry.clone());
                            entry
                        }
                        Err(e) => {
                            report.errors.push(SyncError {
                                invoice_id: inv.id.clone(),
                                account: inv.account.clone(),
                                provider: inv.provider.as_str().into(),
                                kind: "keys".into(),
                                message: e.to_string(),
                            });
                            continue;
                        }
                    }
                }
            };
            // Invoices already at the provider go in batches of BATCH (one request
            // where the provider can list by order id); drafts go one by one.
            if inv.provider_id.is_some() {
                match open.get(&inv.account) {
                    Some(&i) if batches[i].1.len() < BATCH => {
                        batches[i].1.push(inv);
                        continue;
                    }
                    _ => {
                        open.insert(inv.account.clone(), batches.len());
                    }
                }
            }
            batches.push((run, vec![inv]));
        }
        let mut tasks = tokio::task::JoinSet::new();
        for (run, invoices) in batches {
            let engine = self.clone();
            tasks.spawn(async move { engine.check_batch(run, invoices, now).await });
        }
        let mut skipped = 0usize;
        let mut results = Vec::new();
        while let Some(done) = tasks.join_next().await {
            results.extend(done.map_err(internal)?);
        }
        for (inv, outcome) in results {
            let Some(outcome) = outcome else {
                skipped += 1;
                continue;
            };
            match outcome {
                Ok(Some(after)) => report.changed.push(self.publish(&after).await?),
                Ok(None) => {}
                Err(e) => {
                    let message = e.to_string();
                    self.inner
                        .store
                        .record_error(&inv.id, Utc::now(), Source::Sync, &message)
                        .await?;
                    let kind = match e {
                        ProviderError::Unavailable { .. } | ProviderError::NotReached { .. } => {
                            "unreachable"
                        }
                        ProviderError::Auth { .. } => "keys",
                        _ => "invoice",
                    };
                    report.errors.push(SyncError {
                        invoice_id: inv.id.clone(),
                        account: inv.account.clone(),
                        provider: inv.provider.as_str().into(),
                        kind: kind.into(),
                        message,
                    });
                }
            }
        }
        report.checked -= skipped;
        // Backoff: doubled for every account that stopped answering, cleared for the rest.
        for (account, run) in &providers {
            let failed = run.tripped.load(std::sync::atomic::Ordering::SeqCst);
            let mut all = self.inner.backoff.lock().expect("backoff lock");
            if failed {
                let failures = all.get(account).map_or(0, |b| b.failures) + 1;
                let wait = (BACKOFF_FIRST * 2i32.pow(failures.min(10) - 1)).min(BACKOFF_MAX);
                all.insert(
                    account.clone(),
                    Backoff {
                        until: Utc::now() + wait,
                        failures,
                    },
                );
            } else {
                all.remove(account);
            }
        }
        for (account, (invoice_id, provider, until)) in waiting {
            report.errors.push(SyncError {
                invoice_id,
                account: account.clone(),
                provider,
                kind: "unreachable".into(),
                message: format!(
                    "{account} did not answer; PayDesk waits until {} before asking again",
                    paydesk_core::format_instant(until)
                ),
            });
        }
        tracing::debug!(
            checked = report.checked,
            changed = report.changed.len(),
            errors = report.errors.len(),
            "sync pass"
        );
        // Messages waiting for their link, and rows a stopped process left half-sent.
        match self.process_outbox().await {
            Ok(o) => report.outbox = o,
            Err(e) => tracing::warn!(error = %e, "outbox pass failed"),
        }
        let _ = self.inner.sync_reports.send(report.clone());
        Ok(report)
    }

    /// Checks a batch of one account's invoices: one request for all of them where the
    /// provider can list by order id, one each otherwise (and for any it did not list).
    /// `None` for an invoice left alone because the provider stopped answering.
    #[allow(clippy::type_complexity)]
    async fn check_batch(
        &self,
        run: AccountRun,
        invoices: Vec<Invoice>,
        now: DateTime<Utc>,
    ) -> Vec<(
        Invoice,
        Option<std::result::Result<Option<Invoice>, ProviderError>>,
    )> {
        use std::sync::atomic::Ordering;
        let mut out = Vec::with_capacity(invoices.len());
        let mut listed: BTreeMap<String, RemoteInvoice> = BTreeMap::new();
        if invoices.len() > 1 {
            let _permit = run
                .limit
                .acquire()
                .await
                .expect("the limit is never closed");
            if run.tripped.load(Ordering::SeqCst) {
                return invoices.into_iter().map(|i| (i, None)).collect();
            }
            if let Some(l) = &run.limiter {
                l.until_ready().await;
            }
            let orders: Vec<&str> = invoices.iter().map(|i| i.order_id.as_str()).collect();
            match run.provider.get_many(&orders).await {
                Ok(Some(list)) => {
                    listed = list.into_iter().map(|r| (r.order_id.clone(), r)).collect();
                }
                Ok(None) => {}
                Err(e) if e.unreachable() => {
                    run.tripped.store(true, Ordering::SeqCst);
                    return invoices
                        .into_iter()
                        .map(|i| (i, Some(Err(e.clone()))))
                        .collect();
                }
                // The list was refused or unreadable: ask one by one, so that one odd
                // invoice never hides the others.
                Err(e) => {
                    tracing::warn!(error = %e, "batch lookup failed; asking one by one");
                }
            }
        }
        let mut unchanged = Vec::new();
        for inv in invoices {
            let remote = listed
                .remove(&inv.order_id)
                .filter(|r| Some(&r.provider_id) == inv.provider_id.as_ref());
            let outcome = match remote {
                Some(r) => self.apply_checked(&inv, r, Some(&mut unchanged)).await,
                None => {
                    let _permit = run
                        .limit
                        .acquire()
                        .await
                        .expect("the limit is never closed");
                    if run.tripped.load(Ordering::SeqCst) {
                        out.push((inv, None));
                        continue;
                    }
                    if let Some(l) = &run.limiter {
                        l.until_ready().await;
                    }
                    let outcome = self.sync_invoice(&inv, run.provider.as_ref(), now).await;
                    if matches!(&outcome, Err(e) if e.unreachable()) {
                        run.tripped.store(true, Ordering::SeqCst);
                    }
                    outcome
                }
            };
            out.push((inv, Some(outcome)));
        }
        // Every "checked, nothing changed" of the batch in one transaction.
        if !unchanged.is_empty() {
            if let Err(e) = self
                .inner
                .store
                .mark_checked_many(&unchanged, Utc::now())
                .await
            {
                tracing::warn!(error = %e, "could not record the check time");
            }
        }
        out
    }

    fn backoff_of(&self, account: &str) -> Option<Backoff> {
        self.inner
            .backoff
            .lock()
            .expect("backoff lock")
            .get(account)
            .copied()
    }

    /// Requests per second sync may send one account (`sync_rate_limit`; 0: no limit).
    pub async fn rate_limit(&self) -> Result<u32> {
        Ok(self
            .inner
            .store
            .setting("sync_rate_limit")
            .await?
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_RATE_LIMIT))
    }

    fn limiter_for(&self, account: &str, per_second: u32) -> Option<Arc<Limiter>> {
        let rate = std::num::NonZeroU32::new(per_second)?;
        let mut all = self.inner.limiters.lock().expect("limiter lock");
        let key = format!("{account}@{per_second}");
        Some(
            all.entry(key)
                .or_insert_with(|| {
                    Arc::new(governor::RateLimiter::direct(governor::Quota::per_second(
                        rate,
                    )))
                })
                .clone(),
        )
    }

    async fn sync_invoice(
        &self,
        inv: &Invoice,
        provider: &dyn Provider,
        now: DateTime<Utc>,
    ) -> std::result::Result<Option<Invoice>, ProviderError> {
        let remote = match &inv.provider_id {
            Some(pid) => provider.get(pid).await?,
            None => match self.lookup_draft(inv, provider).await? {
                Some(r) => r,
                None if now < inv.expires_at => {
                    let customer = self.customer_of(inv).await.ok().flatten();
                    self.inner
                        .store
                        .mark_create_attempt(&inv.id, Utc::now())
                        .await
                        .map_err(|e| ProviderError::Unavailable {
                            provider: inv.provider,
                            message: format!("the draft cannot be updated: {e}"),
                        })?;
                    match provider
                        .create(&create_request(inv, customer.as_ref()))
                        .await
                    {
                        Ok(r) => r,
                        Err(e @ ProviderError::NotReached { .. }) => {
                            // Nothing reached the provider: the draft is as it was.
                            let _ = self.inner.store.clear_create_attempt(&inv.id).await;
                            return Err(e);
                        }
                        Err(e) => return Err(e),
                    }
                }
                None => {
                    // Never reached the provider and its deadline has passed: nothing to pay.
                    let after = self
                        .set_status_source(
                            inv,
                            Status::Failed,
                            Source::Sync,
                            "never reached the provider before its deadline",
                        )
                        .await;
                    return Ok(after.ok());
                }
            },
        };
        self.apply_checked(inv, remote, None).await
    }

    /// Applies what the provider said about one invoice (from a lookup or a list).
    async fn apply_checked(
        &self,
        inv: &Invoice,
        remote: RemoteInvoice,
        unchanged: Option<&mut Vec<String>>,
    ) -> std::result::Result<Option<Invoice>, ProviderError> {
        failpoint("sync:after-provider");
        // Nothing to change: only "checked now" is written, with the batch's others.
        if let Some(pending) = unchanged {
            if leaves_unchanged(inv, &remote, Utc::now()) {
                pending.push(inv.id.clone());
                return Ok(None);
            }
        }
        let before = inv.clone();
        match self.apply_remote(inv, &remote, Source::Sync).await {
            Ok(after) => Ok(changed(&before, &after).then_some(after)),
            Err(e) => Err(ProviderError::Malformed {
                provider: inv.provider,
                field: "status".into(),
                message: e.to_string(),
            }),
        }
    }

    /// What the provider already has for a draft. A draft that was never sent has
    /// nothing there; one that was sent is looked up by its order id, and where the
    /// provider cannot look orders up, it waits for the clerk rather than risk a
    /// second payable link.
    async fn lookup_draft(
        &self,
        inv: &Invoice,
        provider: &dyn Provider,
    ) -> std::result::Result<Option<RemoteInvoice>, ProviderError> {
        let attempted = self
            .inner
            .store
            .create_attempted_at(&inv.id)
            .await
            .map_err(|e| ProviderError::Unavailable {
                provider: inv.provider,
                message: format!("the draft cannot be read: {e}"),
            })?;
        if attempted.is_none() {
            return Ok(None);
        }
        match provider.find_by_order_id(&inv.order_id).await {
            Err(ProviderError::Unsupported { provider, .. }) => Err(ProviderError::Rejected {
                provider,
                code: None,
                message: format!(
                    "creating order {} may or may not have reached {provider}, which cannot look orders up; \
                     check {provider}'s console, then cancel this draft here or create it again",
                    inv.order_id
                ),
            }),
            other => other,
        }
    }

    async fn set_status_source(
        &self,
        inv: &Invoice,
        status: Status,
        source: Source,
        detail: &str,
    ) -> Result<Invoice> {
        Ok(self
            .inner
            .store
            .apply_update(
                &inv.id,
                &InvoiceUpdate {
                    status,
                    flags: inv.flags,
                    paid_minor: inv.paid.minor(),
                    provider_id: None,
                    payment_url: None,
                    payment_number: None,
                    source,
                    detail: Some(detail.into()),
                    at: Utc::now(),
                },
            )
            .await?
            .after)
    }

    /// Runs sync passes every `every` until `stop` resolves.
    /// Syncs until `stop`: every `every`, or (None) every `sync_interval` seconds as the
    /// merchant set it, read again after each pass so a change applies at once.
    pub async fn run_sync(
        &self,
        every: Option<std::time::Duration>,
        stop: impl std::future::Future<Output = ()>,
    ) {
        tokio::pin!(stop);
        loop {
            if let Err(e) = self.sync_once().await {
                tracing::warn!(error = %e, "sync pass failed");
            }
            let wait = match every {
                Some(d) => d,
                None => self.sync_interval().await.unwrap_or(DEFAULT_SYNC_INTERVAL),
            };
            tokio::select! {
                _ = &mut stop => break,
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// How long the app waits between sync passes (`sync_interval`, seconds).
    pub async fn sync_interval(&self) -> Result<std::time::Duration> {
        Ok(self
            .inner
            .store
            .setting("sync_interval")
            .await?
            .and_then(|v| v.parse().ok())
            .map(std::time::Duration::from_secs)
            .unwrap_or(DEFAULT_SYNC_INTERVAL))
    }

    // ---- sandbox ----------------------------------------------------------------------

    pub fn sandbox(&self) -> &SandboxStore {
        &self.inner.sandbox
    }

    /// The port the sandbox account's pages are served on.
    pub async fn sandbox_port(&self) -> Result<u16> {
        let r = self.account_record("account", SANDBOX_ACCOUNT).await?;
        Ok(r.settings
            .get("base_url")
            .and_then(|v| v.as_str())
            .and_then(|u| u.rsplit(':').next())
            .and_then(|p| p.trim_end_matches('/').parse().ok())
            .unwrap_or(DEFAULT_PORT))
    }

    fn sandbox_id(inv: Invoice) -> Result<String> {
        if inv.provider != ProviderKind::Sandbox {
            return Err(EngineError::input(
                "id",
                "is not a sandbox invoice; real payments happen at the provider",
            ));
        }
        inv.provider_id
            .ok_or_else(|| EngineError::input("id", "has not reached the sandbox yet (run sync)"))
    }

    /// What the sandbox page's Pay button does (`amount` pays part or more).
    pub async fn sandbox_pay(
        &self,
        key: &str,
        amount: Option<&str>,
        late: bool,
    ) -> Result<SandboxPaymentView> {
        let inv = self.find(key).await?;
        let amount = match amount.map(str::trim).filter(|s| !s.is_empty()) {
            Some(a) => Some(paydesk_core::input::amount(
                "amount",
                a,
                inv.amount.currency(),
                true,
            )?),
            None => None,
        };
        let id = Self::sandbox_id(inv)?;
        let p = self
            .inner
            .sandbox
            .pay(&id, amount, late, Utc::now())
            .await
            .map_err(|e| EngineError::from_provider(e, true))?;
        Ok(sandbox_view(&p))
    }

    pub async fn sandbox_expire(&self, key: &str) -> Result<SandboxPaymentView> {
        let id = Self::sandbox_id(self.find(key).await?)?;
        let p = self
            .inner
            .sandbox
            .expire(&id, Utc::now())
            .await
            .map_err(|e| EngineError::from_provider(e, true))?;
        Ok(sandbox_view(&p))
    }

    /// Serves the sandbox's payment pages on 127.0.0.1 until the future is dropped.
    pub async fn serve_sandbox(
        &self,
        port: u16,
    ) -> std::io::Result<(
        std::net::SocketAddr,
        impl std::future::Future<Output = std::io::Result<()>>,
    )> {
        paydesk_providers::sandbox::server::bind(self.inner.sandbox.clone(), port).await
    }
}

enum NewOrExisting {
    New(Customer),
    Existing(Customer),
}

pub(crate) fn slip_lang(lang: &str) -> Result<paydesk_slips::Lang> {
    match lang {
        "ko" => Ok(paydesk_slips::Lang::Ko),
        "ja" => Ok(paydesk_slips::Lang::Ja),
        "en" => Ok(paydesk_slips::Lang::En),
        _ => Err(EngineError::input("lang", "must be ko, ja or en")),
    }
}

/// A deadline as printed: Korea and Japan keep UTC+9 all year.
/// A deadline as a slip or invoice prints it: in the store's time zone, named KST / JST
/// when it is Korea's and Japan's (+09:00), by its offset otherwise.
fn deadline_text(
    at: DateTime<Utc>,
    lang: paydesk_slips::Lang,
    zone: chrono::FixedOffset,
) -> String {
    let name = match (zone.local_minus_utc(), lang) {
        (32_400, paydesk_slips::Lang::Ja) => "JST".to_string(),
        (32_400, _) => "KST".to_string(),
        _ => format!("UTC{zone}"),
    };
    format!(
        "{} ({name})",
        at.with_timezone(&zone).format("%Y-%m-%d %H:%M")
    )
}

fn missing_setting(r: &AccountRecord, key: &str) -> EngineError {
    EngineError::Provider {
        provider: r.provider,
        code: None,
        message: format!(
            "the account {} has no {key}; add the account again with --{}",
            r.name,
            key.replace('_', "-")
        ),
        created: false,
    }
}

fn changed(a: &Invoice, b: &Invoice) -> bool {
    a.status != b.status
        || a.flags != b.flags
        || a.paid != b.paid
        || a.provider_id != b.provider_id
        || a.payment_url != b.payment_url
}

fn create_request(inv: &Invoice, customer: Option<&Customer>) -> CreateRequest {
    CreateRequest {
        kind: inv.kind,
        order_id: inv.order_id.clone(),
        name: inv.name.clone(),
        amount: inv.amount,
        tax_free: inv.tax_free,
        expires_at: inv.expires_at,
        customer: customer.map(|c| CustomerInfo {
            name: Some(c.name.clone()),
            phone: c.phone.clone(),
            email: c.email.clone(),
        }),
    }
}

fn sandbox_view(p: &SandboxPayment) -> SandboxPaymentView {
    let money = |m| {
        Money::from_minor(m, p.currency)
            .map(Money::to_plain)
            .unwrap_or_default()
    };
    SandboxPaymentView {
        id: p.id.clone(),
        order_id: p.order_id.clone(),
        state: p.state.clone(),
        amount: money(p.amount_minor),
        paid_amount: money(p.paid_minor),
        currency: p.currency.code().into(),
        late: p.late,
        expires_at: paydesk_core::format_instant(p.expires_at),
    }
}

/// Test hook: `PAYDESK_FAILPOINT=name` aborts the process at that point, as a crash or a
/// power cut would, so tests can prove that nothing is lost or done twice.
/// Where the provider's view takes a local invoice: its status (with local expiry on
/// top: past its deadline an open invoice is expired here even if the provider has not
/// said so), its flags (late money keeps its flag) and the audit detail.
fn target_of(
    local: &Invoice,
    remote: &RemoteInvoice,
    now: DateTime<Utc>,
) -> (Status, PaymentFlags, String) {
    let mut status = remote.status;
    let mut detail = format!("{}: {}", local.provider, remote.raw_status);
    if status == Status::Open && now >= local.expires_at {
        status = Status::Expired;
        detail.push_str("; the deadline has passed");
    }
    let mut flags = remote.flags;
    if local.status == Status::Expired && matches!(status, Status::Paid | Status::PaidUnconfirmed) {
        flags.paid_late = true;
    }
    flags.paid_late |= local.flags.paid_late;
    (status, flags, detail)
}

/// Whether the provider's view leaves a (non-draft) invoice exactly as it is.
fn leaves_unchanged(local: &Invoice, remote: &RemoteInvoice, now: DateTime<Utc>) -> bool {
    let (status, flags, _) = target_of(local, remote, now);
    local.status != Status::Draft
        && remote.currency.is_none_or(|c| c == local.amount.currency())
        && status == local.status
        && flags == local.flags
        && remote.paid_minor == local.paid.minor()
        && Some(&remote.provider_id) == local.provider_id.as_ref()
        && remote
            .payment_url
            .as_ref()
            .is_none_or(|u| Some(u) == local.payment_url.as_ref())
        && remote
            .payment_number
            .as_ref()
            .is_none_or(|n| Some(n) == local.payment_number.as_ref())
}

/// What owns secrets in the keyring, owned (to cross into the keyring's thread).
#[derive(Debug, Clone)]
enum Holder {
    Account(String),
    Channel(String),
}

impl Holder {
    fn owner(&self) -> Owner<'_> {
        match self {
            Holder::Account(a) => Owner::Account(a),
            Holder::Channel(c) => Owner::Channel(c),
        }
    }
}

/// What one sync pass keeps per account.
#[derive(Clone)]
struct AccountRun {
    provider: Arc<dyn Provider>,
    limit: Arc<tokio::sync::Semaphore>,
    limiter: Option<Arc<Limiter>>,
    /// Set once the provider stops answering: the rest of the pass leaves it alone.
    tripped: Arc<std::sync::atomic::AtomicBool>,
}

fn failpoint(name: &str) {
    if std::env::var("PAYDESK_FAILPOINT").as_deref() == Ok(name) {
        eprintln!("failpoint {name}: aborting");
        std::process::abort();
    }
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

#[cfg(test)]
mod tests {
    use super::deadline_text;
    use chrono::FixedOffset;
    use paydesk_slips::Lang;

    #[test]
    fn deadlines_print_in_the_store_s_time_zone() {
        let at = "2026-12-02T15:30:00Z".parse().unwrap();
        let korea = FixedOffset::east_opt(9 * 3600).unwrap();
        assert_eq!(deadline_text(at, Lang::Ko, korea), "2026-12-03 00:30 (KST)");
        assert_eq!(deadline_text(at, Lang::Ja, korea), "2026-12-03 00:30 (JST)");
        let east_coast = FixedOffset::west_opt(5 * 3600).unwrap();
        assert_eq!(
            deadline_text(at, Lang::En, east_coast),
            "2026-12-02 10:30 (UTC-05:00)"
        );
    }
}
