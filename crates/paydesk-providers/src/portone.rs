//! PortOne (iamport) v1 convenience-store payments (`../shared/specs/portone-v1.swagger.json`).
//!
//! Auth: an access token from `/users/getToken` (imp_key / imp_secret), cached until
//! shortly before it expires — one token request for many calls, also under
//! concurrency. Requests are form-encoded; every answer is `{code, message, response}`
//! and a `code` other than 0 is PortOne refusing, in its own words.

use std::sync::Arc;

use async_trait::async_trait;
use paydesk_core::{
    Capabilities, Currency, InvoiceKind, Money, PaymentFlags, ProviderKind, Status,
};
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::http::{parse_json, read_text, segment, short, Http, Repeat, TokenCache};
use crate::registry::ProviderSpec;
use crate::{
    CreateRequest, Provider, ProviderError, RefundRequest, Refunded, RemoteInvoice, Result,
};

const KIND: ProviderKind = ProviderKind::Portone;
pub const DEFAULT_BASE_URL: &str = "https://api.iamport.kr";

/// PortOne v1: convenience-store payment numbers, cancelled and refunded (in part too).
pub const SPEC: ProviderSpec = ProviderSpec {
    kind: KIND,
    capabilities: Capabilities {
        links: false,
        cvs: true,
        cancel: true,
        refund: true,
        partial_refund: true,
        notify_customer: false,
        refund_later: false,
        cash_refund_account: true,
        status_by_callback: false,
        notices: true,
    },
    settings: &["channel_key", "base_url", "public_url"],
    required: &[],
    secrets: &["imp_key", "imp_secret"],
    default_base_url: Some(DEFAULT_BASE_URL),
    build: |mut a| {
        let base = a.base_url()?;
        let http = Http::new(KIND)?;
        let channel_key = a.setting("channel_key");
        Ok(Arc::new(Portone::new(
            http,
            &base,
            channel_key,
            a.secret("imp_key")?,
            a.secret("imp_secret")?,
        )))
    },
};

/// Maps a PortOne payment into PayDesk's lifecycle (tested row by row).
pub fn map_status(status: &str, amount: i64, cancel_amount: i64, paid_at: i64) -> Option<Status> {
    Some(match status {
        "ready" => Status::Open,
        "paid" if cancel_amount <= 0 => Status::Paid,
        "paid" if cancel_amount < amount => Status::PartiallyRefunded,
        "paid" => Status::Refunded,
        "cancelled" if paid_at > 0 => Status::Refunded,
        "cancelled" => Status::Cancelled,
        "failed" => Status::Failed,
        _ => return None,
    })
}

#[derive(Debug, Deserialize)]
struct Envelope<T> {
    #[serde(default)]
    code: Option<i64>,
    #[serde(default)]
    message: Option<String>,
    response: Option<T>,
}

#[derive(Debug, Deserialize)]
struct Token {
    access_token: String,
    expired_at: i64,
    now: i64,
}

#[derive(Debug, Deserialize)]
struct Payment {
    imp_uid: String,
    merchant_uid: String,
    amount: serde_json::Number,
    cancel_amount: serde_json::Number,
    currency: String,
    status: String,
    #[serde(default)]
    paid_at: Option<i64>,
    #[serde(default)]
    vbank_num: Option<String>,
    #[serde(default)]
    receipt_url: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Portone {
    http: Http,
    base: String,
    channel_key: Option<String>,
    imp_key: SecretString,
    imp_secret: SecretString,
    token: TokenCache,
}

/// A whole number of won from a JSON number, exactly, or an error naming the field.
fn whole(field: &str, n: &serde_json::Number) -> Result<i64> {
    if let Some(i) = n.as_i64() {
        return Ok(i);
    }
    let malformed = || ProviderError::Malformed {
        provider: KIND,
        field: field.into(),
        message: format!("{n} is not a whole amount of won"),
    };
    let text = n.to_string();
    let trimmed = text.strip_suffix(".0").ok_or_else(malformed)?;
    trimmed.parse::<i64>().map_err(|_| malformed())
}

fn refused(code: Option<i64>, message: Option<String>) -> ProviderError {
    ProviderError::Rejected {
        provider: KIND,
        code: code.map(|c| c.to_string()),
        message: message.unwrap_or_else(|| "no message".into()),
    }
}

impl Portone {
    pub fn new(
        http: Http,
        base_url: &str,
        channel_key: Option<String>,
        imp_key: SecretString,
        imp_secret: SecretString,
    ) -> Self {
        Portone {
            http,
            base: base_url.trim_end_matches('/').to_string(),
            channel_key,
            imp_key,
            imp_secret,
            token: TokenCache::default(),
        }
    }

