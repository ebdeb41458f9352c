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
    /// The merchant's name for the account (`a-z0-9-_`).
    pub name: String,
    /// Which provider it is (`bootpay`, `portone`, `btcpay`, `pipe`, `bitropay`).
    #[ts(as = "paydesk_core::ProviderKind")]
    #[cfg_attr(feature = "cli", arg(long))]
    pub provider: String,
    /// The provider's API address, when not its usual one (BTCPay: the merchant's server).
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub base_url: Option<String>,
    /// The BTCPay store the key belongs to.
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub store_id: Option<String>,
    /// The PortOne channel key of the convenience-store channel.
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub channel_key: Option<String>,
    /// `test` or `live`, where the provider has both.
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
    /// The public address of this shop's store server (`paydesk serve`: the merchant's
    /// own domain, reverse proxy or tunnel), where a provider that only calls back
    /// (BitroPay) reports each invoice's statuses.
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub public_url: Option<String>,
    /// Secret name → value, straight to the keyring.
    #[serde(skip)]
    #[cfg_attr(feature = "cli", arg(skip))]
    pub secrets: Vec<(String, SecretString)>,
}

/// A new customer for the customer book, as typed.
#[derive(Debug, Default, Clone, Deserialize, ts_rs::TS)]
#[ts(optional_fields)]
pub struct NewCustomer {
    /// Their name.
    pub name: String,
    /// Their phone number, as typed.
    #[serde(default)]
    pub phone: Option<String>,
    /// Their e-mail address.
    #[serde(default)]
    pub email: Option<String>,
}

/// A new payment link, as typed in the form or on the command line.
#[derive(Debug, Default, Clone, Deserialize, Serialize, ts_rs::TS)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
#[ts(optional_fields)]
pub struct NewLink {
    /// The payment account to make the link with.
    #[cfg_attr(feature = "cli", arg(long))]
    pub account: String,
    /// What is sold, as the customer will see it.
    #[cfg_attr(feature = "cli", arg(long))]
    pub name: String,
    /// The amount (`29900`, `12.34`).
    #[cfg_attr(feature = "cli", arg(long, allow_hyphen_values = true))]
    pub amount: String,
    /// The currency's code (the store's currency when not given).
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub currency: Option<String>,
    /// The tax-free part of the amount.
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long, allow_hyphen_values = true))]
    pub tax_free: Option<String>,
    /// How long the link stays payable (`30m`, `2h`, `3d`; 3 days when not given).
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long, allow_hyphen_values = true))]
    pub expires_in: Option<String>,
    /// When the link stops being payable, instead of a duration.
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub expires_at: Option<String>,
    /// A saved customer's id.
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long = "customer"))]
    pub customer_id: Option<String>,
    /// The customer's name.
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub customer_name: Option<String>,
    /// The customer's phone number.
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub phone: Option<String>,
    /// The customer's e-mail address.
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub email: Option<String>,
    /// The shop's own order number (PayDesk makes one when not given).
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
    /// The message's language (otherwise the customer's: from their phone number, else
    /// the store's country).
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

/// Which invoices the list shows, and which page of them.
#[derive(Debug, Default, Clone, Deserialize, Serialize, ts_rs::TS)]
#[ts(optional_fields = nullable)]
pub struct ListQuery {
    /// Only invoices in this status.
    #[serde(default)]
    #[ts(as = "Option<paydesk_core::Status>")]
    pub status: Option<String>,
    /// Only this customer's invoices (the customer book).
    #[serde(default)]
    pub customer: Option<String>,
    /// Only invoices created from / to these days (`YYYY-MM-DD`, store's time zone, inclusive).
    #[serde(default)]
    pub from: Option<String>,
    /// The last day (see `from`).
    #[serde(default)]
    pub to: Option<String>,
    /// Only invoices of this payment account.
    #[serde(default)]
    pub account: Option<String>,
    /// Words, an order number, a phone number or an e-mail to search for.
    #[serde(default)]
    pub search: Option<String>,
    /// How many to show (50 when not given).
    #[serde(default)]
    #[ts(as = "Option<u32>")]
    pub limit: Option<i64>,
    /// How many to skip.
    #[serde(default)]
    #[ts(as = "Option<u32>")]
    pub offset: Option<i64>,
    /// The page after this invoice (its id, as the last row of the page before shows it),
    /// in the list's order; the offset is not used with it.
    #[serde(default)]
    pub after: Option<String>,
    /// The column to sort by (newest first when not given): `created`, `name`,
    /// `customer`, `amount`, `status` or `when`.
    #[serde(default)]
    #[ts(as = "Option<paydesk_core::SortBy>")]
    pub sort: Option<String>,
    /// Largest, latest or last first (when not given: the column's first direction —
    /// newest and largest first, names and statuses from the start).
    #[serde(default)]
    pub descending: Option<bool>,
}

/// A new delivery channel, as typed.
#[derive(Debug, Default, Deserialize, TS)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
#[ts(optional_fields)]
pub struct NewChannel {
    /// The merchant's name for the channel (`a-z0-9-_`).
    pub name: String,
    /// What it sends through: `smtp`, `solapi` or `twilio`.
    #[ts(as = "paydesk_notify::ChannelKind")]
    #[cfg_attr(feature = "cli", arg(long))]
    pub kind: String,
    /// The mail server's host name.
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub host: Option<String>,
    /// The mail server's port.
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub port: Option<u16>,
    /// starttls (default, port 587), tls (465) or none (a local relay).
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub tls: Option<String>,
    /// The mail server's user name (its password goes to the keyring).
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
    /// The service's API address, when not its usual one.
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
    /// Secret name → value, straight to the keyring.
    #[serde(skip)]
    #[cfg_attr(feature = "cli", arg(skip))]
    pub secrets: Vec<(String, SecretString)>,
}

/// A refund, as typed in the detail's refund form or on the command line.
#[derive(Debug, Default, Clone, Deserialize, TS)]
#[cfg_attr(feature = "cli", derive(clap::Args))]
#[ts(optional_fields)]
pub struct RefundInput {
    /// How much to give back (all that is left when not given).
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long, allow_hyphen_values = true))]
    pub amount: Option<String>,
    /// The customer's account holder, for a cash payment given back by transfer
    /// (PortOne's convenience-store payments).
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub refund_holder: Option<String>,
    /// Their bank: its three-digit code (004 KB국민은행, 088 신한은행, …) or its name.
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub refund_bank: Option<String>,
    /// Their account number (never saved: it goes to the provider only).
    #[serde(default)]
    #[cfg_attr(feature = "cli", arg(long))]
    pub refund_account: Option<String>,
}

/// Send an invoice's link to its customer.
#[derive(Debug, Default, Clone, Deserialize, TS)]
#[ts(optional_fields)]
pub struct SendRequest {
    /// The invoice (its id or order number).
    pub invoice: String,
    /// How: `sms`, `alimtalk`, `email` or `provider`.
    #[ts(as = "paydesk_notify::Via")]
    pub via: String,
    /// The channel to send through (otherwise the first that can).
    #[serde(default)]
    pub channel: Option<String>,
    /// The phone number or address (otherwise the customer's).
    #[serde(default)]
    pub to: Option<String>,
    /// The language of the message (otherwise the customer's).
    #[serde(default)]
    pub lang: Option<String>,
    /// What to send: the link to pay (default), or a refund's claim link.
    #[serde(default)]
    #[ts(as = "Option<paydesk_core::MessageKind>")]
    pub what: paydesk_core::MessageKind,
}
