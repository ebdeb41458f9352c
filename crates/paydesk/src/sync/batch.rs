//! One batch of one account's invoices: asked in one request where the provider can,
//! one by one otherwise, each change applied with its audit entry.

use std::{collections::BTreeMap, sync::Arc};

use chrono::{DateTime, Utc};
use paydesk_core::{lifecycle, Invoice, Source, Status};
use paydesk_providers::{Provider, ProviderError, RemoteInvoice};

use crate::{context::failpoint, context::Limiter, invoices::plan_remote, Engine, EngineError};
use paydesk_store::InvoiceUpdate;

/// What one sync pass keeps per account.
#[derive(Clone)]
pub(crate) struct AccountRun {
    pub(crate) provider: Arc<dyn Provider>,
    pub(crate) limit: Arc<tokio::sync::Semaphore>,
    pub(crate) limiter: Option<Arc<Limiter>>,
    /// Set once the provider stops answering: the rest of the pass leaves it alone.
    pub(crate) tripped: Arc<std::sync::atomic::AtomicBool>,
}

/// What checking one invoice came to.
#[derive(Debug)]
pub(crate) enum Checked {
    /// Left alone: its provider stopped answering earlier in the pass.
    Skipped,
    Unchanged,
    Changed(Box<Invoice>),
    /// The provider refused, did not answer, or answered something unreadable.
    Provider(ProviderError),
    /// PayDesk's own database failed: not the provider's fault, so no back-off.
    Local(EngineError),
}

/// Why checking one invoice stopped: the provider, or PayDesk itself.
#[derive(Debug)]
pub(crate) enum CheckError {
    Provider(ProviderError),
    Local(EngineError),
}

impl From<ProviderError> for CheckError {
    fn from(e: ProviderError) -> Self {
        CheckError::Provider(e)
    }
}

impl From<paydesk_store::StoreError> for CheckError {
    fn from(e: paydesk_store::StoreError) -> Self {
        CheckError::Local(e.into())
    }
}

impl From<std::result::Result<Option<Invoice>, CheckError>> for Checked {
    fn from(r: std::result::Result<Option<Invoice>, CheckError>) -> Self {
        match r {
            Ok(Some(after)) => Checked::Changed(Box::new(after)),
            Ok(None) => Checked::Unchanged,
            Err(CheckError::Provider(e)) => Checked::Provider(e),
            Err(CheckError::Local(e)) => Checked::Local(e),
        }
    }
}

