use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The kinds of delivery channel a merchant can configure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum ChannelKind {
    Smtp,
    Solapi,
    Twilio,
}

impl ChannelKind {
    pub const ALL: [ChannelKind; 3] = [ChannelKind::Smtp, ChannelKind::Solapi, ChannelKind::Twilio];

    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Smtp => "smtp",
            ChannelKind::Solapi => "solapi",
            ChannelKind::Twilio => "twilio",
        }
    }

    /// The settings (not secret) a channel of this kind is added with, in the order a
    /// form asks for them (the engine's `NewChannel` field names).
    pub fn setting_names(self) -> &'static [&'static str] {
        match self {
            ChannelKind::Smtp => &["host", "port", "tls", "username", "from"],
            ChannelKind::Solapi => &["sender", "pf_id", "template_id", "alimtalk_fallback"],
            ChannelKind::Twilio => &["sender"],
        }
    }

    /// The secrets a channel of this kind keeps in the OS keyring.
    pub fn secret_names(self) -> &'static [&'static str] {
        match self {
            ChannelKind::Smtp => &["password"],
            ChannelKind::Solapi => &["api_key", "api_secret"],
            ChannelKind::Twilio => &["account_sid", "auth_token"],
        }
    }

    /// The ways of sending this kind of channel offers.
    pub fn vias(self) -> &'static [Via] {
        match self {
            ChannelKind::Smtp => &[Via::Email],
            ChannelKind::Solapi => &[Via::Sms, Via::Alimtalk],
            ChannelKind::Twilio => &[Via::Sms],
        }
    }
}

impl fmt::Display for ChannelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ChannelKind {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "smtp" => Ok(ChannelKind::Smtp),
            "solapi" => Ok(ChannelKind::Solapi),
            "twilio" => Ok(ChannelKind::Twilio),
            other => Err(format!(
                "unknown channel kind {other:?} (expected smtp, solapi or twilio)"
            )),
        }
    }
}

/// How a message goes to the customer. `Lms` is an SMS too long for one SMS (Solapi
/// picks it by length); `Provider` is the payment provider's own notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Via {
    Sms,
    Lms,
    Alimtalk,
    Email,
    Provider,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Sms => "sms",
            Via::Lms => "lms",
            Via::Alimtalk => "alimtalk",
            Via::Email => "email",
            Via::Provider => "provider",
        }
    }
}

impl fmt::Display for Via {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Via {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "sms" => Ok(Via::Sms),
            "lms" => Ok(Via::Lms),
            "alimtalk" => Ok(Via::Alimtalk),
            "email" => Ok(Via::Email),
            "provider" => Ok(Via::Provider),
            other => Err(format!(
                "unknown way of sending {other:?} (expected sms, alimtalk, email or provider)"
            )),
        }
    }
}

/// What a failed send proves about the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The channel did not take the message. `retry`: the reason is passing (busy,
    /// unreachable, 5xx), so trying again later is right; otherwise it is permanent
    /// (invalid number, rejected keys) and trying again would fail the same way.
    NotAccepted { retry: bool },
    /// The request may have reached the channel (timeout or dropped connection after
    /// it was sent): the message may be on its way. Never resent automatically.
    Unknown,
}

/// A channel's failure: which channel, its own code and text, and what it proves.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{channel}: {message}{}", .code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default())]
pub struct ChannelError {
    pub channel: ChannelKind,
    pub code: Option<String>,
    pub message: String,
    pub outcome: Outcome,
}

impl ChannelError {
    pub fn permanent(
        channel: ChannelKind,
        code: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        ChannelError {
            channel,
            code,
            message: message.into(),
            outcome: Outcome::NotAccepted { retry: false },
        }
    }

    pub fn transient(
        channel: ChannelKind,
        code: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        ChannelError {
            channel,
            code,
            message: message.into(),
            outcome: Outcome::NotAccepted { retry: true },
        }
    }

    pub fn unknown(channel: ChannelKind, message: impl Into<String>) -> Self {
        ChannelError {
            channel,
            code: None,
            message: message.into(),
            outcome: Outcome::Unknown,
        }
    }

    pub fn retryable(&self) -> bool {
        self.outcome == Outcome::NotAccepted { retry: true }
    }
}

pub type Result<T> = std::result::Result<T, ChannelError>;

/// What a channel answered when it took a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The channel's id for the message (Solapi message id, Twilio SID, e-mail Message-ID).
    pub message_id: String,
    /// How it actually went (an SMS may have become an LMS, or an AlimTalk an SMS).
    pub via: Via,
    /// A note for the clerk (e.g. "AlimTalk refused: …; sent as SMS").
    pub note: Option<String>,
}
