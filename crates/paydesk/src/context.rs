//! What every room of the engine shares: the engine's state, the keyring off the async
//! threads, publishing a changed invoice, and the small helpers used everywhere.

use std::{collections::BTreeMap, path::PathBuf, sync::Arc};

use crate::{error::Result, views::SecretState, Engine, EngineError, InvoiceView, SyncReport};
use chrono::{DateTime, Utc};
use paydesk_core::{Customer, Invoice};
use paydesk_providers::{sandbox::SandboxStore, Provider};
use paydesk_secrets::{Owner, SecretStore, SecretString};
use paydesk_store::Store;
use tokio::sync::broadcast;

/// The state behind an [`Engine`] handle.
pub(crate) struct Inner {
    pub(crate) data_dir: PathBuf,
    pub(crate) store: Store,
    pub(crate) secrets: SecretStore,
    pub(crate) sandbox: SandboxStore,
    pub(crate) changes: broadcast::Sender<InvoiceView>,
    pub(crate) sync_reports: broadcast::Sender<SyncReport>,
    pub(crate) sync_lock: tokio::sync::Mutex<()>,
    /// One adapter per account (its HTTP client and provider token are reused).
    pub(crate) adapters: tokio::sync::Mutex<BTreeMap<String, Arc<dyn Provider>>>,
    /// Accounts whose provider did not answer: when to try again and how many passes
    /// in a row failed (the wait doubles, kept across passes).
    pub(crate) backoff: std::sync::Mutex<BTreeMap<String, Backoff>>,
    /// Each account's request rate (requests per second, shared by every pass).
    pub(crate) limiters: std::sync::Mutex<BTreeMap<String, Arc<Limiter>>>,
    /// The accounts this process polls for every counter of a shared store.
    pub(crate) leases: tokio::sync::Mutex<BTreeMap<String, paydesk_store::Claim>>,
    /// Whether this process is the shop's store server (it polls for every counter).
    pub(crate) store_server: std::sync::atomic::AtomicBool,
    /// The task that follows the other counters' changes, stopped with the engine.
    pub(crate) listener: std::sync::Mutex<Option<tokio::task::AbortHandle>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(task) = self.listener.get_mut().ok().and_then(Option::take) {
            task.abort();
        }
    }
}

/// One account's request rate, shared by every pass.
pub(crate) type Limiter = governor::DefaultDirectRateLimiter;

/// An account whose provider stopped answering: when to ask again, and how many passes
/// in a row failed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Backoff {
    pub(crate) until: DateTime<Utc>,
    pub(crate) failures: u32,
}

/// What owns secrets in the keyring, owned (to cross into the keyring's thread).
#[derive(Debug, Clone)]
pub(crate) enum Holder {
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

/// A failure of PayDesk itself (a file, a task, a writer), its cause kept as the source.
pub(crate) fn internal<E: std::error::Error + Send + Sync + 'static>(e: E) -> EngineError {
    EngineError::Other(Box::new(e))
}

pub(crate) fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A std mutex's guard; a lock poisoned by a panic elsewhere still holds plain data that
/// is whole (a map of waits and limiters), so it is used as it is rather than panicking.
pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Test hook: `PAYDESK_FAILPOINT=name` aborts the process at that point, as a crash or a
/// power cut would, so tests can prove that nothing is lost or done twice.
pub(crate) fn failpoint(name: &str) {
    let Ok(set) = std::env::var("PAYDESK_FAILPOINT") else {
        return;
    };
    if set == name {
        eprintln!("failpoint {name}: aborting");
        std::process::abort();
    }
    // `panic:NAME`: a bug at that point (what a background task must survive).
    if set.strip_prefix("panic:") == Some(name) {
        panic!("failpoint {name}");
    }
}

/// A key given that the account or channel does not take. The name is never repeated:
/// a secret pasted without its `KEY=` arrives as a "name" (everything before its first
/// `=`), and an error message would echo it to the screen and the logs.
pub(crate) fn unknown_secret(
    index: usize,
    what: impl std::fmt::Display,
    expected: &[&str],
) -> paydesk_core::InputError {
    paydesk_core::InputError::new(
        "secret",
        format!(
            "key #{} is not a {what} secret (expected: {})",
            index + 1,
            if expected.is_empty() {
                "none".to_string()
            } else {
                expected.join(", ")
            }
        ),
    )
    .code(paydesk_core::InputCode::UnknownSecret)
}

pub(crate) fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

impl Engine {
    pub(crate) async fn publish(&self, inv: &Invoice) -> Result<InvoiceView> {
        let view = self.view(inv, false).await?;
        let _ = self.inner.changes.send(view.clone());
        Ok(view)
    }

    pub(crate) async fn customer_of(&self, inv: &Invoice) -> Result<Option<Customer>> {
        match &inv.customer_id {
            Some(id) => Ok(self.inner.store.customer(id).await?),
            None => Ok(None),
        }
    }

    pub(crate) async fn view(&self, inv: &Invoice, with_timeline: bool) -> Result<InvoiceView> {
        let customer = self.customer_of(inv).await?;
        let timeline = if with_timeline {
            Some(self.inner.store.timeline(&inv.id).await?)
        } else {
            None
        };
        let mut view = InvoiceView::new(
            inv,
            customer.as_ref(),
            timeline.as_deref(),
            self.country().await?,
        );
        if with_timeline {
            view.rest_link = self
                .inner
                .store
                .rest_link(&inv.id)
                .await?
                .map(|r| r.id.to_string());
        }
        Ok(view)
    }

    pub(crate) async fn secrets<T, F>(&self, f: F) -> Result<T>
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
    pub(crate) async fn save_secrets(
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

    /// Saves a record whose secrets live in the keyring (an account, a channel): its keys
    /// first, so that a keyring that refuses leaves nothing written, then its row; when
    /// the row cannot be written, the keys are taken back.
    pub(crate) async fn insert_with_secrets(
        &self,
        holder: Holder,
        secrets: Vec<(String, SecretString)>,
        insert_row: impl std::future::Future<Output = paydesk_store::Result<()>>,
    ) -> Result<()> {
        let names = secrets.iter().map(|(k, _)| k.clone()).collect();
        self.save_secrets(holder.clone(), secrets).await?;
        if let Err(e) = insert_row.await {
            let _ = self.delete_secrets(holder, names).await;
            return Err(e.into());
        }
        Ok(())
    }

    /// Deletes an account's or channel's secrets from the keyring.
    pub(crate) async fn delete_secrets(&self, holder: Holder, names: Vec<String>) -> Result<()> {
        self.secrets(move |s| {
            for key in &names {
                s.delete(holder.owner(), key)?;
            }
            Ok(())
        })
        .await
    }

    /// Per secret name: `set`, `missing`, or `unknown` when the keyring does not answer.
    pub(crate) async fn secret_states(
        &self,
        holder: Holder,
        names: &'static [&'static str],
    ) -> BTreeMap<String, SecretState> {
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
                .map(|(n, set)| {
                    let state = if set {
                        SecretState::Set
                    } else {
                        SecretState::Missing
                    };
                    (n, state)
                })
                .collect(),
            Err(e) => {
                tracing::warn!(error = %e, "keyring did not answer");
                names
                    .iter()
                    .map(|n| (n.to_string(), SecretState::Unknown))
                    .collect()
            }
        }
    }
}
