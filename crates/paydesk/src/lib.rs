//! PayDesk's engine: the use cases — accounts, customers, payment links, cancel,
//! refund, sync, messages, documents, the sandbox — and the one API every shell (the
//! desktop app, the `paydesk` command) calls. Business rules live here and in the core,
//! never in a shell. Each use case has its own module (see `docs/architecture.md`);
//! this file holds the module tree, the re-exports and the [`Engine`] handle.
#![cfg_attr(not(test), deny(clippy::unwrap_used))]
#![warn(missing_docs)]

use std::{
    path::{Path, PathBuf},
    sync::Arc,
};

use chrono::Utc;
use paydesk_core::ProviderKind;
use paydesk_providers::sandbox::{SandboxStore, DEFAULT_PORT};
pub use paydesk_secrets::SecretStore;
use paydesk_store::{AccountRecord, Store};
use tokio::sync::broadcast;

mod accounts;
mod adapters;
mod callbacks;
mod context;
mod customers;
mod delivery;
mod diagnostics;
mod documents;
mod dto;
mod error;
mod invoices;
mod reports;
mod sandbox;
mod settings;
mod shared_changes;
mod store_location;
mod sync;
mod views;

use context::Inner;

pub use callbacks::{notice_names, CallbackError, IncomingCallback};
pub use delivery::{
    format_deadline, ChannelView, DeliveryView, MessagePreview, OutboxReport, MAX_SEND_ATTEMPTS,
};
pub use documents::{PrintFailure, PrintOutcome, PrintTo, PrinterView, SlipPreview, StoreLogo};
pub use dto::{ListQuery, NewAccount, NewChannel, NewCustomer, NewLink, RefundInput, SendRequest};
pub use error::{EngineError, ErrorView, Result};
pub use invoices::LinkCopy;
pub use paydesk_core as core;
pub use paydesk_core::link::DEFAULT_EXPIRY;
pub use paydesk_notify::sms::SmsClass;
pub use paydesk_secrets::SecretString as Secret;
/// The largest logo file the store takes, in bytes.
pub use paydesk_slips::LOGO_MAX_BYTES;
pub use reports::{
    Attention, CsvForm, DashboardView, DayCount, ListTotals, MoneyTotal, PeriodTotals, CSV_COLUMNS,
};
pub use sandbox::SANDBOX_ACCOUNT;
pub use settings::{DEFAULT_RATE_LIMIT, DEFAULT_SYNC_INTERVAL};
pub use store_location::{
    move_to_shared_store, store_location, use_local_store, use_shared_store, SharedStoreAddress,
    SharedStoreInput, StoreLocation, StoreView, LOCATION_FILE,
};
pub use sync::{BATCH, LATE_PAYMENT_GRACE, MAX_PER_PASS, PER_ACCOUNT_CONCURRENCY};
pub use views::*;

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

/// The engine: one cheap, cloneable handle on a data folder, shared by every window,
/// command and background task of a process.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("data_dir", &self.inner.data_dir)
            .finish()
    }
}

impl Engine {
    /// Opens the data directory (creating and migrating it), with the OS keyring.
    #[tracing::instrument(level = "debug", err(level = "info"))]
    pub async fn open(data_dir: &Path) -> Result<Engine> {
        Self::open_with(data_dir, SecretStore::new()).await
    }

    /// Opens the data directory with another secret store (tests' own keyring collection).
    #[tracing::instrument(level = "debug", skip(secrets), err(level = "info"))]
    pub async fn open_with(data_dir: &Path, secrets: SecretStore) -> Result<Engine> {
        let store = store_location::open_store(data_dir, &secrets).await?;
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
                adapters: tokio::sync::Mutex::new(Default::default()),
                backoff: std::sync::Mutex::new(Default::default()),
                limiters: std::sync::Mutex::new(Default::default()),
                leases: tokio::sync::Mutex::new(Default::default()),
                store_server: std::sync::atomic::AtomicBool::new(false),
                listener: std::sync::Mutex::new(None),
            }),
        })
    }

    /// The data directory this engine keeps its files in.
    pub fn data_dir(&self) -> &Path {
        &self.inner.data_dir
    }

    /// The store underneath (for tests and tools; use cases go through the engine).
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
}
