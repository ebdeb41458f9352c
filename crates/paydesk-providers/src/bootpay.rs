//! Bootpay Commerce link pay (`../shared/specs/bootpay-commerce.openapi.json`).
//!
//! Auth: `POST /request/token` with `Basic base64(client_key:secret_key)` and the keys
//! in the body, then `Bearer <token>` on every call; the token (30 minutes) is cached.
//! Prices are whole won. Bootpay publishes no link statuses: `pay_at` means paid, and
//! anything else is open until its deadline (the raw `status` is kept in the log). A
//! link cannot be found again by its order id (the list carries none), so after an
//! unknown create outcome the draft waits for the clerk instead of a second link.

use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine as _;
use paydesk_core::{Capabilities, Currency, Money, PaymentFlags, ProviderKind, Status};
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::json;

use crate::http::{parse_json, read_text, segment, short, Http, Repeat, TokenCache};
use crate::registry::ProviderSpec;
use crate::{CreateRequest, Provider, ProviderError, RemoteInvoice, Result};

const KIND: ProviderKind = ProviderKind::Bootpay;
pub const DEFAULT_BASE_URL: &str = "https://api.bootapi.com/v1";

/// Bootpay link pay: links only; Bootpay sends them to the customer itself (SMS / KakaoTalk).
pub const SPEC: ProviderSpec = ProviderSpec {
    kind: KIND,
    capabilities: Capabilities {
        links: true,
        cvs: false,
        cancel: false,
        refund: false,
        partial_refund: false,
        notify_customer: true,
        refund_later: false,
        cash_refund_account: false,
        status_by_callback: false,
        notices: false,
    },
    settings: &["base_url"],
    required: &[],
    secrets: &["client_key", "secret_key"],
    default_base_url: Some(DEFAULT_BASE_URL),
    build: |mut a| {
        let base = a.base_url()?;
        let http = Http::new(KIND)?;
        Ok(Arc::new(Bootpay::new(
            http,
            &base,
            a.secret("client_key")?,
            a.secret("secret_key")?,
        )))
    },
};

/// Bootpay's own notification of the customer: SMS and/or KakaoTalk.
pub const SEND_SMS: i64 = 1;
pub const SEND_KAKAO: i64 = 2;

/// Maps a Bootpay link into PayDesk's lifecycle. Bootpay publishes no link statuses:
/// its `status` codes 1 and 20 are PG receipt codes, and an ordinary unpaid link reads
/// `status: 1`. So `status` is kept raw in the log and only `pay_at` means paid; an
/// unpaid link stays open until its deadline.
pub fn map_status(paid_at: Option<&str>) -> Status {
    if paid_at.is_some_and(|p| !p.trim().is_empty()) {
        Status::Paid
    } else {
        Status::Open
    }
}

#[derive(Debug, Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expire_in: Option<i64>,
    #[serde(default)]
    expired_at: Option<String>,
}

/// The headers Bootpay's SDKs send with every call (the API version and the caller's
/// role); PayDesk is none of Bootpay's SDKs, so it sends no SDK type or version.
fn headers(r: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    r.header("Accept", "application/json")
        .header("Accept-Charset", "utf-8")
        .header("BOOTPAY-API-VERSION", "1.0.0")
        .header("BOOTPAY-ROLE", "user")
}

#[derive(Debug, Deserialize)]
struct Created {
    payment_url: String,
    invoice_id: String,
}

#[derive(Debug, Deserialize)]
struct Invoice {
    #[serde(default)]
    invoice_id: Option<String>,
    #[serde(default)]
    order_id: Option<String>,
    #[serde(default)]
    price: Option<i64>,
    #[serde(default)]
    status: serde_json::Value,
    #[serde(default)]
    pay_at: Option<String>,
}

#[derive(Debug, Deserialize)]
struct InvoiceList {
    #[serde(default)]
    count: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct Bootpay {
    http: Http,
    base: String,
    client_key: SecretString,
    secret_key: SecretString,
    token: TokenCache,
}

/// Bootpay's error bodies: `{status, code, message}` and `{success, error_code, message}`.
fn error_from(status: StatusCode, body: &str) -> ProviderError {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let message = v
        .get("message")
        .and_then(|m| m.as_str())
        .map(str::to_string)
        .unwrap_or_else(|| format!("HTTP {status}: {}", short(body)));
    let code = v
        .get("code")
        .or_else(|| v.get("error_code"))
        .filter(|c| !c.is_null())
        .map(|c| {
            c.as_str()
                .map(str::to_string)
                .unwrap_or_else(|| c.to_string())
        });
    match status {
        StatusCode::UNAUTHORIZED => ProviderError::Auth {
            provider: KIND,
            message,
        },
        StatusCode::NOT_FOUND => ProviderError::NotFound {
            provider: KIND,
            id: message,
        },
        _ => ProviderError::Rejected {
            provider: KIND,
            code,
            message,
        },
    }
}

impl Bootpay {
    pub fn new(
        http: Http,
        base_url: &str,
        client_key: SecretString,
        secret_key: SecretString,
    ) -> Self {
        Bootpay {
            http,
            base: base_url.trim_end_matches('/').to_string(),
            client_key,
            secret_key,
            token: TokenCache::default(),
        }
    }

