//! Messages to customers: channels, planning, rendering and the outbox, one module each,
//! and the shapes the shells see.

mod channels;
mod outbox;
mod plan;
mod render;
mod resend;

pub(crate) use outbox::failed_deliveries_error;
pub use outbox::MAX_SEND_ATTEMPTS;
pub use render::format_deadline;

use std::collections::BTreeMap;

use paydesk_core::{ChannelKind, Delivery, DeliveryState, Lang, Via};
use paydesk_notify::sms;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::views::SecretState;

/// A delivery channel as the window and the command show it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ChannelView {
    /// The merchant's name for it.
    pub name: String,
    /// What it sends through.
    pub kind: ChannelKind,
    /// Its settings (never a secret).
    #[ts(type = "Record<string, unknown>")]
    pub settings: serde_json::Map<String, serde_json::Value>,
    /// Per secret name: `set`, `missing`, or `unknown` (keyring did not answer).
    pub secrets: BTreeMap<String, SecretState>,
    /// The ways of sending it offers (`sms`, `alimtalk`, `email`).
    pub vias: Vec<Via>,
    /// Where it sends from, in one line: an SMTP channel's server and sender address,
    /// an SMS channel's sender number.
    pub sends_from: String,
    /// When it was added.
    pub created_at: String,
}

/// A message to a customer, as the invoice's history shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DeliveryView {
    /// PayDesk's id of the message.
    pub id: String,
    /// The invoice whose link it carries.
    pub invoice_id: String,
    /// The channel it goes through.
    pub channel: String,
    /// How it reaches the customer.
    pub via: Via,
    /// The phone number or address it goes to.
    pub to: String,
    /// Where it stands.
    pub state: DeliveryState,
    /// How many times sending was tried.
    #[ts(type = "number")]
    pub attempts: i64,
    /// The channel's id of the sent message.
    pub channel_message_id: Option<String>,
    /// Why the last try failed.
    pub error: Option<String>,
    /// When it was queued.
    pub created_at: String,
    /// When it last changed.
    pub updated_at: String,
    /// The language it is written in.
    pub lang: Lang,
    /// The e-mail's subject (e-mail only).
    pub subject: Option<String>,
    /// The text that was sent.
    pub body: Option<String>,
    /// What it carries: the link to pay, or a refund's claim link.
    pub kind: paydesk_core::MessageKind,
}

impl From<&Delivery> for DeliveryView {
    fn from(d: &Delivery) -> Self {
        DeliveryView {
            id: d.id.to_string(),
            invoice_id: d.invoice_id.to_string(),
            channel: d.channel.clone(),
            via: d.via,
            to: d.to.clone(),
            state: d.state,
            attempts: d.attempts,
            channel_message_id: d.channel_message_id.clone(),
            error: d.error.clone(),
            created_at: paydesk_core::format_instant(d.created_at),
            updated_at: paydesk_core::format_instant(d.updated_at),
            lang: d.lang,
            subject: d.subject.clone(),
            body: d.body.clone(),
            kind: d.kind,
        }
    }
}

/// Exactly what a customer will get, before it is sent.
#[derive(Debug, Clone, Serialize, TS)]
pub struct MessagePreview {
    /// How it would go.
    pub via: Via,
    /// The language it is written in.
    pub lang: Lang,
    /// The e-mail's subject (e-mail only).
    pub subject: Option<String>,
    /// The text, exactly as it would go.
    pub text: String,
    /// SMS only: the length in EUC-KR bytes and the cost class (`sms` ≤ 90 bytes, `lms`).
    #[ts(type = "number | null")]
    pub bytes: Option<usize>,
    /// SMS only: whether it goes as a short or a long message.
    pub class: Option<sms::SmsClass>,
}

/// What one outbox pass did.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct OutboxReport {
    /// Messages the channel took.
    #[ts(type = "number")]
    pub sent: usize,
    /// Messages refused, or given up on.
    #[ts(type = "number")]
    pub failed: usize,
    /// Messages that may or may not have gone out (the clerk decides).
    #[ts(type = "number")]
    pub unknown: usize,
    /// Waiting for their link (the invoice is still a draft).
    #[ts(type = "number")]
    pub waiting: usize,
}
