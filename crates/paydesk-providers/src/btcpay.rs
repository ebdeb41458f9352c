//! BTCPay Server, Greenfield API v1 (`../shared/specs/btcpay-greenfield.openapi.json`).
//!
//! Auth: `Authorization: token {api_key}` for one store. Amounts travel as decimal
//! strings in the invoice's currency, converted exactly both ways. `status` and
//! `additionalStatus` together decide PayDesk's status, so that a late or partial
//! payment is never shown as a plain expiry.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use paydesk_core::{Capabilities, Currency, Money, PaymentFlags, ProviderKind, Status};
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::json;

use crate::http::{decode, read_text, segment, short, Http, Repeat};
use crate::registry::ProviderSpec;
use crate::{CreateRequest, Provider, ProviderError, RemoteInvoice, Result};

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
    },
    settings: &["base_url", "store_id"],
    required: &["base_url", "store_id"],
    secrets: &["api_key"],
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

/// Maps BTCPay's `status` + `additionalStatus` into PayDesk's lifecycle (one row per
/// documented combination that matters; tested row by row).
pub fn map_status(status: &str, additional: &str) -> Option<(Status, PaymentFlags)> {
    let mut flags = PaymentFlags {
        underpaid: additional == "PaidPartial",
        overpaid: additional == "PaidOver",
        paid_late: additional == "PaidLate",
    };
    let known_additional = matches!(
        additional,
        "None" | "PaidLate" | "PaidPartial" | "Marked" | "Invalid" | "PaidOver"
    );
    if !known_additional {
        return None;
    }
    let s = match (status, additional) {
        ("New", _) => Status::Open,
        ("Processing", _) => Status::PaidUnconfirmed,
        ("Settled", _) => Status::Paid,
        // Money seen after the deadline (BTCPay's InvoiceWatcher keeps the invoice
        // Expired and does not wait for its confirmation): a late payment, not yet paid,
        // never a plain expiry. The merchant settles it by marking it.
        ("Expired", "PaidLate" | "PaidOver") => {
            flags.paid_late = true;
            Status::PaidUnconfirmed
        }
        ("Expired", _) => Status::Expired,
        // Marked invalid by the merchant (PayDesk's cancel) is a cancellation.
        ("Invalid", "Marked") => Status::Cancelled,
        // Failed to confirm in time; the merchant may still mark it settled.
        ("Invalid", _) => Status::Failed,
        _ => return None,
    };
    Some((s, flags))
}

/// The store permissions PayDesk uses: see, create and mark invoices; refund them (a pull
/// payment the customer claims).
pub const NEEDED_PERMISSIONS: [&str; 4] = [
    "btcpay.store.canviewinvoices",
    "btcpay.store.cancreateinvoice",
    "btcpay.store.canmodifyinvoices",
    "btcpay.store.cancreatenonapprovedpullpayments",
];

/// Which policies include which (the part of BTCPay Server's `Permission.PolicyMap`
/// that reaches the permissions above).
const INCLUDES: &[(&str, &[&str])] = &[
    (
        "btcpay.store.canmodifystoresettings",
        &[
            "btcpay.store.canmanagepullpayments",
            "btcpay.store.canmodifyinvoices",
            "btcpay.store.canviewstoresettings",
        ],
    ),
    (
        "btcpay.store.canmanagepullpayments",
        &["btcpay.store.cancreatepullpayments"],
    ),
    (
        "btcpay.store.cancreatepullpayments",
        &["btcpay.store.cancreatenonapprovedpullpayments"],
    ),
    (
        "btcpay.store.canmodifyinvoices",
        &[
            "btcpay.store.canviewinvoices",
            "btcpay.store.cancreateinvoice",
        ],
    ),
    (
        "btcpay.store.canviewstoresettings",
        &["btcpay.store.canviewinvoices"],
    ),
];

fn includes(held: &str, wanted: &str) -> bool {
    held == "unrestricted"
        || held == wanted
        || INCLUDES
            .iter()
            .filter(|(p, _)| *p == held)
            .flat_map(|(_, children)| children.iter())
            .any(|c| includes(c, wanted))
}

