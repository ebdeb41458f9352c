//! Status sync: one pass over every invoice that can still change, and the loop that
//! runs passes; batches and back-off are their own modules.

mod backoff;
mod batch;
mod lease;

use std::{collections::BTreeMap, sync::Arc};

use chrono::{DateTime, Duration, Utc};
use paydesk_core::{Invoice, ProviderKind, Source};
use paydesk_providers::ProviderError;

use crate::{
    context::{failpoint, internal},
    error::Result,
    Engine, SyncError, SyncErrorKind, SyncReport, DEFAULT_SYNC_INTERVAL,
};
use batch::{AccountRun, Checked};

/// How long an expired invoice is still watched for late money.
pub const LATE_PAYMENT_GRACE: Duration = Duration::days(7);
/// How often a paid invoice is asked about again (a refund or chargeback made in the
/// provider's console), and for how long after its last change.
pub const SETTLED_RECHECK: Duration = Duration::hours(6);
pub const REFUND_WINDOW: Duration = Duration::days(90);
/// How many invoices one sync pass looks at, at most (bounded work per pass).
pub const MAX_PER_PASS: i64 = 1000;
/// How many requests sync keeps in flight to one provider account at a time.
pub const PER_ACCOUNT_CONCURRENCY: usize = 4;
/// How many invoices sync asks a provider about in one request, where it can.
pub const BATCH: usize = 50;

impl Engine {
    /// One pass over every invoice that can still change: asks its provider, applies
    /// what changed with its audit entry, marks local expiry, and finishes drafts whose
    /// creation was interrupted (looking their order id up first).
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn sync_once(&self) -> Result<SyncReport> {
        let _one_at_a_time = self.inner.sync_lock.lock().await;
        failpoint("sync:pass");
        let now = Utc::now();
        // The pass takes the invoices checked longest ago (fair to a big book), then asks
        // about them soonest deadline first.
        let mut due = self
            .inner
            .store
            .invoices_to_sync(
                now,
                &paydesk_store::SyncWindow {
                    late_grace: LATE_PAYMENT_GRACE,
                    settled_every: SETTLED_RECHECK,
                    refund_window: REFUND_WINDOW,
                },
                MAX_PER_PASS,
            )
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
        let mut waiting: BTreeMap<String, (String, ProviderKind, DateTime<Utc>)> = BTreeMap::new();
        let mut batches: Vec<(AccountRun, Vec<Invoice>)> = Vec::new();
        let mut open: BTreeMap<String, usize> = BTreeMap::new();
        // Accounts another counter of the shared store polls (its lease).
        let mut elsewhere: std::collections::BTreeSet<String> = Default::default();
        for inv in due {
            if elsewhere.contains(&inv.account) {
                report.checked -= 1;
                continue;
            }
            if let Some(b) = self.backoff_of(&inv.account).filter(|b| b.until > now) {
                report.checked -= 1;
                waiting.entry(inv.account.clone()).or_insert((
                    inv.id.to_string(),
                    inv.provider,
                    b.until,
                ));
                continue;
            }
            let run = match providers.get(&inv.account) {
                Some(p) => p.clone(),
                None => {
                    let account = self.account_record("account", &inv.account).await?;
                    if !self.polls_here(&account).await? {
                        report.checked -= 1;
                        elsewhere.insert(inv.account.clone());
                        continue;
                    }
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
                                invoice_id: inv.id.to_string(),
                                account: inv.account.clone(),
                                provider: inv.provider,
                                kind: SyncErrorKind::Keys,
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
            let (kind, message) = match outcome {
                Checked::Provider(ref e) if self.another_counters_sandbox(&inv, e) => {
                    skipped += 1;
                    continue;
                }
                Checked::Skipped => {
                    skipped += 1;
                    continue;
                }
                Checked::Changed(after) => {
                    report.changed.push(self.publish(&after).await?);
                    continue;
                }
                Checked::Unchanged => continue,
                Checked::Provider(e) => {
                    let kind = match e {
                        ProviderError::Unavailable { .. } | ProviderError::NotReached { .. } => {
                            SyncErrorKind::Unreachable
                        }
                        ProviderError::Auth { .. } => SyncErrorKind::Keys,
                        _ => SyncErrorKind::Invoice,
                    };
                    (kind, e.to_string())
                }
                Checked::Local(e) => {
                    tracing::error!(invoice = %inv.id, error = %e, "local database failed during sync");
                    (SyncErrorKind::Local, e.to_string())
                }
            };
            // The invoice's last error, where the database still takes it.
            if let Err(e) = self
                .inner
                .store
                .record_error(&inv.id, Utc::now(), Source::Sync, &message)
                .await
            {
                tracing::warn!(invoice = %inv.id, error = %e, "could not record the sync error");
            }
            report.errors.push(SyncError {
                invoice_id: inv.id.to_string(),
                account: inv.account.clone(),
                provider: inv.provider,
                kind,
                message,
            });
        }
        report.checked -= skipped;
        // Backoff: doubled for every account that stopped answering, cleared for the rest.
        for (account, run) in &providers {
            self.note_pass(
                account,
                run.tripped.load(std::sync::atomic::Ordering::SeqCst),
            );
        }
        for (account, (invoice_id, provider, until)) in waiting {
            report.errors.push(SyncError {
                invoice_id,
                account: account.clone(),
                provider,
                kind: SyncErrorKind::Unreachable,
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

    /// Syncs until `stop`: every `every`, or (None) every `sync_interval` seconds as the
    /// merchant set it, read again after each pass so a change applies at once.
    pub async fn run_sync(
        &self,
        every: Option<std::time::Duration>,
        stop: impl std::future::Future<Output = ()>,
    ) {
        tokio::pin!(stop);
        loop {
            // Each pass is a task of its own: one that fails, even by a bug (a panic), is
            // reported to the window and the next pass runs as usual.
            let engine = self.clone();
            let failure = match tokio::spawn(async move { engine.sync_once().await }).await {
                Ok(Ok(_)) => None,
                Ok(Err(e)) => Some((
                    e.to_string(),
                    matches!(
                        e,
                        crate::EngineError::Store(paydesk_store::StoreError::Unreachable(_))
                    ),
                )),
                Err(e) => Some((
                    format!(
                        "the sync pass stopped unexpectedly ({}); it runs again",
                        panic_text(e)
                    ),
                    false,
                )),
            };
            if let Some((f, store_unreachable)) = failure {
                tracing::error!(error = %f, "sync pass failed");
                let _ = self.inner.sync_reports.send(SyncReport {
                    failure: Some(f),
                    store_unreachable,
                    ..Default::default()
                });
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
}

/// What a task that panicked said, as far as it can be told.
fn panic_text(e: tokio::task::JoinError) -> String {
    match e.try_into_panic() {
        Ok(p) => p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".into()),
        Err(e) => e.to_string(),
    }
}
