//! BTCPay Server, Greenfield API v1 (`../shared/specs/btcpay-greenfield.openapi.json`).
//!
//! Auth: `Authorization: token {api_key}` for one store. Amounts travel as decimal
//! strings in the invoice's currency, converted exactly both ways. `status` and
//! `additionalStatus` together decide PayDesk's status, so that a late or partial
//! payment is never shown as a plain expiry.

use std::sync::Arc;

use async_trait::async_trait;
use paydesk_core::{Capabilities, Money, ProviderKind, Status};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use crate::http::{decode, segment, Http, Repeat};
use crate::registry::ProviderSpec;
use crate::{
    CreateRequest, Provider, ProviderError, RefundRequest, Refunded, RemoteInvoice, Result,
};

mod payment_request;
mod rules;
mod wire;

pub use payment_request::PaymentRequest;
pub use rules::{map_status, missing_permissions, verify_webhook, NEEDED_PERMISSIONS};
use wire::{check, expiration_minutes, money, remote, ApiKeyData, InvoiceData, PullPaymentData};

const KIND: ProviderKind = ProviderKind::Btcpay;

/// BTCPay Server: links (crypto), cancelled and refunded (in part too); every account
/// names its own server and store.
pub const SPEC: ProviderSpec = ProviderSpec {
    kind: KIND,
    capabilities: Capabilities {
        links: true,
        cvs: false,
        cancel: true,
        refund: true,
        partial_refund: true,
        notify_customer: false,
        refund_later: false,
        cash_refund_account: false,
        status_by_callback: false,
        notices: true,
    },
    settings: &["base_url", "store_id", "public_url"],
    required: &["base_url", "store_id"],
    // The webhook's secret (optional): the store server checks `BTCPay-Sig` with it.
    secrets: &["api_key", "webhook_secret"],
    default_base_url: None,
    build: |mut a| {
        let base = a.base_url()?;
        let store = a.required("store_id")?;
        let http = Http::new(KIND)?;
        Ok(Arc::new(Btcpay::new(
            http,
            &base,
            &store,
            a.secret("api_key")?,
        )?))
    },
};

#[derive(Debug, Clone)]
pub struct Btcpay {
    http: Http,
    base: String,
    store_id: String,
    api_key: SecretString,
}

impl Btcpay {
    pub fn new(http: Http, base_url: &str, store_id: &str, api_key: SecretString) -> Result<Self> {
        if store_id.trim().is_empty() {
            return Err(ProviderError::Rejected {
                provider: KIND,
                code: None,
                message: "the account has no store id".into(),
            });
        }
        Ok(Btcpay {
            http,
            base: base_url.trim_end_matches('/').to_string(),
            store_id: store_id.trim().to_string(),
            api_key,
        })
    }

    fn auth(&self) -> String {
        format!("token {}", self.api_key.expose_secret())
    }

    /// A route under the account's store: `/api/v1/stores/{storeId}…`, which every BTCPay
    /// Server version serves (the store-less `/api/v1/invoices/{id}` arrived only in 2.4.0).
    fn store_url(&self, path: &str) -> Result<String> {
        Ok(format!(
            "{}/api/v1/stores/{}{path}",
            self.base,
            segment(KIND, "store_id", &self.store_id)?
        ))
    }

    /// The route of one invoice of the store (`suffix`: `""`, `/status`, `/refund`).
    fn invoice_url(&self, provider_id: &str, suffix: &str) -> Result<String> {
        self.store_url(&format!(
            "/invoices/{}{suffix}",
            segment(KIND, "provider_id", provider_id)?
        ))
    }

    async fn invoice_from(&self, resp: reqwest::Response) -> Result<RemoteInvoice> {
        let resp = check(resp).await?;
        let data: InvoiceData = decode(KIND, resp).await?;
        remote(&data)
    }
}

#[async_trait]
impl Provider for Btcpay {
    fn kind(&self) -> ProviderKind {
        KIND
    }

