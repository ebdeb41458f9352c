//! Provider callbacks, as the store server receives them. For a provider that only
//! calls back (BitroPay), each invoice gets a callback URL with a token of its own; a
//! callback is believed only with that token, for that invoice, at its price. For the
//! others (BTCPay's signed webhooks, PortOne's and PIPE's notices) a callback is only
//! "check now": the invoice is read again from the provider, the body never believed.
//! A replay, or an older status arriving late, changes nothing.

use std::str::FromStr;

use chrono::Utc;
use paydesk_core::{lifecycle, Invoice, InvoiceId, ProviderKind, Source, Status};
use paydesk_providers::{bitropay, btcpay, CreateRequest};
use paydesk_secrets::Owner;
use secrecy::ExposeSecret;
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

/// A callback as the store server received it.
#[derive(Debug, Clone, Copy)]
pub struct IncomingCallback<'a> {
    /// The provider, from the URL's path (`/callbacks/{provider}/…`).
    pub provider: &'a str,
    /// The invoice (a provider that only calls back) or the account (the others), from
    /// the URL's path.
    pub key: &'a str,
    /// The URL's token (`?t=`), for a provider that only calls back.
    pub token: Option<&'a str>,
    /// The body's signature header (BTCPay: `BTCPay-Sig`).
    pub signature: Option<&'a str>,
    /// The raw body.
    pub body: &'a [u8],
}

/// Where a provider that sends notices (BTCPay webhooks, PortOne, PIPE) reaches the store
/// server for `account`, under the account's public URL.
pub(crate) fn notice_url(account: &str, provider: ProviderKind, public: &str) -> Option<String> {
    paydesk_providers::spec(provider)
        .capabilities
        .notices
        .then(|| {
            format!(
                "{}/callbacks/{provider}/{account}",
                public.trim_end_matches('/')
            )
        })
}

/// The provider's id of the invoice a notice names — the only thing read from its body:
/// BTCPay's `invoiceId` (under the account's `storeId`), PortOne's `imp_uid`, PIPE's
/// `invoice_id` (at the top or under `data`).
pub fn notice_names(
    provider: ProviderKind,
    store_id: Option<&str>,
    body: &[u8],
) -> Result<String, CallbackError> {
    let v: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| CallbackError::Malformed(e.to_string()))?;
    let field = |path: &[&str]| {
        path.iter()
            .try_fold(&v, |v, k| v.get(k))
            .and_then(|x| x.as_str())
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_string)
    };
    match provider {
        ProviderKind::Btcpay => {
            if field(&["storeId"]).as_deref() != store_id {
                return Err(CallbackError::Mismatch("storeId".into()));
            }
            field(&["invoiceId"])
        }
        ProviderKind::Portone => field(&["imp_uid"]),
        _ => field(&["data", "invoice_id"]).or_else(|| field(&["invoice_id"])),
    }
    .ok_or_else(|| CallbackError::Malformed("no invoice id".into()))
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
        let caps = paydesk_providers::spec(inv.provider).capabilities;
        if !caps.status_by_callback && !caps.notices {
            return Ok(req);
        }
        let account = self.account_record("account", &inv.account).await?;
        let Some(public) = account.settings.get("public_url").and_then(|v| v.as_str()) else {
            return Ok(req);
        };
        if !caps.status_by_callback {
            // Where the provider notifies the store server (PortOne's `notice_url`, PIPE's
            // `callback_url`; BTCPay's webhook is set at the store instead).
            req.callback_url = notice_url(&account.name, inv.provider, public);
            return Ok(req);
        }
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

    /// A provider's callback: checked, then what it changed applied with its audit
    /// entry. `Ok(None)`: believed, and nothing changed (a repeat, or an older status
    /// arriving late).
    #[tracing::instrument(level = "debug", skip(self, c), fields(provider = c.provider, key = c.key, bytes = c.body.len()), err(level = "info"))]
    pub async fn receive_callback(
        &self,
        c: IncomingCallback<'_>,
    ) -> Result<Option<InvoiceView>, CallbackError> {
        let provider = ProviderKind::from_str(c.provider).map_err(|_| CallbackError::NotFound)?;
        if paydesk_providers::spec(provider)
            .capabilities
            .status_by_callback
        {
            self.status_callback(provider, c.key, c.token.unwrap_or_default(), c.body)
                .await
        } else {
            self.check_now(provider, c.key, c.signature, c.body).await
        }
    }

    /// A callback that carries the status itself (BitroPay), about one invoice.
    async fn status_callback(
        &self,
        provider: ProviderKind,
        invoice: &str,
        token: &str,
        body: &[u8],
    ) -> Result<Option<InvoiceView>, CallbackError> {
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

    /// A notice that only says "look at this invoice" (BTCPay webhooks, signed; PortOne
    /// and PIPE notices, unsigned): the invoice is read again from the provider.
    async fn check_now(
        &self,
        provider: ProviderKind,
        account: &str,
        signature: Option<&str>,
        body: &[u8],
    ) -> Result<Option<InvoiceView>, CallbackError> {
        if !paydesk_providers::spec(provider).capabilities.notices {
            return Err(CallbackError::NotFound);
        }
        let record = match self.inner.store.account(account).await {
            Ok(Some(r)) if r.provider == provider => r,
            Ok(_) => return Err(CallbackError::NotFound),
            Err(e) => return Err(EngineError::from(e).into()),
        };
        if provider == ProviderKind::Btcpay {
            let name = record.name.clone();
            let secret = self
                .secrets(move |s| s.get(Owner::Account(&name), "webhook_secret"))
                .await?
                .ok_or(CallbackError::Forbidden)?;
            let signed = signature.is_some_and(|sig| {
                btcpay::verify_webhook(secret.expose_secret().as_bytes(), body, sig)
            });
            if !signed {
                return Err(CallbackError::Forbidden);
            }
        }
        let store = record.settings.get("store_id").and_then(|s| s.as_str());
        let provider_id = notice_names(provider, store, body)?;
        let inv = match self.inner.store.find_invoice(&provider_id).await {
            Ok(Some(i))
                if i.account == record.name && i.provider_id.as_deref() == Some(&provider_id) =>
            {
                i
            }
            Ok(_) => return Err(CallbackError::NotFound),
            Err(e) => return Err(EngineError::from(e).into()),
        };
        let adapter = self.provider_for(&record).await?;
        let remote = adapter
            .get(&provider_id)
            .await
            .map_err(|e| EngineError::from_provider(e, true))?;
        let now = Utc::now();
        if lifecycle::leaves_unchanged(&inv, &remote, now) {
            return Ok(None);
        }
        let after = self.apply_remote(&inv, &remote, Source::Provider).await?;
        let view = self.publish(&after).await?;
        Ok(Some(view))
    }
}
