pub use paydesk_core::{ChannelKind, Via};

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
