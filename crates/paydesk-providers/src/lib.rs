//! Payment providers behind one [`Provider`] trait. Each adapter maps every status its
//! provider documents into PayDesk's one lifecycle ([`paydesk_core::Status`] and
//! [`paydesk_core::PaymentFlags`]); none of them touches PayDesk's database.
//!
//! The embedded [`sandbox`] behaves like a remote provider with no account and no
//! network: it keeps its own records in its own file and serves its own payment page.
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use paydesk_core::{InvoiceKind, Money, ProviderKind};

pub mod bitropay;
pub mod bootpay;
pub mod btcpay;
pub mod http;
pub mod pipe;
pub mod portone;
mod redacting;
pub mod registry;
pub mod sandbox;

/// A refund PayDesk asks a provider for.
#[derive(Debug, Clone, Copy)]
pub struct RefundRequest<'a> {
    /// The provider's id of the paid invoice.
    pub provider_id: &'a str,
    /// How much to give back; all that is left when `None`.
    pub amount: Option<Money>,
    /// What PayDesk believes can still be refunded (received minus refunded) when it
    /// asks: a provider that checks it (PortOne's `checksum`) refuses a refund asked on a
    /// stale view, and a retry after a lost answer sees that the first one went through.
    pub left: Money,
    /// PayDesk's name of this refund, the same on every retry of it: a provider that
    /// keeps it (BTCPay, in the pull payment's description) finds an earlier attempt by it
    /// instead of refunding twice.
    pub reference: &'a str,
    /// The customer's bank account a cash payment goes back to (PortOne's convenience-store
    /// payments), when the provider needs it.
    pub to_account: Option<&'a paydesk_core::RefundAccount>,
}

/// What a refund did at the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refunded {
    /// The provider's view of the invoice afterwards.
    pub invoice: RemoteInvoice,
    /// What this refund gives back, in the invoice's currency; all that was left when
    /// `None`. An earlier attempt found again says what *it* gave back.
    pub amount: Option<Money>,
    /// Where the customer claims the money, when the provider does not send it by itself
    /// (BTCPay: the pull payment's page).
    pub claim_url: Option<String>,
    /// The refund was made by an earlier attempt whose answer was lost; nothing new was
    /// asked of the provider.
    pub earlier: bool,
}

impl Refunded {
    /// A refund made now, as asked.
    pub fn made(invoice: RemoteInvoice, amount: Option<Money>) -> Self {
        Refunded {
            invoice,
            amount,
            claim_url: None,
            earlier: false,
        }
    }
}

/// What PayDesk asks a provider to create.
#[derive(Debug, Clone)]
pub struct CreateRequest {
    pub kind: InvoiceKind,
    /// The merchant order id: unique, so an unknown outcome can be looked up.
    pub order_id: String,
    pub name: String,
    pub amount: Money,
    pub tax_free: Money,
    pub expires_at: DateTime<Utc>,
    pub customer: Option<CustomerInfo>,
    /// Where the provider reports this invoice's statuses (a store server's address with
    /// the invoice's own token), for a provider that only calls back.
    pub callback_url: Option<String>,
}

