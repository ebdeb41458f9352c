//! The embedded sandbox provider: no account, no network, no real money.
//!
//! It keeps its own provider-side records in `sandbox.sqlite` in the data directory
//! (never in PayDesk's own database), serves its payment page on 127.0.0.1
//! ([`server`]), and answers PayDesk through the same [`Provider`] trait as every
//! real provider, so invoices learn what happened on its page by polling it.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::Utc;
use paydesk_core::{Capabilities, PaymentFlags, ProviderKind, Status};

use crate::{
    registry::ProviderSpec, CreateRequest, Provider, ProviderError, RefundRequest, Refunded,
    RemoteInvoice, Result,
};

pub mod server;
mod store;

pub use store::{SandboxPayment, SandboxStore};

/// The sandbox's own file in the data directory.
pub const SANDBOX_FILE: &str = "sandbox.sqlite";
/// Where the sandbox's payment pages are served unless the account says otherwise.
pub const DEFAULT_PORT: u16 = 8787;

const KIND: ProviderKind = ProviderKind::Sandbox;

/// The embedded sandbox: every capability, no keys, no network.
pub const SPEC: ProviderSpec = ProviderSpec {
    kind: KIND,
    capabilities: Capabilities {
        links: true,
        cvs: true,
        cancel: true,
        refund: true,
        partial_refund: true,
        notify_customer: false,
        refund_later: false,
        // Its convenience-store numbers are paid in cash, as PortOne's: a refund names
        // the customer's bank account (the sandbox moves no money; the clerk practises).
        cash_refund_account: true,
        status_by_callback: false,
        notices: false,
    },
    settings: &[],
    required: &[],
    secrets: &[],
    default_base_url: Some(DEFAULT_BASE_URL),
    build: |a| {
        let base = a.base_url()?;
        Ok(Arc::new(SandboxProvider::new(a.sandbox.clone(), base)))
    },
};

/// Where the sandbox's pages are served unless the account says otherwise.
pub const DEFAULT_BASE_URL: &str = "http://127.0.0.1:8787";

/// Maps the sandbox's status words into PayDesk's lifecycle: one row of the design's
/// table per documented state (tested row by row below).
pub fn map_status(
    state: &str,
    amount: i64,
    paid: i64,
    late: bool,
) -> Option<(Status, PaymentFlags)> {
    let underpaid = paid > 0 && paid < amount;
    let overpaid = paid > amount;
    let flags = PaymentFlags {
        paid_late: late,
        underpaid,
        overpaid,
    };
    let status = match state {
        "waiting" | "partial" => Status::Open,
        "paid" => Status::Paid,
        "expired" => Status::Expired,
        "cancelled" => Status::Cancelled,
        "refunded" => Status::Refunded,
        "partially_refunded" => Status::PartiallyRefunded,
        _ => return None,
    };
    Some((status, flags))
}

/// The sandbox as a [`Provider`].
#[derive(Clone, Debug)]
pub struct SandboxProvider {
    store: SandboxStore,
    base_url: String,
}

impl SandboxProvider {
    /// `base_url` is where the payment pages are served, e.g. `http://127.0.0.1:8787`.
    pub fn new(store: SandboxStore, base_url: impl Into<String>) -> Self {
        SandboxProvider {
            store,
            base_url: base_url.into().trim_end_matches('/').to_string(),
        }
    }

    pub fn store(&self) -> &SandboxStore {
        &self.store
    }

    fn remote(&self, p: &SandboxPayment) -> Result<RemoteInvoice> {
        let (status, flags) = map_status(&p.state, p.amount_minor, p.paid_minor, p.late)
            .ok_or_else(|| ProviderError::Malformed {
                provider: KIND,
                field: "state".into(),
                message: format!("unknown state {:?}", p.state),
            })?;
        let raw_status = format!("{} (paid {} of {})", p.state, p.paid_minor, p.amount_minor);
        Ok(RemoteInvoice {
            provider_id: p.id.clone(),
            order_id: p.order_id.clone(),
            status,
            flags,
            paid_minor: p.paid_minor,
            refunded_minor: p.refunded_minor,
            currency: Some(p.currency),
            payment_url: Some(format!("{}/pay/{}", self.base_url, p.id)),
            payment_number: p.payment_number.clone(),
            raw_status,
        })
    }
}

#[async_trait]
impl Provider for SandboxProvider {
    fn kind(&self) -> ProviderKind {
        KIND
    }

    async fn create(&self, req: &CreateRequest) -> Result<RemoteInvoice> {
        let p = self.store.insert(req, Utc::now()).await?;
        self.remote(&p)
    }

    async fn find_by_order_id(&self, order_id: &str) -> Result<Option<RemoteInvoice>> {
        match self.store.find_by_order_id(order_id, Utc::now()).await? {
            Some(p) => Ok(Some(self.remote(&p)?)),
            None => Ok(None),
        }
    }

    async fn get(&self, provider_id: &str) -> Result<RemoteInvoice> {
        let p = self.store.get(provider_id, Utc::now()).await?;
        self.remote(&p)
    }

    async fn cancel(&self, provider_id: &str) -> Result<RemoteInvoice> {
        let p = self.store.cancel(provider_id, Utc::now()).await?;
        self.remote(&p)
    }

