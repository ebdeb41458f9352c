//! On a shared store, one counter polls each provider account: the first sync pass to
//! take an account's lease keeps it for as long as its process runs (a PostgreSQL
//! session lock, so it moves to another counter as soon as the holder stops, however
//! it stops), and the other counters leave that account's invoices alone — the
//! provider's rate limits hold for the whole shop. While a store server runs
//! (`paydesk serve`, always on), it polls for the shop: the counters let their leases
//! go and poll nothing. A file of its own needs no lease.

use paydesk_core::{Invoice, ProviderKind};
use paydesk_providers::ProviderError;
use paydesk_store::{AccountRecord, Backend};

use crate::{error::Result, Engine};

/// The lease the store server holds while it runs.
const SERVER_LEASE: &str = "store-server";

impl Engine {
    /// Whether this process polls `account` (holding its lease, or taking it now).
    pub(crate) async fn polls_here(&self, account: &AccountRecord) -> Result<bool> {
        // The sandbox is each counter's own, in its data folder.
        if self.inner.store.backend() != Backend::Postgres
            || account.provider == ProviderKind::Sandbox
        {
            return Ok(true);
        }
        if !self.is_store_server() && self.store_server_runs().await? {
            // The store server polls for the shop: what this counter held goes to it.
            self.inner.leases.lock().await.clear();
            return Ok(false);
        }
        if self.inner.leases.lock().await.contains_key(&account.name) {
            return Ok(true);
        }
        let Some(lease) = self
            .inner
            .store
            .try_claim(&format!("poll:{}", account.name))
            .await?
        else {
            return Ok(false);
        };
        tracing::info!(account = %account.name, "this counter polls the account");
        self.inner
            .leases
            .lock()
            .await
            .insert(account.name.clone(), lease);
        Ok(true)
    }

    /// Makes this process the shop's store server: it holds the server's own lease while
    /// it runs, so the counters leave polling to it. `false` while another server runs.
    pub async fn become_store_server(&self) -> Result<bool> {
        if self.inner.store.backend() != Backend::Postgres {
            return Ok(true);
        }
        let Some(lease) = self.inner.store.try_claim(SERVER_LEASE).await? else {
            return Ok(false);
        };
        self.inner
            .leases
            .lock()
            .await
            .insert(SERVER_LEASE.to_string(), lease);
        self.inner
            .store_server
            .store(true, std::sync::atomic::Ordering::SeqCst);
        Ok(true)
    }

    fn is_store_server(&self) -> bool {
        self.inner
            .store_server
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Whether a store server holds its lease.
    async fn store_server_runs(&self) -> Result<bool> {
        Ok(self.inner.store.claim_held(SERVER_LEASE).await?)
    }

    /// A sandbox link another counter of the shared store made: its pretend payment is
    /// in that counter's own folder, so this counter's sandbox does not know it — not an
    /// error of the invoice, and nothing to change.
    pub(crate) fn another_counters_sandbox(&self, inv: &Invoice, e: &ProviderError) -> bool {
        inv.provider == ProviderKind::Sandbox
            && self.inner.store.backend() == Backend::Postgres
            && matches!(e, ProviderError::NotFound { .. })
    }
}
