//! Applying the provider's view (or a local decision) to an invoice, with its audit
//! entry; the rules of what moves where are `paydesk_core::lifecycle`.

use chrono::{DateTime, Utc};
use paydesk_core::{lifecycle, Invoice, PaymentFlags, Source, Status};
use paydesk_providers::{ProviderError, RemoteInvoice};
use paydesk_store::InvoiceUpdate;

use crate::{error::Result, Engine, EngineError};

/// A refund PayDesk has just asked for, as the provider made it.
pub(crate) struct AskedRefund {
    /// What it gives back, in minor units of the invoice's currency.
    pub minor: i64,
    /// Where the customer claims it (BTCPay's pull payment page).
    pub claim_url: Option<String>,
    /// An earlier attempt, whose answer was lost, had made it.
    pub earlier: bool,
}

impl Engine {
    /// Applies the provider's view of an invoice (with local expiry on top).
    pub(crate) async fn apply_remote(
        &self,
        local: &Invoice,
        remote: &RemoteInvoice,
        source: Source,
    ) -> Result<Invoice> {
        self.apply_remote_refund(local, remote, source, None).await
    }

    /// `apply_remote` after PayDesk asked the provider for a refund (its amount is
    /// counted where the provider reports no refunded figure of its own).
    pub(crate) async fn apply_remote_refund(
        &self,
        local: &Invoice,
        remote: &RemoteInvoice,
        source: Source,
        refund: Option<&AskedRefund>,
    ) -> Result<Invoice> {
        let updates = plan_remote(local, remote, source, refund, Utc::now())?;
        let updates: Vec<(String, InvoiceUpdate)> = updates
            .into_iter()
            .map(|u| (local.id.to_string(), u))
            .collect();
        let mut after = None;
        for applied in self
            .inner
            .store
            .apply_updates(&updates, &[], Utc::now())
            .await?
        {
            after = Some(applied?.after);
        }
        after.ok_or_else(|| EngineError::Internal("no update was planned".into()))
    }

    pub(crate) async fn set_status(
        &self,
        inv: &Invoice,
        status: Status,
        detail: &str,
    ) -> Result<Invoice> {
        self.set_status_source(inv, status, Source::User, detail)
            .await
    }

    pub(crate) async fn set_status_source(
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
                    refunded_minor: inv.refunded.minor(),
                    provider_id: None,
                    payment_url: None,
                    payment_number: None,
                    refund_url: None,
                    source,
                    detail: Some(detail.into()),
                    at: Utc::now(),
                },
            )
            .await?
            .after)
    }
}

/// The updates that bring `local` to what the provider said (`remote`): checked first
/// (a currency or an amount no invoice can hold is the provider's error, nothing is
/// planned), then, for a draft that moved on at once, its opening before the rest, so
/// its history shows every step.
pub(crate) fn plan_remote(
    local: &Invoice,
    remote: &RemoteInvoice,
    source: Source,
    refund: Option<&AskedRefund>,
    now: DateTime<Utc>,
) -> Result<Vec<InvoiceUpdate>> {
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
    // An amount the provider reports that no invoice can hold is its error: nothing
    // is written (the invoice would no longer be readable).
    if let Err(e) = paydesk_core::Money::from_minor(remote.paid_minor, local.amount.currency()) {
        return Err(EngineError::from_provider(
            ProviderError::Malformed {
                provider: local.provider,
                field: "paid".into(),
                message: format!("{} minor units: {e}", remote.paid_minor),
            },
            true,
        ));
    }
    let (status, flags, mut detail) = lifecycle::target_of(local, remote, now);
    let refunded = lifecycle::refunded_of(local, remote, refund.map(|r| r.minor));
    let status = lifecycle::refund_settled(status, refunded, remote.paid_minor);
    if refund.is_some_and(|r| r.earlier) {
        detail.push_str("; an earlier request had made this refund (its answer was lost)");
    }
    let mut updates = Vec::with_capacity(2);
    // A draft is first opened, then moved on, so its history shows every step.
    if local.status == Status::Draft
        && status != Status::Open
        && Status::Draft.check_transition(status).is_err()
    {
        updates.push(InvoiceUpdate {
            status: Status::Open,
            flags: PaymentFlags::default(),
            paid_minor: 0,
            refunded_minor: 0,
            provider_id: Some(remote.provider_id.clone()),
            payment_url: remote.payment_url.clone(),
            payment_number: remote.payment_number.clone(),
            refund_url: None,
            source,
            detail: Some(format!("{}: created", local.provider)),
            at: now,
        });
    }
    updates.push(InvoiceUpdate {
        status,
        flags,
        paid_minor: remote.paid_minor,
        refunded_minor: refunded,
        provider_id: Some(remote.provider_id.clone()),
        payment_url: remote.payment_url.clone(),
        payment_number: remote.payment_number.clone(),
        refund_url: refund.and_then(|r| r.claim_url.clone()),
        source,
        detail: Some(detail),
        at: now,
    });
    Ok(updates)
}
