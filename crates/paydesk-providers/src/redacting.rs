//! Every adapter behind its account's [`Redactor`]: no error (nor `check` answer) leaves
//! an adapter with one of the account's keys in it, whatever the provider echoed or the
//! HTTP library wrote. `registry::build` puts it around each adapter it makes.

use std::sync::Arc;

use async_trait::async_trait;
use paydesk_core::{ProviderKind, Redactor};

use crate::{
    CreateRequest, Provider, ProviderError, RefundRequest, Refunded, RemoteInvoice, Result,
};

impl ProviderError {
    /// The same error with every text cleaned by `r`.
    pub fn redacted(self, r: &Redactor) -> Self {
        let c = |s: String| r.clean(&s);
        match self {
            ProviderError::Rejected {
                provider,
                code,
                message,
            } => ProviderError::Rejected {
                provider,
                code: code.map(c),
                message: c(message),
            },
            ProviderError::Auth { provider, message } => ProviderError::Auth {
                provider,
                message: c(message),
            },
            ProviderError::Unavailable { provider, message } => ProviderError::Unavailable {
                provider,
                message: c(message),
            },
            ProviderError::NotReached { provider, message } => ProviderError::NotReached {
                provider,
                message: c(message),
            },
            ProviderError::Malformed {
                provider,
                field,
                message,
            } => ProviderError::Malformed {
                provider,
                field: c(field),
                message: c(message),
            },
            ProviderError::NotFound { provider, id } => ProviderError::NotFound {
                provider,
                id: c(id),
            },
            e @ ProviderError::Unsupported { .. } => e,
        }
    }
}

pub(crate) struct Redacting {
    pub(crate) inner: Arc<dyn Provider>,
    pub(crate) redactor: Redactor,
}

impl Redacting {
    fn clean<T>(&self, r: Result<T>) -> Result<T> {
        r.map_err(|e| e.redacted(&self.redactor))
    }
}

#[async_trait]
impl Provider for Redacting {
    fn kind(&self) -> ProviderKind {
        self.inner.kind()
    }

    async fn create(&self, req: &CreateRequest) -> Result<RemoteInvoice> {
        self.clean(self.inner.create(req).await)
    }

    async fn find_by_order_id(&self, order_id: &str) -> Result<Option<RemoteInvoice>> {
        self.clean(self.inner.find_by_order_id(order_id).await)
    }

    async fn get(&self, provider_id: &str) -> Result<RemoteInvoice> {
        self.clean(self.inner.get(provider_id).await)
    }

    async fn get_many(&self, order_ids: &[&str]) -> Result<Option<Vec<RemoteInvoice>>> {
        self.clean(self.inner.get_many(order_ids).await)
    }

    async fn cancel(&self, provider_id: &str) -> Result<RemoteInvoice> {
        self.clean(self.inner.cancel(provider_id).await)
    }

    async fn check(&self) -> Result<String> {
        self.clean(self.inner.check().await)
            .map(|ok| self.redactor.clean(&ok))
    }

    async fn notify_customer(&self, provider_id: &str) -> Result<()> {
        self.clean(self.inner.notify_customer(provider_id).await)
    }

    async fn refund(&self, req: &RefundRequest<'_>) -> Result<Refunded> {
        self.clean(self.inner.refund(req).await)
    }
}
