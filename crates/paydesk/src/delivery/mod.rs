//! Messages to customers: channels, planning, rendering and the outbox, one module each,
//! and the shapes the shells see.

mod channels;
mod outbox;
mod plan;
mod render;

pub(crate) use outbox::failed_deliveries_error;
pub use outbox::MAX_SEND_ATTEMPTS;
pub use render::format_deadline;

use std::collections::BTreeMap;

use paydesk_core::{ChannelKind, Delivery, DeliveryState, Lang, Via};
use paydesk_notify::sms;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::views::SecretState;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ChannelView {
    pub name: String,
    pub kind: ChannelKind,
    #[ts(type = "Record<string, unknown>")]
    pub settings: serde_json::Map<String, serde_json::Value>,
    /// Per secret name: `set`, `missing`, or `unknown` (keyring did not answer).
    pub secrets: BTreeMap<String, SecretState>,
    /// The ways of sending it offers (`sms`, `alimtalk`, `email`).
    pub vias: Vec<Via>,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DeliveryView {
    pub id: String,
    pub invoice_id: String,
    pub channel: String,
    pub via: Via,
    pub to: String,
    pub state: DeliveryState,
    #[ts(type = "number")]
    pub attempts: i64,
    pub channel_message_id: Option<String>,
    pub error: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub lang: Lang,
    pub subject: Option<String>,
    pub body: Option<String>,
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
        }
    }
}

/// Exactly what a customer will get, before it is sent.
#[derive(Debug, Clone, Serialize, TS)]
pub struct MessagePreview {
    pub via: Via,
    pub lang: Lang,
    pub subject: Option<String>,
    pub text: String,
    /// SMS only: the length in EUC-KR bytes and the cost class (`sms` ≤ 90 bytes, `lms`).
    #[ts(type = "number | null")]
    pub bytes: Option<usize>,
    pub class: Option<sms::SmsClass>,
}

/// What one outbox pass did.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct OutboxReport {
    #[ts(type = "number")]
    pub sent: usize,
    #[ts(type = "number")]
    pub failed: usize,
    #[ts(type = "number")]
    pub unknown: usize,
    /// Waiting for their link (the invoice is still a draft).
    #[ts(type = "number")]
    pub waiting: usize,
}