    /// A new access token and its lifetime in seconds.
    async fn fetch_token(&self) -> Result<(String, i64)> {
        let url = format!("{}/users/getToken", self.base);
        let resp = self
            .http
            .send(Repeat::Safe, |c| {
                c.post(&url).form(&[
                    ("imp_key", self.imp_key.expose_secret()),
                    ("imp_secret", self.imp_secret.expose_secret()),
                ])
            })
            .await?;
        let token: Token = self.read(resp).await?;
        Ok((
            token.access_token,
            token.expired_at.saturating_sub(token.now),
        ))
    }

    /// Sends a request with the access token (fetched once, reused until a minute before
    /// it expires, asked for again once if PortOne refuses it).
    async fn authed(
        &self,
        repeat: Repeat,
        make: impl Fn(&reqwest::Client, &str) -> reqwest::RequestBuilder,
    ) -> Result<reqwest::Response> {
        self.token
            .send(&self.http, repeat, || self.fetch_token(), make)
            .await
    }

    /// Reads `{code, message, response}`: PortOne's refusals become errors in its words.
    async fn read<T: DeserializeOwned>(&self, resp: reqwest::Response) -> Result<T> {
        let status = resp.status();
        let body = read_text(resp).await;
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return Err(ProviderError::Auth {
                provider: KIND,
                message: envelope_message(&body).unwrap_or_else(|| format!("HTTP {status}")),
            });
        }
        if status == StatusCode::NOT_FOUND {
            return Err(ProviderError::NotFound {
                provider: KIND,
                id: envelope_message(&body).unwrap_or_else(|| short(&body)),
            });
        }
        if !status.is_success() {
            let env: Option<Envelope<serde_json::Value>> = serde_json::from_str(&body).ok();
            return Err(match env {
                Some(e) => refused(e.code, e.message),
                None => refused(Some(status.as_u16() as i64), Some(short(&body))),
            });
        }
        let env: Envelope<T> = parse_json(KIND, body.as_bytes())?;
        match (env.code.unwrap_or(0), env.response) {
            (0, Some(r)) => Ok(r),
            (0, None) => Err(ProviderError::Malformed {
                provider: KIND,
                field: "response".into(),
                message: "missing".into(),
            }),
            (code, _) => Err(refused(Some(code), env.message)),
        }
    }

    async fn payment(&self, resp: reqwest::Response) -> Result<RemoteInvoice> {
        let p: Payment = self.read(resp).await?;
        remote(&p)
    }
}

fn envelope_message(body: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    v.get("message")?.as_str().map(str::to_string)
}

fn remote(p: &Payment) -> Result<RemoteInvoice> {
    let currency: Currency = p.currency.parse().map_err(|_| ProviderError::Malformed {
        provider: KIND,
        field: "response.currency".into(),
        message: format!("{:?} is not a currency PayDesk keeps", p.currency),
    })?;
    let amount = crate::http::amount(
        KIND,
        "response.amount",
        whole("response.amount", &p.amount)?,
        currency,
    )?;
    let cancel = crate::http::amount(
        KIND,
        "response.cancel_amount",
        whole("response.cancel_amount", &p.cancel_amount)?,
        currency,
    )?;
    let paid_at = p.paid_at.unwrap_or(0);
    let status =
        map_status(&p.status, amount, cancel, paid_at).ok_or_else(|| ProviderError::Malformed {
            provider: KIND,
            field: "response.status".into(),
            message: format!("unknown status {:?}", p.status),
        })?;
    let paid = match status {
        Status::Paid | Status::PartiallyRefunded | Status::Refunded => amount,
        _ => 0,
    };
    let _ = &p.receipt_url;
    Ok(RemoteInvoice {
        provider_id: p.imp_uid.clone(),
        order_id: p.merchant_uid.clone(),
        status,
        flags: PaymentFlags::default(),
        paid_minor: paid,
        refunded_minor: cancel,
        currency: Some(currency),
        payment_url: None,
        payment_number: p.vbank_num.clone().filter(|n| !n.is_empty()),
        raw_status: if cancel > 0 {
            format!("{} (cancelled {cancel} of {amount})", p.status)
        } else {
            p.status.clone()
        },
    })
}

