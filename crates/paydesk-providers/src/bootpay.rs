//! Bootpay Commerce link pay (`../shared/specs/bootpay-commerce.openapi.json`).
//!
//! Auth: `POST /request/token` with `Basic base64(client_key:secret_key)` and the keys
//! in the body, then `Bearer <token>` on every call; the token (30 minutes) is cached.
//! Prices are whole won. Bootpay publishes no status list: `pay_at` or status 1 means
//! paid, 20 cancelled, anything else open until its deadline (kept raw in the log).

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

/// Maps a Bootpay invoice into PayDesk's lifecycle (tested row by row).
pub fn map_status(status: &serde_json::Value, paid: bool) -> Status {
    let code = match status {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    match code {
        Some(20) => Status::Cancelled,
        _ if paid => Status::Paid,
        Some(1) => Status::Paid,
        _ => Status::Open,
    }
}

#[derive(Debug, Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expire_in: Option<i64>,
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
    list: Vec<Invoice>,
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

    async fn token(&self) -> Result<String> {
        self.token
            .get_or_fetch(|| async {
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
                        c.post(&url)
                            .header("Authorization", format!("Basic {basic}"))
                            .json(&body)
                    })
                    .await?;
                let t: TokenResponse = read(resp).await?;
                Ok((t.access_token, t.expire_in.unwrap_or(30 * 60)))
            })
            .await
    }

    /// Asks Bootpay to send the link to the customer again by SMS and/or KakaoTalk.
    pub async fn notify(&self, invoice_id: &str, send_types: &[i64]) -> Result<()> {
        let token = self.token().await?;
        let url = format!(
            "{}/invoices/{}/notify",
            self.base,
            segment(KIND, "invoice_id", invoice_id)?
        );
        let body = json!({ "send_types": send_types });
        let resp = self
            .http
            .send(Repeat::Unsafe, |c| {
                c.post(&url).bearer_auth(&token).json(&body)
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

fn remote(i: &Invoice, fallback_id: &str, url: Option<String>) -> RemoteInvoice {
    let paid = i.pay_at.as_deref().is_some_and(|p| !p.trim().is_empty());
    let status = map_status(&i.status, paid);
    let price = i.price.unwrap_or(0);
    RemoteInvoice {
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
    }
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
                user.insert("username".into(), json!(n));
            }
            if let Some(p) = &c.phone {
                // Bootpay expects Korean numbers the Korean way (01012345678).
                let local = p
                    .strip_prefix("+82")
                    .map(|r| format!("0{r}"))
                    .unwrap_or_else(|| p.clone());
                user.insert("phone".into(), json!(local));
            }
            if let Some(e) = &c.email {
                user.insert("email".into(), json!(e));
            }
            body["user"] = serde_json::Value::Object(user);
        }
        let token = self.token().await?;
        let url = format!("{}/invoices", self.base);
        let resp = self
            .http
            .send(Repeat::Unsafe, |c| {
                c.post(&url).bearer_auth(&token).json(&body)
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

    /// Bootpay has no lookup by order id: the newest links are searched for it.
    async fn find_by_order_id(&self, order_id: &str) -> Result<Option<RemoteInvoice>> {
        let token = self.token().await?;
        let url = format!("{}/invoices", self.base);
        for page in 1..=3 {
            let page_s = page.to_string();
            let resp = self
                .http
                .send(Repeat::Safe, |c| {
                    c.get(&url)
                        .bearer_auth(&token)
                        .query(&[("page", page_s.as_str()), ("limit", "100")])
                })
                .await?;
            let list: InvoiceList = read(resp).await?;
            if let Some(i) = list
                .list
                .iter()
                .find(|i| i.order_id.as_deref() == Some(order_id))
            {
                return Ok(Some(remote(i, "", None)));
            }
            if list.list.len() < 100 {
                break;
            }
        }
        Ok(None)
    }

    async fn get(&self, provider_id: &str) -> Result<RemoteInvoice> {
        let token = self.token().await?;
        let url = format!(
            "{}/invoices/{}",
            self.base,
            segment(KIND, "provider_id", provider_id)?
        );
        let resp = self
            .http
            .send(Repeat::Safe, |c| c.get(&url).bearer_auth(&token))
            .await?;
        let i: Invoice = read(resp).await?;
        Ok(remote(&i, provider_id, None))
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
    fn statuses_map() {
        let rows = [
            (json!(0), false, Status::Open),
            (json!(1), false, Status::Paid),
            (json!("1"), false, Status::Paid),
            (json!(2), true, Status::Paid),
            (json!(20), false, Status::Cancelled),
            (json!(20), true, Status::Cancelled),
            (json!("unknown"), false, Status::Open),
            (serde_json::Value::Null, false, Status::Open),
        ];
        for (s, paid, expected) in rows {
            assert_eq!(map_status(&s, paid), expected, "{s} paid={paid}");
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
