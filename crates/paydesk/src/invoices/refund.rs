//! Refunding a paid invoice, in full or in part, through its provider.

use crate::invoices::reconcile::AskedRefund;
use crate::{error::Result, Engine, EngineError, InvoiceView};
use chrono::Utc;
use paydesk_core::{InputCode, InputError, Source};
use paydesk_core::{Invoice, Money};
use paydesk_providers::{Provider, RefundRequest};

impl Engine {
    /// Gives money back: all that is left, or `amount`; refused before the provider when more than is left.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn refund(&self, key: &str, amount: Option<&str>) -> Result<InvoiceView> {
        let inv = self.find(key).await?;
        let caps = paydesk_providers::spec(inv.provider).capabilities;
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
            .code(InputCode::Unsupported)
            .into());
        }
        if !inv.refund_requested.is_zero() {
            return Err(EngineError::input(
                "id",
                format!(
                    "already has a refund of {} asked of {} and not yet done there",
                    inv.refund_requested.to_display(),
                    inv.provider
                ),
            ));
        }
        if !inv.refundable() {
            return Err(EngineError::input(
                "id",
                format!("is {} and cannot be refunded", inv.status),
            ));
        }
        let amount = paydesk_core::input::optional_amount("amount", amount, inv.amount.currency())?;
        // Never more than is left of what the customer paid: refused here, not sent to
        // the provider.
        let left = inv.kept();
        if let Some(a) = amount.filter(|a| a.minor() > left.minor()) {
            return Err(InputError::new(
                "amount",
                format!(
                    "{} is more than the {} that can still be refunded",
                    a.to_display(),
                    left.to_display()
                ),
            )
            .code(InputCode::RefundOverLeft)
            .into());
        }
        if amount.is_some_and(|a| a.is_zero()) {
            return Err(EngineError::input("amount", "must be more than zero"));
        }
        let pid = inv
            .provider_id
            .clone()
            .ok_or_else(|| EngineError::Internal("a paid invoice has no provider id".into()))?;
        let account = self.account_record("account", &inv.account).await?;
        let provider = self.provider_for(&account).await?;
        // The same on every retry of this refund (until one is recorded): a provider that
        // keeps it finds the refund a lost answer had made instead of making a second.
        let reference = format!("paydesk-refund:{}:{}", inv.id, inv.refunded.minor());
        if caps.refund_later {
            return self
                .refund_later(&inv, provider.as_ref(), amount, left, &reference)
                .await;
        }
        let done = provider
            .refund(&RefundRequest {
                provider_id: &pid,
                amount,
                left,
                reference: &reference,
            })
            .await
            .map_err(|e| EngineError::from_provider(e, true))?;
        let asked = AskedRefund {
            minor: done.amount.unwrap_or(left).minor().min(left.minor()),
            claim_url: done.claim_url.clone(),
            earlier: done.earlier,
        };
        let after = self
            .apply_remote_refund(&inv, &done.invoice, Source::User, Some(&asked))
            .await?;
        self.publish(&after).await?;
        self.invoice(&after.id).await
    }

    /// A refund the provider does later (PIPE): the request is written first, so that a
    /// lost answer can never lead to a second one, and taken back only when the provider
    /// refused it; the refund counts once sync sees the provider show it done.
    async fn refund_later(
        &self,
        inv: &Invoice,
        provider: &dyn Provider,
        amount: Option<Money>,
        left: Money,
        reference: &str,
    ) -> Result<InvoiceView> {
        let asked = amount.unwrap_or(left);
        let pid = inv.provider_id.as_deref().unwrap_or_default();
        let requested = self
            .inner
            .store
            .request_refund(
                &inv.id,
                asked.minor(),
                &format!("refund of {} asked of {}", asked.to_display(), inv.provider),
                Utc::now(),
            )
            .await?;
        if !requested {
            return Err(EngineError::input(
                "id",
                format!("already has a refund asked of {}", inv.provider),
            ));
        }
        let asking = provider
            .refund(&RefundRequest {
                provider_id: pid,
                amount,
                left,
                reference,
            })
            .await;
        if let Err(e) = asking {
            // Refused or never sent: nothing is waiting at the provider. No answer: it
            // may be, and the request stays until the provider shows it done.
            if !e.outcome_unknown() {
                self.inner
                    .store
                    .drop_refund_request(
                        &inv.id,
                        &format!("refund request refused: {e}"),
                        Utc::now(),
                    )
                    .await?;
            }
            let after = self.inner.store.invoice(&inv.id).await?;
            self.publish(&after).await?;
            return Err(EngineError::from_provider(e, true));
        }
        let after = self.inner.store.invoice(&inv.id).await?;
        self.publish(&after).await?;
        self.invoice(&after.id).await
    }
}
