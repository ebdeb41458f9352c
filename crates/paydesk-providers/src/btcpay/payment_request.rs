//! BTCPay payment requests: long-lived pages a customer can pay in parts.

use chrono::{DateTime, Utc};
use paydesk_core::Money;
use serde::Deserialize;
use serde_json::json;

use super::wire::check;
use super::{Btcpay, KIND};
use crate::http::{decode, segment, Repeat};
use crate::Result;

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