impl Engine {
    /// Checks a batch of one account's invoices: one request for all of them where the
    /// provider can list by order id, one each otherwise (and for any it did not list).
    pub(crate) async fn check_batch(
        &self,
        run: AccountRun,
        invoices: Vec<Invoice>,
        now: DateTime<Utc>,
    ) -> Vec<(Invoice, Checked)> {
        use std::sync::atomic::Ordering;
        let mut out = Vec::with_capacity(invoices.len());
        let mut listed: BTreeMap<String, RemoteInvoice> = BTreeMap::new();
        if invoices.len() > 1 {
            let Ok(_permit) = run.limit.acquire().await else {
                return invoices
                    .into_iter()
                    .map(|i| (i, Checked::Skipped))
                    .collect();
            };
            if run.tripped.load(Ordering::SeqCst) {
                return invoices
                    .into_iter()
                    .map(|i| (i, Checked::Skipped))
                    .collect();
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
                        .map(|i| (i, Checked::Provider(e.clone())))
                        .collect();
                }
                // The list was refused or unreadable: ask one by one, so that one odd
                // invoice never hides the others.
                Err(e) => {
                    tracing::warn!(error = %e, "batch lookup failed; asking one by one");
                }
            }
        }
        // What the list said is applied for the whole batch in one transaction (each
        // change still checked and audited on its own); the rest is asked one by one.
        let mut unchanged = Vec::new();
        let mut planned: Vec<(Invoice, std::ops::Range<usize>)> = Vec::new();
        let mut updates: Vec<(String, InvoiceUpdate)> = Vec::new();
        let applied_at = Utc::now();
        for inv in invoices {
            let remote = listed
                .remove(inv.order_id.as_str())
                .filter(|r| Some(&r.provider_id) == inv.provider_id.as_ref());
            let outcome = match remote {
                Some(r) => {
                    failpoint("sync:after-provider");
                    if lifecycle::leaves_unchanged(&inv, &r, applied_at) {
                        unchanged.push(inv.id.to_string());
                        out.push((inv, Checked::Unchanged));
                        continue;
                    }
                    match plan_remote(&inv, &r, Source::Sync, None, applied_at) {
                        Ok(mine) => {
                            let at = updates.len();
                            updates.extend(mine.into_iter().map(|u| (inv.id.to_string(), u)));
                            planned.push((inv, at..updates.len()));
                            continue;
                        }
                        Err(e) => Err(not_applied(&inv, e)),
                    }
                }
                None => {
                    let Ok(_permit) = run.limit.acquire().await else {
                        out.push((inv, Checked::Skipped));
                        continue;
                    };
                    if run.tripped.load(Ordering::SeqCst) {
                        out.push((inv, Checked::Skipped));
                        continue;
                    }
                    if let Some(l) = &run.limiter {
                        l.until_ready().await;
                    }
                    let outcome = self.sync_invoice(&inv, run.provider.as_ref(), now).await;
                    if matches!(&outcome, Err(CheckError::Provider(e)) if e.unreachable()) {
                        run.tripped.store(true, Ordering::SeqCst);
                    }
                    outcome
                }
            };
            out.push((inv, outcome.into()));
        }
        if planned.is_empty() {
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
            return out;
        }
        match self
            .inner
            .store
            .apply_updates(&updates, &unchanged, Utc::now())
            .await
        {
            Ok(results) => {
                // In the order planned: each invoice's updates follow one another.
                let mut results = results.into_iter();
                for (inv, range) in planned {
                    let mut outcome = Ok(None);
                    for r in results.by_ref().take(range.len()) {
                        match (r, &mut outcome) {
                            (Ok(applied), Ok(last)) => *last = Some(applied),
                            (Err(e), Ok(_)) => outcome = Err(not_applied(&inv, e.into())),
                            (_, Err(_)) => {}
                        }
                    }
                    let outcome = outcome.map(|applied| {
                        applied.and_then(|a| lifecycle::changed(&inv, &a.after).then_some(a.after))
                    });
                    out.push((inv, outcome.into()));
                }
            }
            // The database failed: none of the batch was written.
            Err(e) => {
                let e = EngineError::from(e);
                for (inv, _) in planned {
                    out.push((inv, Checked::Local(EngineError::Internal(e.to_string()))));
                }
            }
        }
        out
    }

    /// Asks the provider about one invoice (a draft: finishes its creation) and applies
    /// the answer.
    pub(crate) async fn sync_invoice(
        &self,
        inv: &Invoice,
        provider: &dyn Provider,
        now: DateTime<Utc>,
    ) -> std::result::Result<Option<Invoice>, CheckError> {
        let Some(pid) = &inv.provider_id else {
            return self.finish_draft(inv, provider, now).await;
        };
        let remote = provider.get(pid).await?;
        self.apply_checked(inv, remote, None).await
    }

    /// Finishes a draft's creation: leaves it alone while another create of it is in
    /// flight (here or in another process), adopts what the provider already holds
    /// under its order id, and otherwise creates it — once.
    async fn finish_draft(
        &self,
        inv: &Invoice,
        provider: &dyn Provider,
        now: DateTime<Utc>,
    ) -> std::result::Result<Option<Invoice>, CheckError> {
        let Some(claim) = self
            .claim_create(&inv.id)
            .await
            .map_err(CheckError::Local)?
        else {
            return Ok(None);
        };
        // Read again under the claim: the create that held it may just have finished.
        let fresh = self.inner.store.invoice(inv.id.as_str()).await?;
        if fresh.status != Status::Draft || fresh.provider_id.is_some() {
            claim.release();
            return Ok(None);
        }
        let inv = &fresh;
        let attempted = self
            .inner
            .store
            .create_attempted_at(&inv.id)
            .await?
            .is_some();
        let remote = match self.lookup_draft(inv, provider, attempted).await? {
            Some(r) => r,
            None if now < inv.expires_at => {
                let customer = self.customer_of(inv).await.ok().flatten();
                self.inner
                    .store
                    .mark_create_attempt(&inv.id, Utc::now())
                    .await?;
                let req = self
                    .create_request(inv, customer.as_ref())
                    .await
                    .map_err(CheckError::Local)?;
                match provider.create(&req).await {
                    Ok(r) => r,
                    Err(e @ ProviderError::NotReached { .. }) => {
                        // Nothing reached the provider: the draft is as it was.
                        let _ = self.inner.store.clear_create_attempt(&inv.id).await;
                        return Err(e.into());
                    }
                    // Refused after an earlier attempt (a duplicate order id, say):
                    // the provider may hold that one after all, so look once more.
                    // Never `failed` while the provider may hold a payable link.
                    Err(e @ ProviderError::Rejected { .. }) if attempted => {
                        match provider.find_by_order_id(&inv.order_id).await {
                            Ok(Some(r)) => r,
                            _ => return Err(e.into()),
                        }
                    }
                    Err(e) => return Err(e.into()),
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
                claim.release();
                return Ok(after.ok());
            }
        };
        let applied = self.apply_checked(inv, remote, None).await;
        if applied.is_ok() {
            claim.release();
        }
        applied
    }

    /// Applies what the provider said about one invoice (from a lookup or a list).
    /// A local failure stays local; an answer PayDesk cannot apply (another currency, a
    /// transition the lifecycle forbids) is the provider's.
    pub(crate) async fn apply_checked(
        &self,
        inv: &Invoice,
        remote: RemoteInvoice,
        unchanged: Option<&mut Vec<String>>,
    ) -> std::result::Result<Option<Invoice>, CheckError> {
        failpoint("sync:after-provider");
        // Nothing to change: only "checked now" is written, with the batch's others.
        if let Some(pending) = unchanged {
            if lifecycle::leaves_unchanged(inv, &remote, Utc::now()) {
                pending.push(inv.id.to_string());
                return Ok(None);
            }
        }
        let before = inv.clone();
        match self.apply_remote(inv, &remote, Source::Sync).await {
            Ok(after) => Ok(lifecycle::changed(&before, &after).then_some(after)),
            Err(e) => Err(not_applied(inv, e)),
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
        attempted: bool,
    ) -> std::result::Result<Option<RemoteInvoice>, CheckError> {
        if !attempted {
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
            }
            .into()),
            other => Ok(other?),
        }
    }
}

/// Why an answer was not applied: PayDesk's own failure stays local; an answer PayDesk
/// cannot apply (another currency, a transition the lifecycle forbids) is the provider's.
fn not_applied(inv: &Invoice, e: EngineError) -> CheckError {
    match e {
        e @ (EngineError::Store(_) | EngineError::Internal(_) | EngineError::Keyring(_)) => {
            CheckError::Local(e)
        }
        e => CheckError::Provider(ProviderError::Malformed {
            provider: inv.provider,
            field: "status".into(),
            message: e.to_string(),
        }),
    }
}