    /// Reads the key's own permissions and names every one PayDesk needs that it lacks
    /// for this store.
    async fn check(&self) -> Result<String> {
        let url = format!("{}/api/v1/api-keys/current", self.base);
        let resp = self
            .http
            .send(Repeat::Safe, |c| {
                c.get(&url).header("Authorization", self.auth())
            })
            .await?;
        let key: ApiKeyData = decode(KIND, check(resp).await?).await?;
        let missing = missing_permissions(&key.permissions, &self.store_id);
        if !missing.is_empty() {
            return Err(ProviderError::Auth {
                provider: KIND,
                message: format!(
                    "the key lacks {} for store {}; make a key with them in BTCPay (Account → API Keys)",
                    missing.join(", "),
                    self.store_id
                ),
            });
        }
        Ok(format!(
            "{KIND} accepted the key; it has every permission PayDesk uses on store {}",
            self.store_id
        ))
    }

    async fn create(&self, req: &CreateRequest) -> Result<RemoteInvoice> {
        let mut metadata = json!({ "orderId": req.order_id, "itemDesc": req.name });
        if let Some(c) = &req.customer {
            if let Some(e) = &c.email {
                metadata["buyerEmail"] = json!(e);
            }
            if let Some(n) = &c.name {
                metadata["buyerName"] = json!(n);
            }
            if let Some(p) = &c.phone {
                metadata["buyerPhone"] = json!(p);
            }
        }
        let body = json!({
            "amount": req.amount.to_plain(),
            "currency": req.amount.currency().code(),
            "metadata": metadata,
            "checkout": { "expirationMinutes": expiration_minutes(req.expires_at) },
        });
        let url = self.store_url("/invoices")?;
        let resp = self
            .http
            .send(Repeat::Unsafe, |c| {
                c.post(&url)
                    .header("Authorization", self.auth())
                    .json(&body)
            })
            .await?;
        self.invoice_from(resp).await
    }

    async fn find_by_order_id(&self, order_id: &str) -> Result<Option<RemoteInvoice>> {
        // The same list request as a batch, for one order id (exact matches only).
        Ok(self
            .get_many(&[order_id])
            .await?
            .and_then(|list| list.into_iter().next()))
    }

    async fn get_many(&self, order_ids: &[&str]) -> Result<Option<Vec<RemoteInvoice>>> {
        let url = self.store_url("/invoices")?;
        let query: Vec<(&str, &str)> = order_ids.iter().map(|o| ("orderId", *o)).collect();
        let resp = self
            .http
            .send(Repeat::Safe, |c| {
                c.get(&url)
                    .header("Authorization", self.auth())
                    .query(&query)
            })
            .await?;
        let resp = check(resp).await?;
        let list: Vec<InvoiceData> = decode(KIND, resp).await?;
        let wanted: std::collections::HashSet<&str> = order_ids.iter().copied().collect();
        let mut out = Vec::with_capacity(list.len());
        for d in &list {
            let r = remote(d)?;
            if wanted.contains(r.order_id.as_str()) {
                out.push(r);
            }
        }
        Ok(Some(out))
    }

    async fn get(&self, provider_id: &str) -> Result<RemoteInvoice> {
        let url = self.invoice_url(provider_id, "")?;
        let resp = self
            .http
            .send(Repeat::Safe, |c| {
                c.get(&url).header("Authorization", self.auth())
            })
            .await?;
        self.invoice_from(resp).await
    }

    /// Marks the invoice Invalid (BTCPay's way of voiding an unpaid invoice), after
    /// reading it: one with money on it (being confirmed, settled, part paid, paid
    /// late) is not voided, and its current state is the answer.
    async fn cancel(&self, provider_id: &str) -> Result<RemoteInvoice> {
        let now = self.get(provider_id).await?;
        if now.status != Status::Open || now.paid_minor > 0 || now.flags.underpaid {
            return Ok(RemoteInvoice {
                raw_status: format!("{} (not voided: money was received)", now.raw_status),
                ..now
            });
        }
        let url = self.invoice_url(provider_id, "/status")?;
        let body = json!({ "status": "Invalid" });
        let resp = self
            .http
            .send(Repeat::Unsafe, |c| {
                c.post(&url)
                    .header("Authorization", self.auth())
                    .json(&body)
            })
            .await?;
        self.invoice_from(resp).await
    }

