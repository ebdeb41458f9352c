//! Refunding a paid invoice, in full or in part, through its provider.

use crate::invoices::reconcile::AskedRefund;
use crate::{error::Result, Engine, EngineError, InvoiceView, RefundInput};
use chrono::Utc;
use paydesk_core::{InputCode, InputError, Source};
use paydesk_core::{Invoice, InvoiceKind, Money, RefundAccount, RefundAccountFields};
use paydesk_providers::{Provider, RefundRequest};

impl Engine {
    /// Gives money back: all that is left, or `amount`; refused before the provider when more than is left.
    pub async fn refund(&self, key: &str, amount: Option<&str>) -> Result<InvoiceView> {
        self.refund_with(
            key,
            &RefundInput {
                amount: amount.map(str::to_string),
                ..Default::default()
            },
        )
        .await
    }

    /// [`Engine::refund`] with everything the refund form can say: the amount, and the
    /// customer's bank account a cash payment goes back to (never logged or saved).
    #[tracing::instrument(level = "debug", skip(self, input), fields(amount = ?input.amount), err(level = "info"))]
    pub async fn refund_with(&self, key: &str, input: &RefundInput) -> Result<InvoiceView> {
        let amount = input.amount.as_deref();
        let to_account = RefundAccount::parse(RefundAccountFields {
            holder: input.refund_holder.as_deref(),
            bank: input.refund_bank.as_deref(),
            number: input.refund_account.as_deref(),
        })
        .map_err(EngineError::Input)?;
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
            return Err(EngineError::coded(
                "id",
                InputCode::RefundAsked,
                format!(
                    "already has a refund of {} asked of {} and not yet done there",
                    inv.refund_requested.to_display(),
                    inv.provider
                ),
            ));
        }
        if !inv.refundable() {
            return Err(EngineError::coded(
                "id",
                InputCode::NotNow,
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
            return Err(EngineError::coded(
                "amount",
                InputCode::Zero,
                "must be more than zero",
            ));
        }
        // A cash payment goes back by transfer: to an account the clerk names, checked here
        // before the provider is asked.
        let needs_account = caps.cash_refund_account && inv.kind == InvoiceKind::Cvs;
        if needs_account && to_account.is_none() {
            return Err(InputError::new(
                "refund_account",
                format!(
                    "{} gives a convenience-store (cash) payment back by bank transfer: the \
                     customer's account holder, bank and account number are needed",
                    inv.provider
                ),
            )
            .code(InputCode::RefundAccountNeeded)
            .into());
        }
        let to_account = to_account.filter(|_| needs_account);
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
                to_account: to_account.as_ref(),
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
            return Err(EngineError::coded(
                "id",
                InputCode::RefundAsked,
                format!("already has a refund asked of {}", inv.provider),
            ));
        }
        let asking = provider
            .refund(&RefundRequest {
                provider_id: pid,
                amount,
                left,
                reference,
                to_account: None,
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
