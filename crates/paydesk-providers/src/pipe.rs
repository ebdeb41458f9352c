//! PIPE PG (`../shared/specs/pipe.openapi.json`): multipart forms with the `api_key` as a
//! form field, the envelope `{code, message, data}` with `code` 1 for success, invoice
//! `status` 1–4 and `deposit_status` 0–2. Prices are KRW or USD with up to 2 decimals.

use std::sync::Arc;

use async_trait::async_trait;
use paydesk_core::{Capabilities, Currency, Money, PaymentFlags, ProviderKind, Status};
use reqwest::multipart::Form;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::http::{parse_json, read_text, short, Http, Repeat};
use crate::registry::ProviderSpec;
use crate::{
    CreateRequest, Provider, ProviderError, RefundRequest, Refunded, RemoteInvoice, Result,
};

const KIND: ProviderKind = ProviderKind::Pipe;
pub const DEFAULT_BASE_URL: &str = "https://pay.pipeblockchain.com";

/// PIPE: links, refunded in full.
pub const SPEC: ProviderSpec = ProviderSpec {
    kind: KIND,
    capabilities: Capabilities {
        links: true,
        cvs: false,
        cancel: false,
        refund: true,
        partial_refund: false,
        notify_customer: false,
        refund_later: true,
        cash_refund_account: false,
        status_by_callback: false,
        notices: true,
    },
    settings: &["base_url", "callback_url", "public_url"],
    // PIPE takes callbacks only under the app URL registered with it: the merchant's.
    required: &["callback_url"],
    secrets: &["api_key"],
    default_base_url: Some(DEFAULT_BASE_URL),
    build: |mut a| {
        let base = a.base_url()?;
        let http = Http::new(KIND)?;
        let callback = a.setting("callback_url");
        Ok(Arc::new(Pipe::new(
            http,
            &base,
            a.secret("api_key")?,
            callback,
        )))
    },
};
/// PIPE requires a callback URL; PayDesk polls instead, so unless the merchant runs a
/// receiver (account setting `callback_url`), callbacks go to a name that never resolves.
pub const NO_CALLBACK: &str = "https://paydesk.invalid/pipe-callback";

/// Maps `status` + `deposit_status` into PayDesk's lifecycle (tested row by row).
pub fn map_status(status: i64, deposit: i64) -> Option<(Status, PaymentFlags)> {
    let none = PaymentFlags::default();
    let deposited = matches!(deposit, 1 | 2);
    if !(0..=2).contains(&deposit) {
        return None;
    }
    Some(match status {
        1 if deposited => (Status::PaidUnconfirmed, none),
        1 => (Status::Open, none),
        2 => (Status::Paid, none),
        // Money arriving for an expired invoice is late money, never a plain expiry.
        3 if deposited => (
            Status::PaidUnconfirmed,
            PaymentFlags {
                paid_late: true,
                ..none
            },
        ),
        3 => (Status::Expired, none),
        4 => (Status::Refunded, none),
        _ => return None,
    })
}

#[derive(Debug, Deserialize)]
struct Envelope<T> {
    code: serde_json::Value,
    #[serde(default)]
    message: Option<String>,
    data: Option<T>,
}

#[derive(Debug, Deserialize)]
struct Created {
    invoice_id: String,
    invoice_url: String,
}

#[derive(Debug, Deserialize)]
struct Invoice {
    invoice_id: String,
    #[serde(default)]
    order_id: Option<String>,
    price: serde_json::Value,
    price_currency: String,
    status: serde_json::Value,
    #[serde(default)]
    deposit_status: serde_json::Value,
}

fn int(field: &str, v: &serde_json::Value) -> Result<i64> {
    match v {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        serde_json::Value::Null => Some(0),
        _ => None,
    }
    .ok_or_else(|| ProviderError::Malformed {
        provider: KIND,
        field: field.into(),
        message: format!("{v} is not a whole number"),
    })
}

#[derive(Debug, Clone)]
pub struct Pipe {
    http: Http,
    base: String,
    api_key: SecretString,
    callback_url: String,
}

