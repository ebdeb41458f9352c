//! Invoices, customers, deliveries and the timeline of what happened to them.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::channel::{Lang, Via};
use crate::ids::{CustomerId, DeliveryId, InvoiceId, OrderId};
use crate::input::InputError;
use crate::money::Money;
use crate::status::{PaymentFlags, Source, Status};

/// A new id: a prefix and a ULID (sortable by creation time), e.g. `inv_01jd…`; for
/// PayDesk's records use the typed ids of `crate::ids`.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", ulid::Ulid::new().to_string().to_lowercase())
}

/// The providers PayDesk speaks to, by the name each invoice row keeps. What each one
/// can do, needs and is built from is its adapter's `SPEC` in `paydesk-providers`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ts_rs::TS,
    strum::IntoStaticStr,
    strum::EnumIter,
    strum::Display,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum ProviderKind {
    Sandbox,
    Bootpay,
    Portone,
    Btcpay,
    Pipe,
    Bitropay,
}

impl ProviderKind {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Every provider, in declaration order.
    pub fn all() -> impl Iterator<Item = ProviderKind> {
        <ProviderKind as strum::IntoEnumIterator>::iter()
    }
}

impl FromStr for ProviderKind {
    type Err = InputError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ProviderKind::all()
            .find(|p| p.as_str() == s.trim())
            .ok_or_else(|| {
                let names: Vec<&str> = ProviderKind::all().map(ProviderKind::as_str).collect();
                InputError::new("provider", format!("must be one of {}", names.join(", ")))
            })
    }
}

/// What a provider supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Capabilities {
    pub links: bool,
    pub cvs: bool,
    pub cancel: bool,
    pub refund: bool,
    pub partial_refund: bool,
    /// The provider sends the link to the customer itself (`Via::Provider`).
    pub notify_customer: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum InvoiceKind {
    Link,
    Cvs,
}

impl InvoiceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceKind::Link => "link",
            InvoiceKind::Cvs => "cvs",
        }
    }
}

impl FromStr for InvoiceKind {
    type Err = InputError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "link" => Ok(InvoiceKind::Link),
            "cvs" => Ok(InvoiceKind::Cvs),
            _ => Err(InputError::new("kind", "must be link or cvs")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    pub id: CustomerId,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    pub id: InvoiceId,
    pub account: String,
    pub provider: ProviderKind,
    pub provider_id: Option<String>,
    pub order_id: OrderId,
    pub kind: InvoiceKind,
    pub name: String,
    pub amount: Money,
    pub tax_free: Money,
    pub paid: Money,
    /// Money given back so far (never more than `paid`).
    pub refunded: Money,
    pub status: Status,
    pub flags: PaymentFlags,
    pub payment_url: Option<String>,
    pub payment_number: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub customer_id: Option<CustomerId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_checked_at: Option<DateTime<Utc>>,
    /// The last error met while talking to the provider about this invoice.
    pub last_error: Option<String>,
    /// The under-paid invoice whose rest this one asks for.
    pub rest_of: Option<InvoiceId>,
    /// When it was first paid (or seen paid, unconfirmed).
    pub paid_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, strum::Display)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum TimelineEvent {
    Created,
    Status,
    Delivery,
    Error,
}

impl TimelineEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            TimelineEvent::Created => "created",
            TimelineEvent::Status => "status",
            TimelineEvent::Delivery => "delivery",
            TimelineEvent::Error => "error",
        }
    }
}

impl FromStr for TimelineEvent {
    type Err = InputError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "created" => Ok(TimelineEvent::Created),
            "status" => Ok(TimelineEvent::Status),
            "delivery" => Ok(TimelineEvent::Delivery),
            "error" => Ok(TimelineEvent::Error),
            _ => Err(InputError::new("event", "unknown timeline event")),
        }
    }
}

/// One entry of the append-only audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    pub event: TimelineEvent,
    pub from_status: Option<Status>,
    pub status: Option<Status>,
    pub source: Source,
    pub detail: Option<String>,
    /// The refund this change recorded, in minor units of the invoice's currency.
    pub refund_minor: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, strum::Display)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum DeliveryState {
    Queued,
    Sending,
    Sent,
    Failed,
    Unknown,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Queued => "queued",
            DeliveryState::Sending => "sending",
            DeliveryState::Sent => "sent",
            DeliveryState::Failed => "failed",
            DeliveryState::Unknown => "unknown",
        }
    }
}

impl FromStr for DeliveryState {
    type Err = InputError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "queued" => Ok(DeliveryState::Queued),
            "sending" => Ok(DeliveryState::Sending),
            "sent" => Ok(DeliveryState::Sent),
            "failed" => Ok(DeliveryState::Failed),
            "unknown" => Ok(DeliveryState::Unknown),
            _ => Err(InputError::new("state", "unknown delivery state")),
        }
    }
}

/// A message to a customer carrying a link (an outbox row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: DeliveryId,
    pub invoice_id: InvoiceId,
    pub channel: String,
    pub via: Via,
    pub to: String,
    pub state: DeliveryState,
    pub attempts: i64,
    pub channel_message_id: Option<String>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The customer's language for this message.
    pub lang: Lang,
    /// What was sent: the e-mail subject (e-mail only) and the text.
    pub subject: Option<String>,
    pub body: Option<String>,
}

impl Invoice {
    /// What the shop keeps: received minus given back.
    pub fn kept(&self) -> Money {
        self.paid.saturating_sub(self.refunded)
    }

    /// Whether money on it can be given back: paid (or partly refunded), or money that
    /// came short on a link that has expired.
    pub fn refundable(&self) -> bool {
        match self.status {
            Status::Paid | Status::PartiallyRefunded => true,
            Status::Expired => !self.kept().is_zero(),
            _ => false,
        }
    }

    /// Whether the customer may still pay through its own link (or it is being made).
    pub fn may_still_be_paid(&self) -> bool {
        matches!(
            self.status,
            Status::Open | Status::Draft | Status::PaidUnconfirmed
        )
    }

    /// What a new link would ask for: what is still owed on an under-paid invoice that
    /// can no longer be paid through its own link.
    pub fn rest_to_ask(&self) -> Option<Money> {
        self.due().filter(|_| !self.may_still_be_paid())
    }

    /// What the customer still owes, when money came short (none once refunds began).
    pub fn due(&self) -> Option<Money> {
        (self.flags.underpaid && self.refunded.is_zero() && self.paid.minor() < self.amount.minor())
            .then(|| self.amount.saturating_sub(self.paid))
    }
}

impl DeliveryState {
    /// Whether nothing more will happen to the delivery without the clerk.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            DeliveryState::Sent | DeliveryState::Failed | DeliveryState::Unknown
        )
    }
}
