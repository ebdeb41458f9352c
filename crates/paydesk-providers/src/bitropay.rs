//! BitroPay (`../shared/specs/bitropay.openapi.json`): the raw API key in
//! `Authorization`, a key check (`GET /api/v1`) and invoice creation (`POST
//! /api/v1/invoice`, KRW price → BTC amount and a gateway URL). BitroPay has no lookup
//! endpoint: statuses arrive only by callback, read with [`parse_callback`].

use std::sync::Arc;

use async_trait::async_trait;
use paydesk_core::{Capabilities, Currency, PaymentFlags, ProviderKind, Status};
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::json;

use crate::http::{parse_json, read_text, short, Http, Repeat};
use crate::registry::ProviderSpec;
use crate::{CreateRequest, Provider, ProviderError, RemoteInvoice, Result};

const KIND: ProviderKind = ProviderKind::Bitropay;
pub const DEFAULT_BASE_URL: &str = "https://www.bitro-pay.com";

/// BitroPay: links only.
pub const SPEC: ProviderSpec = ProviderSpec {
    kind: KIND,
    capabilities: Capabilities {
        links: true,
        cvs: false,
        cancel: false,
        refund: false,
        partial_refund: false,
        notify_customer: false,
        refund_later: false,
        cash_refund_account: false,
        status_by_callback: true,
        notices: false,
    },
    settings: &["base_url", "redirect_url", "public_url", "callback_url"],
    // Where the customer lands after paying: the merchant's own page (PayDesk has none).
    required: &["redirect_url"],
    secrets: &["api_key"],
    default_base_url: Some(DEFAULT_BASE_URL),
    build: |mut a| {
        let base = a.base_url()?;
        let http = Http::new(KIND)?;
        let (redirect, callback) = (a.setting("redirect_url"), a.setting("callback_url"));
        Ok(Arc::new(Bitropay::new(
            http,
            &base,
            a.secret("api_key")?,
            redirect,
            callback,
        )))
    },
};
/// BitroPay requires redirect and callback URLs; PayDesk has neither unless the merchant
/// sets them on the account (`redirect_url`, `callback_url`).
pub const NO_URL: &str = "https://paydesk.invalid/bitropay";

/// Maps all ten documented statuses into PayDesk's lifecycle (tested row by row).
pub fn map_status(status: &str) -> Option<(Status, PaymentFlags)> {
    let none = PaymentFlags::default();
    let under = PaymentFlags {
        underpaid: true,
        ..none
    };
    let over = PaymentFlags {
        overpaid: true,
        ..none
    };
    Some(match status {
        "wait" => (Status::Open, none),
        "ok" => (Status::PaidUnconfirmed, none),
        "amountLow" => (Status::PaidUnconfirmed, under),
        "amountOver" => (Status::PaidUnconfirmed, over),
        "confirmed" => (Status::Paid, none),
        "confirmedLow" => (Status::Paid, under),
        "confirmedOver" => (Status::Paid, over),
        "timeout" => (Status::Expired, none),
        "confirmFail" => (Status::Failed, none),
        "refund" => (Status::Refunded, none),
        _ => return None,
    })
}

#[derive(Debug, Deserialize)]
struct Envelope<T> {
    #[serde(default)]
    result: Option<String>,
    #[serde(rename = "resultCode", default)]
    result_code: Option<i64>,
    data: Option<T>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InvoiceData {
    invoice_id: String,
    #[serde(rename = "gatewayURL")]
    gateway_url: String,
    status: String,
    #[serde(default)]
    product_id: Option<String>,
}

/// The body BitroPay POSTs to the callback URL on every status change.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Callback {
    pub invoice_id: String,
    pub status: String,
    #[serde(default)]
    pub product_id: Option<String>,
    /// The price in KRW, as the invoice was made (checked against PayDesk's).
    #[serde(default)]
    pub product_price: Option<serde_json::Number>,
}

/// A callback read: the invoice's new state and the price the callback names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackSeen {
    /// The provider's view, as far as the callback tells it (no money figures).
    pub invoice: RemoteInvoice,
    /// The invoice's price the callback names, in won (none when it names none; an
    /// amount that is not whole won is an error).
    pub price_minor: Option<i64>,
}