fn won(m: Money) -> Result<String> {
    if m.currency() != Currency::Krw {
        return Err(ProviderError::Rejected {
            provider: KIND,
            code: None,
            message: format!(
                "PortOne convenience-store payments are in KRW, not {}",
                m.currency()
            ),
        });
    }
    Ok(m.minor().to_string())
}

#[async_trait]
impl Provider for Portone {
    fn kind(&self) -> ProviderKind {
        KIND
    }

    async fn create(&self, req: &CreateRequest) -> Result<RemoteInvoice> {
        if req.kind != InvoiceKind::Cvs {
            return Err(ProviderError::Unsupported {
                provider: KIND,
                operation: "make payment links here (it issues convenience-store payment numbers: use cvs issue)",
            });
        }
        let channel_key = self
            .channel_key
            .clone()
            .ok_or_else(|| ProviderError::Rejected {
                provider: KIND,
                code: None,
                message: "the account has no channel key".into(),
            })?;
        let amount = won(req.amount)?;
        let mut form: Vec<(&str, String)> = vec![
            ("channel_key", channel_key),
            ("merchant_uid", req.order_id.clone()),
            ("amount", amount),
            ("expired_at", req.expires_at.timestamp().to_string()),
            ("name", req.name.chars().take(40).collect()),
        ];
        if let Some(c) = &req.customer {
            if let Some(n) = &c.name {
                form.push(("buyer_name", n.chars().take(16).collect()));
            }
            if let Some(e) = &c.email {
                form.push(("buyer_email", e.clone()));
            }
            if let Some(p) = &c.phone {
                // Korean PGs take the national digits (01012345678), not E.164.
                form.push((
                    "buyer_tel",
                    paydesk_core::Phone::from_e164(p.clone()).korean_digits(),
                ));
            }
        }
        // The store server's address: PortOne tells it of the payment (a "check now").
        if let Some(u) = &req.callback_url {
            form.push(("notice_url", u.clone()));
        }
        let url = format!("{}/cvs", self.base);
        let resp = self
            .authed(Repeat::Unsafe, |c, token| {
                c.post(&url).bearer_auth(token).form(&form)
            })
            .await?;
        self.payment(resp).await
    }