    /// Creates a refund pull payment the customer claims; all of it at the rate of the
    /// day, or `amount` in the invoice's currency. The pull payment's description is
    /// PayDesk's reference of the refund, so a retry after a lost answer finds the pull
    /// payment already made instead of making a second.
    async fn refund(&self, req: &RefundRequest<'_>) -> Result<Refunded> {
        let before = self.get(req.provider_id).await?;
        let currency = req.left.currency();
        if let Some(pull) = self.pull_payment(req.reference).await? {
            // What that pull payment gives back in the invoice's currency (a crypto one,
            // asked as "all of it", gave back all that was left).
            let amount = match (&pull.currency, &pull.amount) {
                (Some(c), Some(a)) if c == currency.code() => Some(money("amount", a, currency)?),
                _ => None,
            };
            return Ok(Refunded {
                earlier: true,
                ..refunded(before, pull, amount)
            });
        }
        let url = self.invoice_url(req.provider_id, "/refund")?;
        let name = format!("Refund {}", before.order_id);
        let body = match req.amount {
            Some(a) => json!({
                "refundVariant": "Custom",
                "customAmount": a.to_plain(),
                "customCurrency": a.currency().code(),
                "name": name,
                "description": req.reference,
            }),
            None => json!({
                "refundVariant": "CurrentRate",
                "name": name,
                "description": req.reference,
            }),
        };
        let resp = self
            .http
            .send(Repeat::Unsafe, |c| {
                c.post(&url)
                    .header("Authorization", self.auth())
                    .json(&body)
            })
            .await?;
        let resp = check(resp).await?;
        let pull: PullPaymentData = decode(KIND, resp).await?;
        Ok(refunded(before, pull, req.amount))
    }
}

impl Btcpay {
    /// The store's pull payment (archived ones too) that PayDesk made for `reference`.
    async fn pull_payment(&self, reference: &str) -> Result<Option<PullPaymentData>> {
        let url = self.store_url("/pull-payments")?;
        let resp = self
            .http
            .send(Repeat::Safe, |c| {
                c.get(&url)
                    .query(&[("includeArchived", "true")])
                    .header("Authorization", self.auth())
            })
            .await?;
        let all: Vec<PullPaymentData> = decode(KIND, check(resp).await?).await?;
        Ok(all
            .into_iter()
            .find(|p| p.description.as_deref() == Some(reference)))
    }
}

/// A refund as BTCPay made it: the invoice as it was (BTCPay keeps calling it settled;
/// PayDesk counts what was refunded), and the pull payment's page the customer claims at.
fn refunded(before: RemoteInvoice, pull: PullPaymentData, amount: Option<Money>) -> Refunded {
    let status = if amount.is_some_and(|a| a.minor() < before.paid_minor) {
        Status::PartiallyRefunded
    } else {
        Status::Refunded
    };
    Refunded {
        invoice: RemoteInvoice {
            status,
            raw_status: format!("refund pull payment {}", pull.id),
            ..before
        },
        amount,
        claim_url: pull.view_link,
        earlier: false,
    }
}

#[cfg(test)]
mod tests {
    use super::wire::problem_message;
    use super::*;
    use hmac::{Hmac, Mac};
    use paydesk_core::PaymentFlags;

    #[test]
    fn every_documented_status_maps() {
        let f = |late, under, over| PaymentFlags {
            paid_late: late,
            underpaid: under,
            overpaid: over,
        };
        let rows = [
            ("New", "None", Status::Open, f(false, false, false)),
            ("New", "PaidPartial", Status::Open, f(false, true, false)),
            (
                "Processing",
                "None",
                Status::PaidUnconfirmed,
                f(false, false, false),
            ),
            (
                "Processing",
                "PaidOver",
                Status::PaidUnconfirmed,
                f(false, false, true),
            ),
            ("Settled", "None", Status::Paid, f(false, false, false)),
            ("Settled", "Marked", Status::Paid, f(false, false, false)),
            ("Settled", "PaidOver", Status::Paid, f(false, false, true)),
            ("Settled", "PaidLate", Status::Paid, f(true, false, false)),
            ("Expired", "None", Status::Expired, f(false, false, false)),
            (
                "Expired",
                "PaidPartial",
                Status::Expired,
                f(false, true, false),
            ),
            (
                "Expired",
                "PaidLate",
                Status::PaidUnconfirmed,
                f(true, false, false),
            ),
            (
                "Expired",
                "PaidOver",
                Status::PaidUnconfirmed,
                f(true, false, true),
            ),
            (
                "Invalid",
                "Marked",
                Status::Cancelled,
                f(false, false, false),
            ),
            ("Invalid", "None", Status::Failed, f(false, false, false)),
            ("Invalid", "Invalid", Status::Failed, f(false, false, false)),
        ];
        for (s, a, status, flags) in rows {
            assert_eq!(map_status(s, a), Some((status, flags)), "{s}/{a}");
        }
        assert_eq!(map_status("Bogus", "None"), None);
        assert_eq!(map_status("New", "Bogus"), None);
        // Every enum value of the contract maps with every additional status.
        for s in ["New", "Processing", "Expired", "Invalid", "Settled"] {
            for a in [
                "None",
                "PaidLate",
                "PaidPartial",
                "Marked",
                "Invalid",
                "PaidOver",
            ] {
                assert!(map_status(s, a).is_some(), "{s}/{a}");
            }
        }
    }

