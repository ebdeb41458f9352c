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
    /// PayDesk's embedded sandbox: no account, no network.
    Sandbox,
    /// Bootpay link pay (Commerce API).
    Bootpay,
    /// PortOne v1: convenience-store payments.
    Portone,
    /// A merchant's BTCPay Server store.
    Btcpay,
    /// PIPE.
    Pipe,
    /// BitroPay.
    Bitropay,
}

impl ProviderKind {
    /// The provider's name as invoice rows and settings keep it.
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
    /// Makes payment links.
    pub links: bool,
    /// Issues convenience-store payment numbers.
    pub cvs: bool,
    /// Can cancel an unpaid invoice.
    pub cancel: bool,
    /// Can give money back.
    pub refund: bool,
    /// Can give back part of a payment.
    pub partial_refund: bool,
    /// The provider sends the link to the customer itself (`Via::Provider`).
    pub notify_customer: bool,
    /// A refund is done some time after the provider accepts the request (PIPE): PayDesk
    /// counts it once the provider shows it done.
    pub refund_later: bool,
    /// A convenience-store (cash) payment is given back by bank transfer to the
    /// customer's account, which the refund must name (PortOne).
    pub cash_refund_account: bool,
    /// The provider reports statuses only by calling back (BitroPay has no lookup): a
    /// store server receives them, at a callback URL made for each invoice.
    pub status_by_callback: bool,
    /// The provider can notify a store server of an invoice's change (BTCPay's webhook,
    /// PortOne's and PIPE's notices), which PayDesk takes only as "check now".
    pub notices: bool,
}

/// What an invoice is paid with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum InvoiceKind {
    /// A payment link the customer opens.
    Link,
    /// A payment number the customer pays at a convenience store.
    Cvs,
}

impl InvoiceKind {
    /// The kind's name as invoice rows keep it.
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

/// A customer of the shop, as the customer book keeps them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    /// PayDesk's id of the customer.
    pub id: CustomerId,
    /// Their name.
    pub name: String,
    /// Their phone number, in E.164 form.
    pub phone: Option<String>,
    /// Their e-mail address.
    pub email: Option<String>,
    /// When they were first saved.
    pub created_at: DateTime<Utc>,
}

/// An invoice: what is asked of a customer, through which provider, and where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    /// PayDesk's id of the invoice.
    pub id: InvoiceId,
    /// The payment account (by its name) the invoice was made through.
    pub account: String,
    /// The provider behind that account.
    pub provider: ProviderKind,
    /// The provider's id of the invoice, once it has answered.
    pub provider_id: Option<String>,
    /// The shop's order number, unique in the store.
    pub order_id: OrderId,
    /// A link or a convenience-store number.
    pub kind: InvoiceKind,
    /// What is sold, as the customer sees it.
    pub name: String,
    /// The amount asked for.
    pub amount: Money,
    /// The tax-free part of the amount (Korean receipts).
    pub tax_free: Money,
    /// Money received so far.
    pub paid: Money,
    /// Money given back so far (never more than `paid`).
    pub refunded: Money,
    /// A refund asked of a provider that does it later (PIPE) and not yet shown done
    /// there; zero when none is waiting.
    pub refund_requested: Money,
    /// Where the invoice stands in its lifecycle.
    pub status: Status,
    /// Late, short or over payment.
    pub flags: PaymentFlags,
    /// The link the customer pays at.
    pub payment_url: Option<String>,
    /// The convenience-store payment number.
    pub payment_number: Option<String>,
    /// When the link or number stops being payable.
    pub expires_at: DateTime<Utc>,
    /// The customer it is for, if one is saved.
    pub customer_id: Option<CustomerId>,
    /// When the invoice was made.
    pub created_at: DateTime<Utc>,
    /// When anything about it last changed.
    pub updated_at: DateTime<Utc>,
    /// When the provider was last asked about it.
    pub last_checked_at: Option<DateTime<Utc>>,
    /// The last error met while talking to the provider about this invoice.
    pub last_error: Option<String>,
    /// The under-paid invoice whose rest this one asks for.
    pub rest_of: Option<InvoiceId>,
    /// When it was first paid (or seen paid, unconfirmed).
    pub paid_at: Option<DateTime<Utc>>,
    /// Where the customer claims the newest refund, when the provider does not send the
    /// money by itself (BTCPay: a pull payment's page).
    pub refund_url: Option<String>,
}

