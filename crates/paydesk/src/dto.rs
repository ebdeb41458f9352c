//! The inputs of the use cases, as the window sends them and the command builds them:
//! plain fields, checked by the use case that takes them.

use paydesk_core::LinkFields;
use paydesk_secrets::SecretString;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A new provider account, as typed (validated here).
#[derive(Debug, Default, Deserialize, ts_rs::TS)]
#[ts(optional_fields)]
pub struct NewAccount {
    pub name: String,
    #[ts(as = "paydesk_core::ProviderKind")]
    pub provider: String,
    #[serde(default)]
    pub base_url: Option<String>,
    #[serde(default)]
    pub store_id: Option<String>,
    #[serde(default)]
    pub channel_key: Option<String>,
    #[serde(default)]
    pub mode: Option<String>,
    /// Secret name → value, straight to the keyring.
    #[serde(skip)]
    pub secrets: Vec<(String, SecretString)>,
}

#[derive(Debug, Default, Clone, Deserialize, ts_rs::TS)]
#[ts(optional_fields)]
pub struct NewCustomer {
    pub name: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

/// A new payment link, as typed in the form or on the command line.
#[derive(Debug, Default, Clone, Deserialize, ts_rs::TS)]
#[ts(optional_fields)]
pub struct NewLink {
    pub account: String,
    pub name: String,
    pub amount: String,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub tax_free: Option<String>,
    #[serde(default)]
    pub expires_in: Option<String>,
    #[serde(default)]
    pub expires_at: Option<String>,
    #[serde(default)]
    pub customer_id: Option<String>,
    #[serde(default)]
    pub customer_name: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub order_id: Option<String>,
    /// Send the link to the customer once it exists: `sms`, `alimtalk`, `email`, `provider`.
    #[serde(default)]
    #[ts(as = "Option<Vec<paydesk_notify::Via>>")]
    pub send: Vec<String>,
    /// The channel to send through (otherwise the first that can).
    #[serde(default)]
    pub channel: Option<String>,
    /// The customer's language for the message (otherwise from the phone number, or ko).
    #[serde(default)]
    pub lang: Option<String>,
}

impl NewLink {
    /// The fields the core parses into a `LinkDraft` (the rest are the engine's: the
    /// account, the customer, what to send).
    pub fn fields(&self) -> LinkFields<'_> {
        LinkFields {
            name: &self.name,
            amount: &self.amount,
            currency: self.currency.as_deref(),
            tax_free: self.tax_free.as_deref(),
            expires_in: self.expires_in.as_deref(),
            expires_at: self.expires_at.as_deref(),
            order_id: self.order_id.as_deref(),
        }
    }
}

#[derive(Debug, Default, Clone, Deserialize, Serialize, ts_rs::TS)]
#[ts(optional_fields = nullable)]
pub struct ListQuery {
    #[serde(default)]
    #[ts(as = "Option<paydesk_core::Status>")]
    pub status: Option<String>,
    /// Only this customer's invoices (the customer book).
    #[serde(default)]
    pub customer: Option<String>,
    /// Only invoices created from / to these days (`YYYY-MM-DD`, store's time zone, inclusive).
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub account: Option<String>,
    #[serde(default)]
    pub search: Option<String>,
    #[serde(default)]
    #[ts(as = "Option<u32>")]
    pub limit: Option<i64>,
    #[serde(default)]
    #[ts(as = "Option<u32>")]
    pub offset: Option<i64>,
}

/// A new delivery channel, as typed.
#[derive(Debug, Default, Deserialize, TS)]
#[ts(optional_fields)]
pub struct NewChannel {
    pub name: String,
    #[ts(as = "paydesk_notify::ChannelKind")]
    pub kind: String,
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub tls: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub ca_file: Option<String>,
    #[serde(default)]
    pub base_url: Option<String>,
    #[serde(default)]
    pub sender: Option<String>,
    #[serde(default)]
    pub pf_id: Option<String>,
    #[serde(default)]
    pub template_id: Option<String>,
    #[serde(default)]
    #[ts(as = "Option<bool>")]
    pub alimtalk_fallback: bool,
    #[serde(skip)]
    pub secrets: Vec<(String, SecretString)>,
}

/// Send an invoice's link to its customer.
#[derive(Debug, Default, Clone, Deserialize, TS)]
#[ts(optional_fields)]
pub struct SendRequest {
    pub invoice: String,
    #[ts(as = "paydesk_notify::Via")]
    pub via: String,
    #[serde(default)]
    pub channel: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub lang: Option<String>,
}