    #[test]
    fn permissions_are_read_as_btcpay_grants_them() {
        let held = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(missing_permissions(&held(&["unrestricted"]), "S1").is_empty());
        assert!(
            missing_permissions(&held(&["btcpay.store.canmodifystoresettings:S1"]), "S1")
                .is_empty()
        );
        assert!(missing_permissions(
            &held(&[
                "btcpay.store.canmodifyinvoices",
                "btcpay.store.cancreatepullpayments"
            ]),
            "S1"
        )
        .is_empty());
        // Another store's key, or invoices only: the refund permission is named.
        assert_eq!(
            missing_permissions(&held(&["btcpay.store.canmodifystoresettings:S2"]), "S1"),
            NEEDED_PERMISSIONS.to_vec()
        );
        assert_eq!(
            missing_permissions(&held(&["btcpay.store.canmodifyinvoices:S1"]), "S1"),
            vec!["btcpay.store.cancreatenonapprovedpullpayments"]
        );
        assert_eq!(
            missing_permissions(&held(&["btcpay.store.canviewstoresettings"]), "S1"),
            vec![
                "btcpay.store.cancreateinvoice",
                "btcpay.store.canmodifyinvoices",
                "btcpay.store.cancreatenonapprovedpullpayments"
            ]
        );
    }

    #[test]
    fn webhook_signatures_are_checked() {
        // HMAC-SHA256("secret", "{\"a\":1}")
        let body = br#"{"a":1}"#;
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"secret").unwrap();
        mac.update(body);
        let good = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
        assert!(verify_webhook(b"secret", body, &good));
        assert!(!verify_webhook(b"other", body, &good));
        assert!(!verify_webhook(b"secret", br#"{"a":2}"#, &good));
        assert!(!verify_webhook(b"secret", body, "sha256=zz"));
        assert!(!verify_webhook(
            b"secret",
            body,
            &good.replace("sha256=", "")
        ));
    }

    #[test]
    fn amounts_are_exact_or_refused() {
        let d = |amount: &str, paid: Option<&str>, currency: &str| InvoiceData {
            id: "i".into(),
            checkout_link: None,
            status: "New".into(),
            additional_status: None,
            amount: amount.into(),
            paid_amount: paid.map(String::from),
            currency: currency.into(),
            metadata: None,
        };
        assert_eq!(
            remote(&d("29900", Some("100.000"), "KRW"))
                .unwrap()
                .paid_minor,
            100
        );
        assert_eq!(
            remote(&d("0.0015", Some("0.00000001"), "BTC"))
                .unwrap()
                .paid_minor,
            1
        );
        let e = remote(&d("1", Some("0.5"), "KRW")).unwrap_err();
        assert!(
            matches!(e, ProviderError::Malformed { ref field, .. } if field == "paidAmount"),
            "{e}"
        );
        assert!(matches!(
            remote(&d("1", None, "EUR")),
            Err(ProviderError::Malformed { .. })
        ));
    }

    #[test]
    fn both_error_shapes_are_read() {
        assert_eq!(
            problem_message(r#"{"code":"invalid-store","message":"Store not found"}"#).unwrap(),
            "Store not found (invalid-store)"
        );
        assert_eq!(
            problem_message(r#"[{"path":"amount","message":"Amount should be positive"}]"#)
                .unwrap(),
            "amount: Amount should be positive"
        );
        assert_eq!(problem_message("<html>"), None);
    }
}