/// What kind of thing happened to an invoice (one audit entry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, strum::Display)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum TimelineEvent {
    /// The invoice was made.
    Created,
    /// Its status changed.
    Status,
    /// A message about it was sent (or failed).
    Delivery,
    /// Something went wrong with it.
    Error,
}

impl TimelineEvent {
    /// The event's name as the audit log keeps it.
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
    /// When it happened.
    pub at: DateTime<Utc>,
    /// What happened.
    pub event: TimelineEvent,
    /// The status before, for a status change.
    pub from_status: Option<Status>,
    /// The status after, for a status change.
    pub status: Option<Status>,
    /// Who or what caused it.
    pub source: Source,
    /// PayDesk's record of it, in its own words.
    pub detail: Option<String>,
    /// The refund this change recorded, in minor units of the invoice's currency.
    pub refund_minor: Option<i64>,
}

/// Where a message stands in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, strum::Display)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum DeliveryState {
    /// Waiting to be sent.
    Queued,
    /// Being handed to the channel (claimed by one process).
    Sending,
    /// The channel took it.
    Sent,
    /// The channel refused it, or it gave up retrying.
    Failed,
    /// It may or may not have gone out (the answer was lost); never sent again by itself.
    Unknown,
}

impl DeliveryState {
    /// The state's name as the outbox keeps it.
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
    /// PayDesk's id of the message.
    pub id: DeliveryId,
    /// The invoice whose link it carries.
    pub invoice_id: InvoiceId,
    /// The channel (by its name) it goes through.
    pub channel: String,
    /// How it reaches the customer.
    pub via: Via,
    /// The phone number or address it goes to.
    pub to: String,
    /// Where it stands.
    pub state: DeliveryState,
    /// How many times sending was tried.
    pub attempts: i64,
    /// The channel's id of the sent message, to find it again.
    pub channel_message_id: Option<String>,
    /// Why the last try failed.
    pub error: Option<String>,
    /// When it was queued.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// The customer's language for this message.
    pub lang: Lang,
    /// What it carries: the payment link, or a refund's claim page.
    #[serde(default)]
    pub kind: crate::channel::MessageKind,
    /// What was sent: the e-mail subject (e-mail only) and the text.
    pub subject: Option<String>,
    /// The text (the e-mail's body, or the SMS / AlimTalk text).
    pub body: Option<String>,
}

impl Delivery {
    /// A new message waiting in the outbox, not tried yet (its text is written when it
    /// is sent).
    pub fn queued(
        invoice_id: InvoiceId,
        channel: String,
        via: Via,
        to: String,
        lang: Lang,
        kind: crate::channel::MessageKind,
        now: DateTime<Utc>,
    ) -> Delivery {
        Delivery {
            id: DeliveryId::generate(),
            invoice_id,
            channel,
            via,
            to,
            state: DeliveryState::Queued,
            attempts: 0,
            channel_message_id: None,
            error: None,
            created_at: now,
            updated_at: now,
            lang,
            kind,
            subject: None,
            body: None,
        }
    }
}

impl Invoice {
    /// What the shop keeps: received minus given back.
    pub fn kept(&self) -> Money {
        self.paid.saturating_sub(self.refunded)
    }

    /// Whether money on it can be given back: paid (or partly refunded), or money that
    /// came short on a link that has expired.
    pub fn refundable(&self) -> bool {
        if !self.refund_requested.is_zero() {
            return false;
        }
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

    /// Whether a clerk may cancel it: its status allows it and no money is on it (a
    /// cancelled invoice is final, so money on it could never be given back).
    pub fn cancellable(&self) -> bool {
        self.status.is_cancellable() && self.paid.is_zero()
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