    async fn refund(&self, req: &RefundRequest<'_>) -> Result<Refunded> {
        let p = self
            .store
            .refund(req.provider_id, req.amount, Utc::now())
            .await?;
        Ok(Refunded::made(self.remote(&p)?, req.amount))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use paydesk_core::Money;
    use paydesk_core::{Currency, InvoiceKind};

    #[test]
    fn every_state_maps_into_the_lifecycle() {
        let none = PaymentFlags::default();
        let rows: [(&str, i64, bool, Status, PaymentFlags); 9] = [
            ("waiting", 0, false, Status::Open, none),
            (
                "partial",
                500,
                false,
                Status::Open,
                PaymentFlags {
                    underpaid: true,
                    ..none
                },
            ),
            ("paid", 1000, false, Status::Paid, none),
            (
                "paid",
                1100,
                false,
                Status::Paid,
                PaymentFlags {
                    overpaid: true,
                    ..none
                },
            ),
            (
                "paid",
                1000,
                true,
                Status::Paid,
                PaymentFlags {
                    paid_late: true,
                    ..none
                },
            ),
            ("expired", 0, false, Status::Expired, none),
            (
                "expired",
                300,
                false,
                Status::Expired,
                PaymentFlags {
                    underpaid: true,
                    ..none
                },
            ),
            ("cancelled", 0, false, Status::Cancelled, none),
            ("refunded", 1000, false, Status::Refunded, none),
        ];
        for (state, paid, late, status, flags) in rows {
            assert_eq!(
                map_status(state, 1000, paid, late),
                Some((status, flags)),
                "{state} paid {paid}"
            );
        }
        assert_eq!(
            map_status("partially_refunded", 1000, 1000, false).map(|m| m.0),
            Some(Status::PartiallyRefunded)
        );
        assert_eq!(map_status("bogus", 1000, 0, false), None);
    }

    fn request(order: &str, expires_in: Duration) -> CreateRequest {
        CreateRequest {
            kind: InvoiceKind::Link,
            order_id: order.into(),
            name: "테스트 상품".into(),
            amount: Money::from_minor(29900, Currency::Krw).unwrap(),
            tax_free: Money::zero(Currency::Krw),
            expires_at: Utc::now() + expires_in,
            customer: None,
            callback_url: None,
        }
    }

    #[tokio::test]
    async fn create_pay_and_read_back_through_the_trait() {
        let dir = tempfile::tempdir().unwrap();
        let p = SandboxProvider::new(
            SandboxStore::open(dir.path()).await.unwrap(),
            "http://127.0.0.1:9/",
        );
        let r = p.create(&request("PD1", Duration::days(1))).await.unwrap();
        assert_eq!(r.status, Status::Open);
        assert_eq!(
            r.payment_url.as_deref(),
            Some(format!("http://127.0.0.1:9/pay/{}", r.provider_id).as_str())
        );
        // The same order id twice is refused, and can be found.
        assert!(matches!(
            p.create(&request("PD1", Duration::days(1))).await,
            Err(ProviderError::Rejected { .. })
        ));
        assert_eq!(
            p.find_by_order_id("PD1")
                .await
                .unwrap()
                .unwrap()
                .provider_id,
            r.provider_id
        );
        assert_eq!(p.find_by_order_id("PD2").await.unwrap(), None);

        let now = Utc::now();
        p.store().pay_less(&r.provider_id, now).await.unwrap();
        let half = p.get(&r.provider_id).await.unwrap();
        assert_eq!(
            (half.status, half.flags.underpaid, half.paid_minor),
            (Status::Open, true, 14950)
        );
        p.store()
            .pay(&r.provider_id, None, false, now)
            .await
            .unwrap();
        let paid = p.get(&r.provider_id).await.unwrap();
        assert_eq!(
            (paid.status, paid.flags, paid.paid_minor),
            (Status::Paid, PaymentFlags::default(), 29900)
        );
        assert!(
            p.cancel(&r.provider_id).await.is_err(),
            "paid links cannot be cancelled"
        );
        let refunded = p
            .refund(&RefundRequest {
                provider_id: &r.provider_id,
                amount: Some(Money::from_minor(900, Currency::Krw).unwrap()),
                left: Money::from_minor(29900, Currency::Krw).unwrap(),
                reference: "r1",
                to_account: None,
            })
            .await
            .unwrap();
        assert_eq!(refunded.invoice.status, Status::PartiallyRefunded);
    }

    #[tokio::test]
    async fn links_expire_by_themselves_and_late_money_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let p = SandboxProvider::new(
            SandboxStore::open(dir.path()).await.unwrap(),
            "http://127.0.0.1:9",
        );
        let r = p
            .create(&request("PD3", Duration::minutes(10)))
            .await
            .unwrap();
        let later = Utc::now() + Duration::minutes(11);
        assert_eq!(
            p.store().get(&r.provider_id, later).await.unwrap().state,
            "expired"
        );
        assert_eq!(p.get(&r.provider_id).await.unwrap().status, Status::Expired);
        p.store()
            .pay(&r.provider_id, None, false, later)
            .await
            .unwrap();
        let late = p.get(&r.provider_id).await.unwrap();
        assert_eq!((late.status, late.flags.paid_late), (Status::Paid, true));
    }

    #[tokio::test]
    async fn cvs_payments_get_a_number() {
        let dir = tempfile::tempdir().unwrap();
        let p = SandboxProvider::new(
            SandboxStore::open(dir.path()).await.unwrap(),
            "http://127.0.0.1:9",
        );
        let mut req = request("PD4", Duration::days(1));
        req.kind = InvoiceKind::Cvs;
        let r = p.create(&req).await.unwrap();
        let n = r.payment_number.unwrap();
        assert_eq!(n.len(), 14);
        assert!(n.bytes().all(|b| b.is_ascii_digit()));
    }
}