/// The needed permissions a key with `held` (`policy` or `policy:storeId`, as BTCPay
/// lists them) lacks for `store`.
pub fn missing_permissions(held: &[String], store: &str) -> Vec<&'static str> {
    NEEDED_PERMISSIONS
        .into_iter()
        .filter(|wanted| {
            !held.iter().any(|h| {
                let h = h.trim().to_ascii_lowercase();
                let (policy, scope) = match h.split_once(':') {
                    Some((p, s)) => (p.to_string(), Some(s.to_string())),
                    None => (h, None),
                };
                let in_store = scope.is_none_or(|s| s.eq_ignore_ascii_case(store));
                in_store && includes(&policy, wanted)
            })
        })
        .collect()
}

/// Checks a `BTCPay-Sig: sha256=HEX` webhook signature over the raw body, in constant time.
pub fn verify_webhook(secret: &[u8], body: &[u8], header: &str) -> bool {
    let Some(hex_sig) = header.trim().strip_prefix("sha256=") else {
        return false;
    };
    let Ok(sig) = hex::decode(hex_sig) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(secret) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&sig).is_ok()
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InvoiceData {
    id: String,
    #[serde(default)]
    checkout_link: Option<String>,
    status: String,
    #[serde(default)]
    additional_status: Option<String>,
    amount: String,
    #[serde(default)]
    paid_amount: Option<String>,
    currency: String,
    #[serde(default)]
    metadata: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PullPaymentData {
    id: String,
    #[serde(default)]
    view_link: Option<String>,
}

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

/// A BTCPay payment request: a long-lived page the customer can pay (in parts) until
/// its expiry date.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentRequest {
    pub id: String,
    #[serde(default)]
    pub status: Option<String>,
    pub amount: String,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub reference_id: Option<String>,
}

impl Btcpay {
    /// Creates a payment request for `amount`, payable until `expires_at`.
    pub async fn create_payment_request(
        &self,
        title: &str,
        amount: Money,
        expires_at: DateTime<Utc>,
        reference_id: &str,
    ) -> Result<PaymentRequest> {
        let url = self.store_url("/payment-requests")?;
        let body = json!({
            "title": title,
            "amount": amount.to_plain(),
            "currency": amount.currency().code(),
            "expiryDate": expires_at.timestamp(),
            "referenceId": reference_id,
        });
        let resp = self
            .http
            .send(Repeat::Unsafe, |c| {
                c.post(&url)
                    .header("Authorization", self.auth())
                    .json(&body)
            })
            .await?;
        decode(KIND, check(resp).await?).await
    }

    pub async fn payment_request(&self, id: &str) -> Result<PaymentRequest> {
        let url = self.store_url(&format!("/payment-requests/{}", segment(KIND, "id", id)?))?;
        let resp = self
            .http
            .send(Repeat::Safe, |c| {
                c.get(&url).header("Authorization", self.auth())
            })
            .await?;
        decode(KIND, check(resp).await?).await
    }

    /// Archives a payment request (it can no longer be paid).
    pub async fn archive_payment_request(&self, id: &str) -> Result<()> {
        let url = self.store_url(&format!("/payment-requests/{}", segment(KIND, "id", id)?))?;
        let resp = self
            .http
            .send(Repeat::Safe, |c| {
                c.delete(&url).header("Authorization", self.auth())
            })
            .await?;
        check(resp).await.map(|_| ())
    }
}

/// Turns a non-success answer into the provider's own words.
async fn check(resp: reqwest::Response) -> Result<reqwest::Response> {
    let status = resp.status();
    if status.is_success() {
        return Ok(resp);
    }
    let body = read_text(resp).await;
    let message =
        problem_message(&body).unwrap_or_else(|| format!("HTTP {status}: {}", short(&body)));
    Err(match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => ProviderError::Auth {
            provider: KIND,
            message,
        },
        StatusCode::NOT_FOUND => ProviderError::NotFound {
            provider: KIND,
            id: message,
        },
        _ => ProviderError::Rejected {
            provider: KIND,
            code: Some(status.as_u16().to_string()),
            message,
        },
    })
}

