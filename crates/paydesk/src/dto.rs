//! The inputs of the use cases, as the window sends them and the command reads them
//! (with the `cli` feature they are the `paydesk` command's arguments too): plain
//! fields, checked by the use case that takes them.

use paydesk_core::LinkFields;
use paydesk_secrets::SecretString;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A new provider account, as typed (validated here).
#[derive(Debug, Default, Deserialize, ts_rs::TS)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
#[ts(optional_fields)]
pub struct NewAccount {
    pub name: String,
    #[ts(as = "paydesk_core::ProviderKind")]
    #[cfg_attr(feature = "cli", arg(long))]
    pub provider: String,
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub base_url: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub store_id: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub channel_key: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub mode: Option<String>,
    /// The merchant's own page the customer lands on after paying (BitroPay, PIPE).
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub redirect_url: Option<String>,
    /// The merchant's own server that receives the provider's payment notices (PIPE:
    /// under the app URL registered with PIPE; BitroPay).
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub callback_url: Option<String>,
    /// Secret name → value, straight to the keyring.
    #[serde(skip)]
    #[cfg_attr(feature = "cli", arg(skip))]
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
#[cfg_attr(feature = "cli", derive(clap::Args))]
#[ts(optional_fields)]
pub struct NewLink {
    #[cfg_attr(feature = "cli", arg(long))]
    pub account: String,
    #[cfg_attr(feature = "cli", arg(long))]
    pub name: String,
    #[cfg_attr(feature = "cli", arg(long, allow_hyphen_values = true))]
    pub amount: String,
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub currency: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long, allow_hyphen_values = true))]
    pub tax_free: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long, allow_hyphen_values = true))]
    pub expires_in: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub expires_at: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long = "customer"))]
    pub customer_id: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub customer_name: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub phone: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub email: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub order_id: Option<String>,
    /// Send the link to the customer once it exists: `sms`, `alimtalk`, `email`, `provider`.
    #[serde(default)]
    #[ts(as = "Option<Vec<paydesk_notify::Via>>")]
    #[cfg_attr(feature = "cli", arg(long))]
    pub send: Vec<String>,
    /// The channel to send through (otherwise the first that can).
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub channel: Option<String>,
    /// The customer's language for the message (otherwise from the phone number, or ko).
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub lang: Option<String>,
    /// Also save the typed name, phone and e-mail on the customer they matched (without
    /// it the saved customer stays as it was; the link goes to what was typed either way).
    #[serde(default)]
    #[ts(as = "Option<bool>")]
    #[cfg_attr(feature = "cli", arg(long))]
    pub update_customer: bool,
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
            store_currency: None,
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
#[cfg_attr(feature = "cli", derive(clap::Args))]
#[ts(optional_fields)]
pub struct NewChannel {
    pub name: String,
    #[ts(as = "paydesk_notify::ChannelKind")]
    #[cfg_attr(feature = "cli", arg(long))]
    pub kind: String,
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub host: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub port: Option<u16>,
    /// starttls (default, port 587), tls (465) or none (a local relay).
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub tls: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub username: Option<String>,
    /// The sender, e.g. "하나상회 <shop@hana.kr>".
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub from: Option<String>,
    /// A PEM file with a private mail server's certificate authority.
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub ca_file: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub base_url: Option<String>,
    /// The sending number (Solapi: registered sender; Twilio: +1… or MG… service SID).
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub sender: Option<String>,
    /// KakaoTalk channel id (AlimTalk).
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub pf_id: Option<String>,
    /// Approved AlimTalk template id.
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub template_id: Option<String>,
    /// Send an SMS instead when AlimTalk is refused.
    #[serde(default)]
    #[ts(as = "Option<bool>")]
    #[cfg_attr(feature = "cli", arg(long))]
    pub alimtalk_fallback: bool,
    #[serde(skip)]
    #[cfg_attr(feature = "cli", arg(skip))]
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
