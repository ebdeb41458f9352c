//! How PayDesk speaks to a customer: the language, the way a message goes, and the
//! kinds of channel that carry it. Pure names and rules; the channels themselves live
//! in `paydesk-notify`.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A customer's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Korean.
    #[default]
    Ko,
    /// English.
    En,
    /// Japanese.
    Ja,
}

impl Lang {
    /// The language's code (`ko`, `en`, `ja`).
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Ko => "ko",
            Lang::En => "en",
            Lang::Ja => "ja",
        }
    }

    /// The language to write to a customer in when none was chosen: from their phone
    /// number's country where one is known, the store's country's otherwise.
    pub fn for_customer(phone_e164: Option<&str>, store: crate::Country) -> Lang {
        match phone_e164 {
            Some(p) => Lang::for_phone_e164(p),
            None => store.lang(),
        }
    }

    /// The language a customer with this phone number most likely reads.
    pub fn for_phone_e164(e164: &str) -> Lang {
        if e164.starts_with("+82") {
            Lang::Ko
        } else if e164.starts_with("+81") {
            Lang::Ja
        } else {
            Lang::En
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ko" => Ok(Lang::Ko),
            "en" => Ok(Lang::En),
            "ja" => Ok(Lang::Ja),
            other => Err(format!(
                "unknown language {other:?} (expected ko, en or ja)"
            )),
        }
    }
}

/// The kinds of delivery channel a merchant can configure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum ChannelKind {
    /// E-mail through the merchant's own SMTP server.
    Smtp,
    /// SMS, LMS and KakaoTalk AlimTalk through Solapi.
    Solapi,
    /// SMS through Twilio.
    Twilio,
}

impl ChannelKind {
    /// Every kind, in the order the window lists them.
    pub const ALL: [ChannelKind; 3] = [ChannelKind::Smtp, ChannelKind::Solapi, ChannelKind::Twilio];

    /// The kind's name as settings and the command line write it.
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

/// What a message to a customer carries.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ts_rs::TS,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum MessageKind {
    /// The link (or payment number) to pay.
    #[default]
    Link,
    /// The page where the customer claims a refund (BTCPay's pull payment).
    RefundClaim,
}

impl MessageKind {
    /// The kind's name as the outbox keeps it.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// How a message goes to the customer. `Lms` is an SMS too long for one SMS (Solapi
/// picks it by length); `Provider` is the payment provider's own notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Via {
    /// A short text message.
    Sms,
    /// A long text message (Korea's LMS).
    Lms,
    /// A KakaoTalk AlimTalk message from an approved template.
    Alimtalk,
    /// An e-mail.
    Email,
    /// The payment provider's own message to the customer (Bootpay).
    Provider,
}

impl Via {
    /// The way's name as the command line and the outbox write it.
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
