//! PayDesk's delivery channels — e-mail over SMTP, SMS / LMS / AlimTalk through
//! Solapi, SMS through Twilio — and the messages they carry (templates in ko, en, ja,
//! the SMS length rules, the link's QR code). No database here: the engine's outbox
//! decides when to send and records what happened.
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod channel;
mod error;
mod http;
pub mod qr;
pub mod sms;
pub mod smtp;
pub mod solapi;
pub mod template;
pub mod twilio;

pub use channel::{Channel, Outgoing};
pub use error::{Accepted, ChannelError, ChannelKind, Outcome, Result, Via};
pub use template::{Lang, MessageVars, Templates};