impl CreateRequest {
    /// What to ask for a local invoice (a draft) and its customer.
    pub fn for_invoice(
        inv: &paydesk_core::Invoice,
        customer: Option<&paydesk_core::Customer>,
    ) -> Self {
        CreateRequest {
            kind: inv.kind,
            order_id: inv.order_id.to_string(),
            name: inv.name.clone(),
            amount: inv.amount,
            tax_free: inv.tax_free,
            expires_at: inv.expires_at,
            customer: customer.map(|c| CustomerInfo {
                name: Some(c.name.clone()),
                phone: c.phone.clone(),
                email: c.email.clone(),
            }),
            callback_url: None,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct CustomerInfo {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

pub use paydesk_core::RemoteInvoice;
pub use registry::{spec, AdapterInput, BuildError, ProviderSpec, PROVIDERS};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// The provider answered and refused (a 4xx, a business rule); retrying will not help.
    #[error("{provider} refused: {message}{}", code.as_ref().map(|c| format!(" (code {c})")).unwrap_or_default())]
    Rejected {
        provider: ProviderKind,
        code: Option<String>,
        message: String,
    },
    /// The keys were refused.
    #[error("{provider} rejected the account's keys: {message}")]
    Auth {
        provider: ProviderKind,
        message: String,
    },
    /// No answer, a timeout or a 5xx: the outcome is unknown and a retry may help.
    #[error("{provider} is unreachable: {message}")]
    Unavailable {
        provider: ProviderKind,
        message: String,
    },
    /// The request never reached the provider (no connection, or still rate limited
    /// after every retry): nothing was created or changed there.
    #[error("{provider} is unreachable: {message}")]
    NotReached {
        provider: ProviderKind,
        message: String,
    },
    /// The provider answered something PayDesk cannot read.
    #[error("{provider} sent a malformed answer: field {field}: {message}")]
    Malformed {
        provider: ProviderKind,
        field: String,
        message: String,
    },
    #[error("{provider} has no invoice {id:?}")]
    NotFound { provider: ProviderKind, id: String },
    #[error("{provider} cannot {operation}")]
    Unsupported {
        provider: ProviderKind,
        operation: &'static str,
    },
}

impl ProviderError {
    pub fn provider(&self) -> ProviderKind {
        match self {
            ProviderError::Rejected { provider, .. }
            | ProviderError::Auth { provider, .. }
            | ProviderError::Unavailable { provider, .. }
            | ProviderError::NotReached { provider, .. }
            | ProviderError::Malformed { provider, .. }
            | ProviderError::NotFound { provider, .. }
            | ProviderError::Unsupported { provider, .. } => *provider,
        }
    }

    /// Whether the request may have had an effect we did not see (retry via lookup).
    pub fn outcome_unknown(&self) -> bool {
        matches!(self, ProviderError::Unavailable { .. })
    }

    /// Whether the provider could not be reached or answered (sync backs off).
    pub fn unreachable(&self) -> bool {
        matches!(
            self,
            ProviderError::Unavailable { .. } | ProviderError::NotReached { .. }
        )
    }

    pub fn code(&self) -> Option<&str> {
        match self {
            ProviderError::Rejected { code, .. } => code.as_deref(),
            _ => None,
        }
    }
}

pub type Result<T> = std::result::Result<T, ProviderError>;

/// One payment provider, as the engine uses it.
#[async_trait]
pub trait Provider: Send + Sync {
    fn kind(&self) -> ProviderKind;

    /// Creates a payable link (or CVS payment number) for the request.
    async fn create(&self, req: &CreateRequest) -> Result<RemoteInvoice>;

    /// Finds what was created for a merchant order id (after an unknown outcome).
    async fn find_by_order_id(&self, order_id: &str) -> Result<Option<RemoteInvoice>>;

    /// The provider's current view of one invoice.
    async fn get(&self, provider_id: &str) -> Result<RemoteInvoice>;

    /// The provider's view of many invoices in one request, by merchant order id, where
    /// its API can (BTCPay); `None` when it cannot, and sync asks one at a time.
    /// Orders the provider does not list are simply absent from the answer.
    async fn get_many(&self, order_ids: &[&str]) -> Result<Option<Vec<RemoteInvoice>>> {
        let _ = order_ids;
        Ok(None)
    }

    /// Cancels (expires, revokes) an unpaid invoice.
    async fn cancel(&self, provider_id: &str) -> Result<RemoteInvoice>;

    /// A cheap authenticated call proving the account's keys work; the provider's answer.
    async fn check(&self) -> Result<String> {
        self.find_by_order_id("PAYDESK-CONNECTION-TEST").await?;
        Ok(format!("{} answered and accepted the keys", self.kind()))
    }

    /// Has the provider send the link to the customer itself (Bootpay: SMS and
    /// KakaoTalk to the phone given at creation).
    async fn notify_customer(&self, provider_id: &str) -> Result<()> {
        let _ = provider_id;
        Err(ProviderError::Unsupported {
            provider: self.kind(),
            operation: "send the link to the customer itself",
        })
    }

    /// Refunds a paid invoice, all that is left of it or `amount`, at most once per
    /// `reference` where the provider can tell.
    async fn refund(&self, req: &RefundRequest<'_>) -> Result<Refunded> {
        let _ = req;
        Err(ProviderError::Unsupported {
            provider: self.kind(),
            operation: "refund",
        })
    }
}
