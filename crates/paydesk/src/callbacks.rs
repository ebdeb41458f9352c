//! Provider callbacks, as the store server receives them: for a provider that only
//! calls back (BitroPay), each invoice gets a callback URL with a token of its own; a
//! callback is believed only with that token, for that invoice, at its price, and a
//! replay of an older status changes nothing.

use std::str::FromStr;

use chrono::Utc;
use paydesk_core::{lifecycle, Invoice, InvoiceId, ProviderKind, Source, Status};
use paydesk_providers::{bitropay, CreateRequest};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::{Engine, EngineError, InvoiceView};

/// Why a callback was turned away (each maps to an HTTP status; nothing was written).
#[derive(Debug, thiserror::Error)]
pub enum CallbackError {
    /// No such invoice of that provider (or a provider that does not call back).
    #[error("no such invoice")]
    NotFound,
    /// The token is not the invoice's.
    #[error("the callback's token is not this invoice's")]
    Forbidden,
    /// The body cannot be read.
    #[error("malformed callback: {0}")]
    Malformed(String),
    /// The body names another invoice, order or price.
    #[error("the callback does not match the invoice: {0}")]
    Mismatch(String),
    /// PayDesk's own failure (the store); the provider should call again.
    #[error(transparent)]
    Engine(#[from] EngineError),
}

impl CallbackError {
    /// The HTTP status the server answers with.
    pub fn http_status(&self) -> u16 {
        match self {
            CallbackError::NotFound => 404,
            CallbackError::Forbidden => 403,
            CallbackError::Malformed(_) => 400,
            CallbackError::Mismatch(_) => 422,
            CallbackError::Engine(_) => 503,
        }
    }
}

/// The SHA-256 of a callback token, in hex (what the store keeps).
fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Engine {
    /// The request that creates `inv` at its provider; for a provider that only calls
    /// back, with a callback URL of the invoice's own under the account's public URL
    /// (a new token for each attempt, its hash kept before the provider sees it).
    pub(crate) async fn create_request(
        &self,
        inv: &Invoice,
        customer: Option<&paydesk_core::Customer>,
    ) -> crate::Result<CreateRequest> {
        let mut req = CreateRequest::for_invoice(inv, customer);
        if !paydesk_providers::spec(inv.provider)
            .capabilities
            .status_by_callback
        {
            return Ok(req);
        }
        let account = self.account_record("account", &inv.account).await?;
        let Some(public) = account.settings.get("public_url").and_then(|v| v.as_str()) else {
            return Ok(req);
        };
        let mut raw = [0u8; 32];
        getrandom::fill(&mut raw)
            .map_err(|e| EngineError::Internal(format!("no OS randomness for a token: {e}")))?;
        let token = hex::encode(raw);
        self.inner
            .store
            .set_callback_token(inv.id.as_str(), &token_hash(&token))
            .await?;
        req.callback_url = Some(format!(
            "{}/callbacks/{}/{}?t={token}",
            public.trim_end_matches('/'),
            inv.provider,
            inv.id
        ));
        Ok(req)
    }

    /// A provider's callback about one invoice (`provider` and `invoice` from the
    /// callback URL's path, `token` from its query): checked, then applied with its
    /// audit entry. `Ok(None)`: believed, and nothing changed (a repeat, or an older
    /// status arriving late).
    #[tracing::instrument(level = "debug", skip(self, token, body), fields(bytes = body.len()), err(level = "info"))]
    pub async fn receive_callback(
        &self,
        provider: &str,
        invoice: &str,
        token: &str,
        body: &[u8],
    ) -> Result<Option<InvoiceView>, CallbackError> {
        let provider = ProviderKind::from_str(provider).map_err(|_| CallbackError::NotFound)?;
        if !paydesk_providers::spec(provider)
            .capabilities
            .status_by_callback
        {
            return Err(CallbackError::NotFound);
        }
        let id = InvoiceId::parse(invoice).ok_or(CallbackError::NotFound)?;
        let inv = match self.inner.store.invoice(id.as_str()).await {
            Ok(i) if i.provider == provider => i,
            Ok(_) | Err(paydesk_store::StoreError::NotFound { .. }) => {
                return Err(CallbackError::NotFound)
            }
            Err(e) => return Err(EngineError::from(e).into()),
        };
        let kept = self
            .inner
            .store
            .callback_token(id.as_str())
            .await
            .map_err(EngineError::from)?
            .ok_or(CallbackError::Forbidden)?;
        if !bool::from(token_hash(token).as_bytes().ct_eq(kept.as_bytes())) {
            return Err(CallbackError::Forbidden);
        }
        let seen =
            bitropay::read_callback(body).map_err(|e| CallbackError::Malformed(e.to_string()))?;
        let mut remote = seen.invoice;
        if inv.provider_id.as_deref() != Some(remote.provider_id.as_str()) {
            return Err(CallbackError::Mismatch("invoiceId".into()));
        }
        if !remote.order_id.is_empty() && remote.order_id != inv.order_id.as_str() {
            return Err(CallbackError::Mismatch("productId".into()));
        }
        if seen.price_minor.is_some_and(|p| p != inv.amount.minor()) {
            return Err(CallbackError::Mismatch("productPrice".into()));
        }
        // The callback names no money received: a payment that is not short is the
        // invoice's price (a short one's figure is unknown here).
        if matches!(
            remote.status,
            Status::Paid | Status::PaidUnconfirmed | Status::Refunded
        ) && !remote.flags.underpaid
        {
            remote.paid_minor = inv.amount.minor();
        }
        remote.currency = Some(inv.amount.currency());
        let now = Utc::now();
        let (target, _, _) = lifecycle::target_of(&inv, &remote, now);
        if lifecycle::leaves_unchanged(&inv, &remote, now) || !inv.status.can_move_to(target) {
            if target != inv.status {
                tracing::info!(invoice = %inv.id, from = %inv.status, to = %target, "an older status arrived late; left as it is");
            }
            return Ok(None);
        }
        let after = self.apply_remote(&inv, &remote, Source::Provider).await?;
        let view = self.publish(&after).await?;
        Ok(Some(view))
    }
}
