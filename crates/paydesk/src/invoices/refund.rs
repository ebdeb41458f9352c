//! Refunding a paid invoice, in full or in part, through its provider.

use crate::{error::Result, Engine, EngineError, InvoiceView};
use paydesk_core::{InputCode, InputError, Source, Status};

impl Engine {
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
        if !matches!(inv.status, Status::Paid | Status::PartiallyRefunded) {
            return Err(EngineError::input(
                "id",
                format!("is {} and cannot be refunded", inv.status),
            ));
        }
        let amount = paydesk_core::input::optional_amount("amount", amount, inv.amount.currency())?;
        // Never more than the customer paid: refused here, not sent to the provider.
        if let Some(a) = amount.filter(|a| a.minor() > inv.paid.minor()) {
            return Err(EngineError::input(
                "amount",
                format!(
                    "{} is more than the {} paid",
                    a.to_display(),
                    inv.paid.to_display()
                ),
            ));
        }
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
}
