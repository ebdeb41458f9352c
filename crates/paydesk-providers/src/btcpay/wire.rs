//! What BTCPay's Greenfield API answers, read into PayDesk's types.

use chrono::{DateTime, Utc};
use paydesk_core::{Currency, Money, Status};
use reqwest::StatusCode;
use serde::Deserialize;

use super::{map_status, KIND};
use crate::http::{read_text, short};
use crate::{ProviderError, RemoteInvoice, Result};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct InvoiceData {
    pub(super) id: String,
    #[serde(default)]
    pub(super) checkout_link: Option<String>,
    pub(super) status: String,
    #[serde(default)]
    pub(super) additional_status: Option<String>,
    pub(super) amount: String,
    #[serde(default)]
    pub(super) paid_amount: Option<String>,
    pub(super) currency: String,
    #[serde(default)]
    pub(super) metadata: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PullPaymentData {
    pub(super) id: String,
    #[serde(default)]
    pub(super) description: Option<String>,
    #[serde(default)]
    pub(super) currency: Option<String>,
    #[serde(default)]
    pub(super) amount: Option<String>,
    #[serde(default)]
    pub(super) view_link: Option<String>,
}

/// Turns a non-success answer into the provider's own words.
pub(super) async fn check(resp: reqwest::Response) -> Result<reqwest::Response> {
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
pub(super) fn problem_message(body: &str) -> Option<String> {
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

pub(super) fn money(field: &str, s: &str, currency: Currency) -> Result<Money> {
    // BTCPay writes decimals with the scale they were kept at ("2.00000000"): zeros after
    // the last digit change nothing, so they are dropped (never rounded).
    let exact = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    };
    Money::parse(exact, currency).map_err(|e| ProviderError::Malformed {
        provider: KIND,
        field: field.into(),
        message: format!("{s:?} {e}"),
    })
}

pub(super) fn remote(d: &InvoiceData) -> Result<RemoteInvoice> {
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

pub(super) fn expiration_minutes(expires_at: DateTime<Utc>) -> i64 {
    let secs = (expires_at - Utc::now()).num_seconds().max(60);
    (secs + 59) / 60
}

#[derive(Debug, Deserialize)]
pub(super) struct ApiKeyData {
    #[serde(default)]
    pub(super) permissions: Vec<String>,
}
