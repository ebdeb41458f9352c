//! Cancelling a link: a draft locally (after making sure the provider has nothing),
//! an open one at its provider.

use crate::{error::Result, Engine, EngineError, InvoiceView};
use paydesk_core::{InputCode, InputError, Source, Status};
use paydesk_providers::ProviderError;

impl Engine {
    /// Cancels a link: a queued draft locally, an open one at its provider.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn cancel(&self, key: &str) -> Result<InvoiceView> {
        let inv = self.find(key).await?;
        if inv.provider_id.is_some() && !paydesk_providers::spec(inv.provider).capabilities.cancel {
            return Err(InputError::new(
                "id",
                format!(
                    "{} invoices cannot be cancelled from PayDesk; they expire at their deadline",
                    inv.provider
                ),
            )
            .code(InputCode::Unsupported)
            .into());
        }
        if !inv.status.is_cancellable() {
            return Err(EngineError::coded(
                "id",
                InputCode::NotNow,
                format!("is {} and cannot be cancelled", inv.status),
            ));
        }
        if !inv.cancellable() {
            return Err(EngineError::coded(
                "id",
                InputCode::HasMoney,
                format!(
                    "has {} paid on it, which a cancelled invoice could never give back: ask for the rest, or refund it once its link has expired",
                    inv.paid.to_display()
                ),
            ));
        }
        // A draft is cancelled under its create claim, never while a create of it is
        // in flight (its answer would reopen what the clerk cancelled).
        let claim = match (&inv.provider_id, inv.status) {
            (None, Status::Draft) => Some(self.claim_create(&inv.id).await?.ok_or_else(|| {
                EngineError::coded(
                    "id",
                    InputCode::Busy,
                    "is being created at its provider right now; try again in a moment",
                )
            })?),
            _ => None,
        };
        // Read again under the claim: a create that just finished opened it.
        let (inv, claim) = match claim {
            Some(c) => {
                let fresh = self.find(inv.id.as_str()).await?;
                if fresh.status == Status::Draft {
                    (fresh, Some(c))
                } else {
                    c.release();
                    (fresh, None)
                }
            }
            None => (inv, None),
        };
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
                            "{} still reports the invoice as {} ({}), so it is not cancelled; check it at the provider",
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
        if let Some(c) = claim {
            c.release();
        }
        self.publish(&after).await?;
        self.drop_queued_deliveries(&after.id, "not sent: the link was cancelled")
            .await?;
        self.invoice(&after.id).await
    }
}