impl Pipe {
    pub fn new(
        http: Http,
        base_url: &str,
        api_key: SecretString,
        callback_url: Option<String>,
    ) -> Self {
        Pipe {
            http,
            base: base_url.trim_end_matches('/').to_string(),
            api_key,
            callback_url: callback_url.unwrap_or_else(|| NO_CALLBACK.to_string()),
        }
    }

    fn form(&self, fields: &[(&'static str, String)]) -> Form {
        let mut form = Form::new().text("api_key", self.api_key.expose_secret().to_string());
        for (k, v) in fields {
            form = form.text(*k, v.clone());
        }
        form
    }

    async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        repeat: Repeat,
        fields: Vec<(&'static str, String)>,
    ) -> Result<T> {
        let url = format!("{}{path}", self.base);
        let resp = self
            .http
            .send(repeat, |c| c.post(&url).multipart(self.form(&fields)))
            .await?;
        let status = resp.status();
        let body = read_text(resp).await;
        if !status.is_success() {
            return Err(ProviderError::Rejected {
                provider: KIND,
                code: Some(status.as_u16().to_string()),
                message: short(&body),
            });
        }
        let env: Envelope<T> = parse_json(KIND, body.as_bytes())?;
        if int("code", &env.code)? != 1 {
            return Err(ProviderError::Rejected {
                provider: KIND,
                code: Some(env.code.to_string().trim_matches('"').to_string()),
                message: env.message.unwrap_or_else(|| "no message".into()),
            });
        }
        env.data.ok_or_else(|| ProviderError::Malformed {
            provider: KIND,
            field: "data".into(),
            message: "missing".into(),
        })
    }
}

fn price(m: Money) -> Result<String> {
    match m.currency() {
        Currency::Krw | Currency::Usd => Ok(m.to_plain()),
        c => Err(ProviderError::Rejected {
            provider: KIND,
            code: None,
            message: format!("PIPE prices are in KRW or USD, not {c}"),
        }),
    }
}

fn remote(i: &Invoice) -> Result<RemoteInvoice> {
    let status = int("data.status", &i.status)?;
    let deposit = int("data.deposit_status", &i.deposit_status)?;
    let (s, flags) = map_status(status, deposit).ok_or_else(|| ProviderError::Malformed {
        provider: KIND,
        field: "data.status".into(),
        message: format!("unknown status {status} / deposit_status {deposit}"),
    })?;
    let currency: Currency = i
        .price_currency
        .parse()
        .map_err(|_| ProviderError::Malformed {
            provider: KIND,
            field: "data.price_currency".into(),
            message: format!("{:?} is not a currency PayDesk keeps", i.price_currency),
        })?;
    let text = match &i.price {
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let amount = Money::parse(&text, currency).map_err(|e| ProviderError::Malformed {
        provider: KIND,
        field: "data.price".into(),
        message: format!("{text:?} {e}"),
    })?;
    let paid = matches!(s, Status::Paid | Status::Refunded) || (s == Status::PaidUnconfirmed);
    Ok(RemoteInvoice {
        provider_id: i.invoice_id.clone(),
        order_id: i.order_id.clone().unwrap_or_default(),
        status: s,
        flags,
        paid_minor: if paid { amount.minor() } else { 0 },
        refunded_minor: if s == Status::Refunded {
            amount.minor()
        } else {
            0
        },
        currency: Some(currency),
        payment_url: None,
        payment_number: None,
        raw_status: format!("status {status}, deposit_status {deposit}"),
    })
}

#[async_trait]
impl Provider for Pipe {
    fn kind(&self) -> ProviderKind {
        KIND
    }

    async fn create(&self, req: &CreateRequest) -> Result<RemoteInvoice> {
        let fields = vec![
            ("price_currency", req.amount.currency().code().to_string()),
            ("price", price(req.amount)?),
            ("order_id", req.order_id.clone()),
            ("order_name", req.name.clone()),
            ("language", "kr".to_string()),
            // The store server's address when the account has one, else the account's.
            (
                "callback_url",
                req.callback_url
                    .clone()
                    .unwrap_or_else(|| self.callback_url.clone()),
            ),
        ];
        let created: Created = self
            .post("/api/v1/invoice/create", Repeat::Unsafe, fields)
            .await?;
        Ok(RemoteInvoice {
            provider_id: created.invoice_id,
            order_id: req.order_id.clone(),
            status: Status::Open,
            flags: PaymentFlags::default(),
            paid_minor: 0,
            refunded_minor: 0,
            currency: Some(req.amount.currency()),
            payment_url: Some(created.invoice_url),
            payment_number: None,
            raw_status: "created".into(),
        })
    }

    /// PIPE has no lookup by order id: an unknown outcome cannot be reconciled there.
    async fn find_by_order_id(&self, _order_id: &str) -> Result<Option<RemoteInvoice>> {
        Err(ProviderError::Unsupported {
            provider: KIND,
            operation: "look an invoice up by order id",
        })
    }

    async fn get(&self, provider_id: &str) -> Result<RemoteInvoice> {
        let i: Invoice = self
            .post(
                "/api/v1/invoice/get",
                Repeat::Safe,
                vec![("invoice_id", provider_id.to_string())],
            )
            .await?;
        remote(&i)
    }

    async fn cancel(&self, _provider_id: &str) -> Result<RemoteInvoice> {
        Err(ProviderError::Unsupported {
            provider: KIND,
            operation: "cancel an invoice (it expires at its deadline)",
        })
    }

    async fn refund(&self, req: &RefundRequest<'_>) -> Result<Refunded> {
        let provider_id = req.provider_id;
        if req.amount.is_some() {
            return Err(ProviderError::Unsupported {
                provider: KIND,
                operation: "refund part of an invoice",
            });
        }
        let before = self.get(provider_id).await?;
        let _: serde_json::Value = self
            .post(
                "/api/v1/invoice/refund",
                Repeat::Unsafe,
                vec![
                    ("invoice_id", provider_id.to_string()),
                    ("callback_url", self.callback_url.clone()),
                ],
            )
            .await?;
        // PIPE does the refund later (its refund statuses: requested, in progress, done,
        // failed); the invoice shows status 4 once it is done.
        Ok(Refunded::made(
            RemoteInvoice {
                raw_status: format!("{}; refund requested", before.raw_status),
                ..before
            },
            None,
        ))
    }

    /// PIPE's test-callback endpoint: proves the key and shows what the callback URL answered.
    async fn check(&self) -> Result<String> {
        let data: serde_json::Value = self
            .post(
                "/api/v1/test/callback",
                Repeat::Safe,
                vec![
                    ("invoice_id", "PAYDESK-CONNECTION-TEST".into()),
                    ("callback_url", self.callback_url.clone()),
                ],
            )
            .await?;
        let answer = data
            .get("response")
            .map(|r| r.to_string())
            .unwrap_or_default();
        Ok(format!(
            "pipe accepted the key; the test callback was answered {answer}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_status_maps() {
        let none = PaymentFlags::default();
        let late = PaymentFlags {
            paid_late: true,
            ..none
        };
        let rows = [
            (1, 0, Status::Open, none),
            (1, 1, Status::PaidUnconfirmed, none),
            (1, 2, Status::PaidUnconfirmed, none),
            (2, 1, Status::Paid, none),
            (2, 0, Status::Paid, none),
            (3, 0, Status::Expired, none),
            (3, 1, Status::PaidUnconfirmed, late),
            (4, 1, Status::Refunded, none),
        ];
        for (s, d, status, flags) in rows {
            assert_eq!(map_status(s, d), Some((status, flags)), "{s}/{d}");
        }
        assert_eq!(map_status(5, 0), None);
        assert_eq!(map_status(1, 3), None);
    }

    #[test]
    fn prices_are_exact() {
        let i = |price: serde_json::Value, currency: &str| Invoice {
            invoice_id: "i".into(),
            order_id: None,
            price,
            price_currency: currency.into(),
            status: serde_json::json!("2"),
            deposit_status: serde_json::json!("1"),
        };
        assert_eq!(
            remote(&i(serde_json::json!(10500), "KRW"))
                .unwrap()
                .paid_minor,
            10500
        );
        assert_eq!(
            remote(&i(serde_json::json!(10.5), "USD"))
                .unwrap()
                .paid_minor,
            1050
        );
        assert!(remote(&i(serde_json::json!(10.005), "USD")).is_err());
        assert!(price(Money::parse("0.1", Currency::Btc).unwrap()).is_err());
    }
}