/// BTCPay's two error shapes: `{code, message}` and `[{path, message}]`.
fn problem_message(body: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    if let Some(m) = v.get("message").and_then(|m| m.as_str()) {
        let code = v.get("code").and_then(|c| c.as_str()).unwrap_or("");
        return Some(if code.is_empty() {
            m.to_string()
        } else {
            format!("{m} ({code})")
        });
    }
    let items = v.as_array()?;
    let parts: Vec<String> = items
        .iter()
        .filter_map(|i| {
            let m = i.get("message")?.as_str()?;
            Some(match i.get("path").and_then(|p| p.as_str()) {
                Some(p) => format!("{p}: {m}"),
                None => m.to_string(),
            })
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn money(field: &str, s: &str, currency: Currency) -> Result<Money> {
    Money::parse(s, currency).map_err(|e| ProviderError::Malformed {
        provider: KIND,
        field: field.into(),
        message: format!("{s:?} {e}"),
    })
}

fn remote(d: &InvoiceData) -> Result<RemoteInvoice> {
    let additional = d.additional_status.as_deref().unwrap_or("None");
    let (status, flags) =
        map_status(&d.status, additional).ok_or_else(|| ProviderError::Malformed {
            provider: KIND,
            field: "status".into(),
            message: format!("unknown status {:?} / {:?}", d.status, additional),
        })?;
    let currency: Currency = d.currency.parse().map_err(|_| ProviderError::Malformed {
        provider: KIND,
        field: "currency".into(),
        message: format!("{:?} is not a currency PayDesk keeps", d.currency),
    })?;
    let amount = money("amount", &d.amount, currency)?;
    let paid = match d.paid_amount.as_deref() {
        Some(p) => money("paidAmount", p, currency)?,
        None if status == Status::Paid => amount,
        None => Money::zero(currency),
    };
    let order_id = d
        .metadata
        .as_ref()
        .and_then(|m| m.get("orderId"))
        .and_then(|o| o.as_str())
        .unwrap_or_default()
        .to_string();
    Ok(RemoteInvoice {
        provider_id: d.id.clone(),
        order_id,
        status,
        flags,
        paid_minor: paid.minor(),
        refunded_minor: 0,
        currency: Some(currency),
        payment_url: d.checkout_link.clone(),
        payment_number: None,
        raw_status: format!("{}/{}", d.status, additional),
    })
}

fn expiration_minutes(expires_at: DateTime<Utc>) -> i64 {
    let secs = (expires_at - Utc::now()).num_seconds().max(60);
    (secs + 59) / 60
}

#[derive(Debug, Deserialize)]
struct ApiKeyData {
    #[serde(default)]
    permissions: Vec<String>,
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
    /// day, or `amount` in the invoice's currency.
    async fn refund(&self, provider_id: &str, amount: Option<Money>) -> Result<RemoteInvoice> {
        let before = self.get(provider_id).await?;
        let url = self.invoice_url(provider_id, "/refund")?;
        let body = match amount {
            Some(a) => json!({
                "refundVariant": "Custom",
                "customAmount": a.to_plain(),
                "customCurrency": a.currency().code(),
                "name": format!("Refund {}", before.order_id),
            }),
            None => {
                json!({ "refundVariant": "CurrentRate", "name": format!("Refund {}", before.order_id) })
            }
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
        let status = if amount.is_some_and(|a| a.minor() < before.paid_minor) {
            Status::PartiallyRefunded
        } else {
            Status::Refunded
        };
        Ok(RemoteInvoice {
            status,
            raw_status: format!(
                "refund pull payment {}{}",
                pull.id,
                pull.view_link
                    .map(|l| format!(" ({l})"))
                    .unwrap_or_default()
            ),
            ..before
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