/// Reads a callback, with the price it names (a receiver compares it with the invoice).
pub fn read_callback(body: &[u8]) -> Result<CallbackSeen> {
    // An object only: serde would read a struct from a JSON array by position too.
    if !serde_json::from_slice::<serde_json::Value>(body).is_ok_and(|v| v.is_object()) {
        return Err(ProviderError::Malformed {
            provider: KIND,
            field: "(body)".into(),
            message: "not a JSON object".into(),
        });
    }
    let c: Callback = parse_json(KIND, body)?;
    let price_minor = match &c.product_price {
        None => None,
        Some(n) => {
            Some(
                n.as_i64()
                    .filter(|p| *p >= 0)
                    .ok_or_else(|| ProviderError::Malformed {
                        provider: KIND,
                        field: "productPrice".into(),
                        message: format!("{n} is not a whole number of won"),
                    })?,
            )
        }
    };
    Ok(CallbackSeen {
        invoice: remote_of(c)?,
        price_minor,
    })
}

/// Reads a callback into PayDesk's view of the invoice (for a merchant-run receiver).
pub fn parse_callback(body: &[u8]) -> Result<RemoteInvoice> {
    read_callback(body).map(|c| c.invoice)
}

fn remote_of(c: Callback) -> Result<RemoteInvoice> {
    let (status, flags) = map_status(&c.status).ok_or_else(|| ProviderError::Malformed {
        provider: KIND,
        field: "status".into(),
        message: format!("unknown status {:?}", c.status),
    })?;
    Ok(RemoteInvoice {
        provider_id: c.invoice_id,
        order_id: c.product_id.unwrap_or_default(),
        status,
        flags,
        paid_minor: 0,
        refunded_minor: 0,
        currency: None,
        payment_url: None,
        payment_number: None,
        raw_status: c.status,
    })
}

#[derive(Debug, Clone)]
pub struct Bitropay {
    http: Http,
    base: String,
    api_key: SecretString,
    redirect_url: String,
    callback_url: String,
}

impl Bitropay {
    pub fn new(
        http: Http,
        base_url: &str,
        api_key: SecretString,
        redirect_url: Option<String>,
        callback_url: Option<String>,
    ) -> Self {
        Bitropay {
            http,
            base: base_url.trim_end_matches('/').to_string(),
            api_key,
            redirect_url: redirect_url.unwrap_or_else(|| NO_URL.to_string()),
            callback_url: callback_url.unwrap_or_else(|| NO_URL.to_string()),
        }
    }

    async fn read<T: DeserializeOwned>(&self, resp: reqwest::Response) -> Result<Envelope<T>> {
        let status = resp.status();
        let body = read_text(resp).await;
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            let message = serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v.get("result").and_then(|r| r.as_str()).map(str::to_string))
                .unwrap_or_else(|| format!("HTTP {status}"));
            return Err(ProviderError::Auth {
                provider: KIND,
                message,
            });
        }
        if !status.is_success() {
            return Err(ProviderError::Rejected {
                provider: KIND,
                code: Some(status.as_u16().to_string()),
                message: short(&body),
            });
        }
        let env: Envelope<T> = parse_json(KIND, body.as_bytes())?;
        match env.result_code {
            Some(200) | None => Ok(env),
            Some(code) => Err(ProviderError::Rejected {
                provider: KIND,
                code: Some(code.to_string()),
                message: env.result.unwrap_or_else(|| "no message".into()),
            }),
        }
    }
}

fn no_lookup() -> ProviderError {
    ProviderError::Unsupported {
        provider: KIND,
        operation: "look an invoice up (its statuses arrive only by callback)",
    }
}

#[async_trait]
impl Provider for Bitropay {
    fn kind(&self) -> ProviderKind {
        KIND
    }