    /// A new access token and how long PayDesk uses it, in seconds. Bootpay hands out
    /// the same token for up to 25 minutes after it was issued, so `expire_in` (30
    /// minutes) may be far too long: `expired_at` is used when given (and still ahead by
    /// this computer's clock), else at most five minutes; a refused token is asked for
    /// again once ([`TokenCache::send`]).
    async fn fetch_token(&self) -> Result<(String, i64)> {
        let url = format!("{}/request/token", self.base);
        let basic = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            self.client_key.expose_secret(),
            self.secret_key.expose_secret()
        ));
        let body = json!({
            "client_key": self.client_key.expose_secret(),
            "secret_key": self.secret_key.expose_secret(),
        });
        let resp = self
            .http
            .send(Repeat::Safe, |c| {
                headers(c.post(&url))
                    .header("Authorization", format!("Basic {basic}"))
                    .json(&body)
            })
            .await?;
        let t: TokenResponse = read(resp).await?;
        let until = t
            .expired_at
            .as_deref()
            .and_then(|at| chrono::DateTime::parse_from_rfc3339(at.trim()).ok())
            .map(|at| (at.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_seconds())
            // An end already past says the clocks disagree, not that the token is over.
            .filter(|secs| *secs > 0);
        let lifetime = until.unwrap_or_else(|| t.expire_in.unwrap_or(30 * 60).min(5 * 60));
        Ok((t.access_token, lifetime))
    }

    /// Sends a request with the access token and the headers Bootpay's SDKs send.
    async fn authed(
        &self,
        repeat: Repeat,
        make: impl Fn(&reqwest::Client, &str) -> reqwest::RequestBuilder,
    ) -> Result<reqwest::Response> {
        self.token
            .send(
                &self.http,
                repeat,
                || self.fetch_token(),
                |c, token| headers(make(c, token)),
            )
            .await
    }

    /// Asks Bootpay to send the link to the customer again by SMS and/or KakaoTalk.
    pub async fn notify(&self, invoice_id: &str, send_types: &[i64]) -> Result<()> {
        let url = format!(
            "{}/invoices/{}/notify",
            self.base,
            segment(KIND, "invoice_id", invoice_id)?
        );
        let body = json!({ "send_types": send_types });
        let resp = self
            .authed(Repeat::Unsafe, |c, token| {
                c.post(&url).bearer_auth(token).json(&body)
            })
            .await?;
        let _: serde_json::Value = read(resp).await?;
        Ok(())
    }
}

async fn read<T: DeserializeOwned>(resp: reqwest::Response) -> Result<T> {
    let status = resp.status();
    let body = read_text(resp).await;
    if !status.is_success() {
        return Err(error_from(status, &body));
    }
    parse_json(KIND, body.as_bytes())
}

fn remote(i: &Invoice, fallback_id: &str, url: Option<String>) -> Result<RemoteInvoice> {
    let status = map_status(i.pay_at.as_deref());
    let paid = status == Status::Paid;
    let price = crate::http::amount(KIND, "price", i.price.unwrap_or(0), Currency::Krw)?;
    Ok(RemoteInvoice {
        provider_id: i
            .invoice_id
            .clone()
            .unwrap_or_else(|| fallback_id.to_string()),
        order_id: i.order_id.clone().unwrap_or_default(),
        status,
        flags: PaymentFlags::default(),
        paid_minor: if status == Status::Paid { price } else { 0 },
        refunded_minor: 0,
        currency: Some(Currency::Krw),
        payment_url: url,
        payment_number: None,
        raw_status: format!(
            "status {}{}",
            i.status,
            if paid { " (pay_at set)" } else { "" }
        ),
    })
}

fn won(field: &str, m: Money) -> Result<i64> {
    if m.currency() != Currency::Krw {
        return Err(ProviderError::Rejected {
            provider: KIND,
            code: None,
            message: format!("Bootpay link pay takes KRW, not {} ({field})", m.currency()),
        });
    }
    Ok(m.minor())
}

#[async_trait]
impl Provider for Bootpay {
    fn kind(&self) -> ProviderKind {
        KIND
    }

    async fn notify_customer(&self, provider_id: &str) -> Result<()> {
        // 1 = SMS, 2 = KakaoTalk (the documented send types).
        self.notify(provider_id, &[1, 2]).await
    }