    async fn find_by_order_id(&self, order_id: &str) -> Result<Option<RemoteInvoice>> {
        let url = format!(
            "{}/payments/find/{}",
            self.base,
            segment(KIND, "order_id", order_id)?
        );
        let resp = self
            .authed(Repeat::Safe, |c, token| c.get(&url).bearer_auth(token))
            .await?;
        match self.payment(resp).await {
            Ok(r) => Ok(Some(r)),
            Err(ProviderError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `GET /payments?merchant_uid[]=…`: many payments in one request. A payment PayDesk
    /// cannot read is left out here; its own lookup then says what is wrong with it.
    async fn get_many(&self, order_ids: &[&str]) -> Result<Option<Vec<RemoteInvoice>>> {
        let url = format!("{}/payments", self.base);
        let query: Vec<(&str, &str)> = order_ids.iter().map(|o| ("merchant_uid[]", *o)).collect();
        let resp = self
            .authed(Repeat::Safe, |c, token| {
                c.get(&url).bearer_auth(token).query(&query)
            })
            .await?;
        let list: Vec<Payment> = self.read(resp).await?;
        Ok(Some(list.iter().filter_map(|p| remote(p).ok()).collect()))
    }

    async fn get(&self, provider_id: &str) -> Result<RemoteInvoice> {
        let url = format!(
            "{}/payments/{}",
            self.base,
            segment(KIND, "provider_id", provider_id)?
        );
        let resp = self
            .authed(Repeat::Safe, |c, token| {
                // Without it a test channel's payments answer 404; a payment looked up by
                // its own imp_uid is this merchant's either way.
                c.get(&url)
                    .bearer_auth(token)
                    .query(&[("include_sandbox", "true")])
            })
            .await?;
        self.payment(resp).await
    }

    /// Revokes an unpaid payment number.
    async fn cancel(&self, provider_id: &str) -> Result<RemoteInvoice> {
        let url = format!(
            "{}/cvs/{}",
            self.base,
            segment(KIND, "provider_id", provider_id)?
        );
        let resp = self
            .authed(Repeat::Unsafe, |c, token| c.delete(&url).bearer_auth(token))
            .await?;
        self.payment(resp).await
    }

    /// Cancels a paid payment, all or `amount`, with PayDesk's refundable amount as
    /// PortOne's `checksum`: a refund asked on a stale view is refused by PortOne, and a
    /// retry after a lost answer finds its first attempt already made instead of making
    /// a second.
    async fn refund(&self, req: &RefundRequest<'_>) -> Result<Refunded> {
        let current = self.get(req.provider_id).await?;
        let refundable = current.paid_minor - current.refunded_minor;
        let asked = req.amount.unwrap_or(req.left).minor();
        if refundable != req.left.minor() {
            // Exactly this refund less is left: the earlier attempt went through.
            if req.left.minor() - refundable == asked {
                return Ok(Refunded {
                    earlier: true,
                    ..Refunded::made(current, req.amount)
                });
            }
            return Err(ProviderError::Rejected {
                provider: KIND,
                code: Some("checksum".into()),
                message: format!(
                    "PortOne can refund {refundable} won of this payment, PayDesk counted {}: \
                     a refund was made elsewhere; check the invoice, then refund again",
                    req.left.minor()
                ),
            });
        }
        let mut form: Vec<(&str, String)> = vec![
            ("imp_uid", req.provider_id.to_string()),
            ("checksum", refundable.to_string()),
        ];
        if let Some(a) = req.amount {
            form.push(("amount", won(a)?));
        }
        // A cash (convenience-store / virtual account) payment is given back by transfer.
        if let Some(to) = req.to_account {
            form.push(("refund_holder", to.holder.as_str().to_string()));
            form.push(("refund_bank", to.bank.to_string()));
            form.push(("refund_account", to.number.clone()));
        }
        let url = format!("{}/payments/cancel", self.base);
        let resp = self
            .authed(Repeat::Unsafe, |c, token| {
                c.post(&url).bearer_auth(token).form(&form)
            })
            .await?;
        Ok(Refunded::made(self.payment(resp).await?, req.amount))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_status_maps() {
        let rows = [
            ("ready", 0, 0, Status::Open),
            ("paid", 0, 1_700_000_000, Status::Paid),
            ("paid", 1000, 1_700_000_000, Status::PartiallyRefunded),
            ("paid", 29900, 1_700_000_000, Status::Refunded),
            ("cancelled", 0, 0, Status::Cancelled),
            ("cancelled", 29900, 1_700_000_000, Status::Refunded),
            ("failed", 0, 0, Status::Failed),
        ];
        for (s, cancel, paid_at, expected) in rows {
            assert_eq!(
                map_status(s, 29900, cancel, paid_at),
                Some(expected),
                "{s} {cancel}"
            );
        }
        assert_eq!(map_status("string", 1, 0, 0), None);
    }

    #[test]
    fn amounts_past_what_paydesk_keeps_are_refused() {
        // Found by tests/hostile_answers.rs: a cancel of 10^15 won was taken as a refund.
        for (amount, cancel, field) in [
            (3000, 1_000_000_000_000_000i64, "response.cancel_amount"),
            (-3000, 0, "response.amount"),
        ] {
            let p: Payment = serde_json::from_value(serde_json::json!({
                "imp_uid": "imp_1", "merchant_uid": "PD-1", "amount": amount,
                "cancel_amount": cancel, "currency": "KRW", "status": "ready"
            }))
            .unwrap();
            assert!(matches!(
                remote(&p),
                Err(ProviderError::Malformed { field: ref f, .. }) if f == field
            ));
        }
    }

    #[test]
    fn amounts_are_whole_won_or_refused() {
        let n = |s: &str| serde_json::from_str::<serde_json::Number>(s).unwrap();
        assert_eq!(whole("a", &n("29900")).unwrap(), 29900);
        assert_eq!(whole("a", &n("29900.0")).unwrap(), 29900);
        assert!(whole("a", &n("29900.5")).is_err());
        assert!(whole("a", &n("1e30")).is_err());
        assert!(won(Money::parse("12.34", Currency::Usd).unwrap()).is_err());
    }
}