    async fn create(&self, req: &CreateRequest) -> Result<RemoteInvoice> {
        if req.amount.currency() != Currency::Krw {
            return Err(ProviderError::Rejected {
                provider: KIND,
                code: None,
                message: format!("BitroPay prices are in KRW, not {}", req.amount.currency()),
            });
        }
        let body = json!({
            "productId": req.order_id,
            "productName": req.name,
            "productPrice": req.amount.minor(),
            "productCurrency": "KRW",
            "redirectURL": self.redirect_url,
            "callbackURL": req.callback_url.as_deref().unwrap_or(&self.callback_url),
        });
        let url = format!("{}/api/v1/invoice", self.base);
        let resp = self
            .http
            .send(Repeat::Unsafe, |c| {
                c.post(&url)
                    .header("Authorization", self.api_key.expose_secret())
                    .json(&body)
            })
            .await?;
        let env: Envelope<InvoiceData> = self.read(resp).await?;
        let d = env.data.ok_or_else(|| ProviderError::Malformed {
            provider: KIND,
            field: "data".into(),
            message: "missing".into(),
        })?;
        let (status, flags) = map_status(&d.status).ok_or_else(|| ProviderError::Malformed {
            provider: KIND,
            field: "data.status".into(),
            message: format!("unknown status {:?}", d.status),
        })?;
        Ok(RemoteInvoice {
            provider_id: d.invoice_id,
            order_id: d.product_id.unwrap_or_else(|| req.order_id.clone()),
            status,
            flags,
            paid_minor: 0,
            refunded_minor: 0,
            currency: Some(Currency::Krw),
            payment_url: Some(d.gateway_url),
            payment_number: None,
            raw_status: d.status,
        })
    }

    async fn find_by_order_id(&self, _order_id: &str) -> Result<Option<RemoteInvoice>> {
        Err(no_lookup())
    }

    async fn get(&self, _provider_id: &str) -> Result<RemoteInvoice> {
        Err(no_lookup())
    }

    async fn cancel(&self, _provider_id: &str) -> Result<RemoteInvoice> {
        Err(ProviderError::Unsupported {
            provider: KIND,
            operation: "cancel an invoice (it times out by itself)",
        })
    }

    async fn check(&self) -> Result<String> {
        let url = format!("{}/api/v1", self.base);
        let resp = self
            .http
            .send(Repeat::Safe, |c| {
                c.get(&url)
                    .header("Authorization", self.api_key.expose_secret())
            })
            .await?;
        let env: Envelope<serde_json::Value> = self.read(resp).await?;
        Ok(format!(
            "bitropay accepted the key ({})",
            env.result.unwrap_or_default()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_ten_statuses_map() {
        let rows = [
            ("wait", Status::Open, (false, false)),
            ("ok", Status::PaidUnconfirmed, (false, false)),
            ("amountLow", Status::PaidUnconfirmed, (true, false)),
            ("amountOver", Status::PaidUnconfirmed, (false, true)),
            ("confirmed", Status::Paid, (false, false)),
            ("confirmedLow", Status::Paid, (true, false)),
            ("confirmedOver", Status::Paid, (false, true)),
            ("timeout", Status::Expired, (false, false)),
            ("confirmFail", Status::Failed, (false, false)),
            ("refund", Status::Refunded, (false, false)),
        ];
        for (s, status, (under, over)) in rows {
            let (st, f) = map_status(s).unwrap();
            assert_eq!((st, f.underpaid, f.overpaid), (status, under, over), "{s}");
        }
        assert_eq!(map_status("paid"), None);
    }

    #[test]
    fn callbacks_are_read() {
        let r =
            parse_callback(br#"{"invoiceId":"Zi","no":"1","status":"confirmedLow","amount":0.01}"#)
                .unwrap();
        assert_eq!((r.status, r.flags.underpaid), (Status::Paid, true));
        assert!(matches!(
            parse_callback(br#"{"invoiceId":"Zi","status":"nope"}"#),
            Err(ProviderError::Malformed { .. })
        ));
        assert!(matches!(
            parse_callback(b"{"),
            Err(ProviderError::Malformed { .. })
        ));
        // Found by tests/hostile_callbacks.rs: serde reads a struct from an array too.
        assert!(matches!(
            parse_callback(br#"["Zi","confirmed"]"#),
            Err(ProviderError::Malformed { .. })
        ));
    }
}