    async fn create(&self, req: &CreateRequest) -> Result<RemoteInvoice> {
        let price = won("price", req.amount)?;
        let tax_free = won("tax_free_price", req.tax_free)?;
        let mut body = json!({
            "name": req.name,
            "price": price,
            "tax_free_price": tax_free,
            "order_id": req.order_id,
            "expired_at": req.expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "use_notification": false,
            "metadata": { "paydesk_order_id": req.order_id },
        });
        if let Some(c) = &req.customer {
            let mut user = serde_json::Map::new();
            if let Some(n) = &c.name {
                user.insert("name".into(), json!(n));
            }
            if let Some(p) = &c.phone {
                // Bootpay expects Korean numbers the Korean way (01012345678).
                let local = paydesk_core::Phone::from_e164(p.clone()).korean_digits();
                user.insert("phone".into(), json!(local));
            }
            if let Some(e) = &c.email {
                user.insert("email".into(), json!(e));
            }
            body["user"] = serde_json::Value::Object(user);
        }
        let url = format!("{}/invoices", self.base);
        let resp = self
            .authed(Repeat::Unsafe, |c, token| {
                c.post(&url).bearer_auth(token).json(&body)
            })
            .await?;
        let created: Created = read(resp).await?;
        Ok(RemoteInvoice {
            provider_id: created.invoice_id,
            order_id: req.order_id.clone(),
            status: Status::Open,
            flags: PaymentFlags::default(),
            paid_minor: 0,
            refunded_minor: 0,
            currency: Some(Currency::Krw),
            payment_url: Some(created.payment_url),
            payment_number: None,
            raw_status: "created".into(),
        })
    }

    /// Not findable: Bootpay's list items carry no order id and its `keyword` searches
    /// invoice ids only, so an order cannot be told apart from the others.
    async fn find_by_order_id(&self, _order_id: &str) -> Result<Option<RemoteInvoice>> {
        Err(ProviderError::Unsupported {
            provider: KIND,
            operation: "look a link up by order id",
        })
    }

    /// The first page of links (one link): proves the keys and the token work.
    async fn check(&self) -> Result<String> {
        let url = format!("{}/invoices", self.base);
        let resp = self
            .authed(Repeat::Safe, |c, token| {
                c.get(&url)
                    .bearer_auth(token)
                    .query(&[("page", "1"), ("limit", "1")])
            })
            .await?;
        let list: InvoiceList = read(resp).await?;
        Ok(format!(
            "{KIND} answered and accepted the keys ({} links on the account)",
            list.count
                .map_or_else(|| "?".to_string(), |c| c.to_string())
        ))
    }

    async fn get(&self, provider_id: &str) -> Result<RemoteInvoice> {
        let url = format!(
            "{}/invoices/{}",
            self.base,
            segment(KIND, "provider_id", provider_id)?
        );
        let resp = self
            .authed(Repeat::Safe, |c, token| c.get(&url).bearer_auth(token))
            .await?;
        let i: Invoice = read(resp).await?;
        remote(&i, provider_id, None)
    }

    async fn cancel(&self, _provider_id: &str) -> Result<RemoteInvoice> {
        Err(ProviderError::Unsupported {
            provider: KIND,
            operation: "cancel a link through its API (it expires at its deadline)",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pay_at_means_paid() {
        assert_eq!(map_status(None), Status::Open);
        assert_eq!(map_status(Some("")), Status::Open);
        assert_eq!(map_status(Some("2025-07-11T03:00:00Z")), Status::Paid);
        // The documented unpaid link: `status: 1`, no `pay_at`.
        let unpaid: Invoice =
            serde_json::from_value(json!({"invoice_id": "INV_1", "price": 50000, "status": 1}))
                .unwrap();
        let r = remote(&unpaid, "", None).unwrap();
        assert_eq!((r.status, r.paid_minor), (Status::Open, 0));
        assert!(r.raw_status.contains('1'), "the raw status is kept");
        // Found by tests/hostile_answers.rs: a price PayDesk cannot keep is refused.
        for price in [-1i64, 1_000_000_000_000_000] {
            let paid: Invoice = serde_json::from_value(
                json!({"invoice_id": "INV_1", "price": price, "pay_at": "2025-07-11T03:00:00Z"}),
            )
            .unwrap();
            assert!(matches!(
                remote(&paid, "", None),
                Err(ProviderError::Malformed { ref field, .. }) if field == "price"
            ));
        }
    }

    #[test]
    fn both_error_shapes_are_read() {
        let e = error_from(
            StatusCode::NOT_FOUND,
            r#"{"status":404,"code":"INVOICE_NOT_FOUND","message":"없는 인보이스","data":null}"#,
        );
        assert!(matches!(e, ProviderError::NotFound { ref id, .. } if id == "없는 인보이스"));
        let e = error_from(
            StatusCode::BAD_REQUEST,
            r#"{"success":false,"error_code":"RC_PRICE_LEAST_LT","message":"금액 오류"}"#,
        );
        assert!(
            matches!(e, ProviderError::Rejected { code: Some(ref c), ref message, .. } if c == "RC_PRICE_LEAST_LT" && message == "금액 오류")
        );
        let e = error_from(
            StatusCode::UNAUTHORIZED,
            r#"{"status":401,"code":1700,"message":"Access Token이 잘못되었거"}"#,
        );
        assert!(matches!(e, ProviderError::Auth { .. }));
        let e = error_from(StatusCode::BAD_GATEWAY, "<html>");
        assert!(e.to_string().contains("502"));
    }
}
