//! One face for every delivery channel: send a message, check the channel, and (where
//! the channel can say) find a message sent before a restart. `build` makes a channel
//! from its stored settings and its keys from the keyring.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use secrecy::SecretString;

use crate::smtp::{Email, Smtp, SmtpSettings};
use crate::solapi::{Solapi, SolapiSettings};
use crate::template::EmailContent;
use crate::twilio::{Twilio, TwilioSettings};
use crate::{Accepted, ChannelKind, Result};

/// A message as a channel carries it.
#[derive(Debug, Clone, Copy)]
pub enum Outgoing<'a> {
    /// An e-mail (text and HTML); `id` becomes the local part of its Message-ID.
    Email {
        content: &'a EmailContent,
        qr_png: Option<&'a [u8]>,
        logo: Option<(&'a [u8], &'a str)>,
        id: &'a str,
    },
    /// An SMS (or LMS, by its length).
    Text {
        text: &'a str,
        subject: Option<&'a str>,
    },
    /// A KakaoTalk AlimTalk with its template's variables (the text for a fallback SMS).
    Alimtalk {
        variables: &'a BTreeMap<String, String>,
        text: &'a str,
    },
}

/// A delivery channel, ready to send (its keys read).
#[async_trait]
pub trait Channel: Send + Sync + std::fmt::Debug {
    fn kind(&self) -> ChannelKind;

    /// Sends one message to `to` (an e-mail address or an E.164 number).
    async fn send(&self, to: &str, message: Outgoing<'_>) -> Result<Accepted>;

    /// Proves the channel answers and takes its keys without sending anything;
    /// `None` when the channel has no such check (Solapi: only a test message proves it).
    async fn check(&self) -> Option<Result<String>>;

    /// Whether a message to `to` with this `body` was taken since `since` (after a
    /// restart left it half-sent): its id, or `None` when it was not; the outer `None`
    /// when the channel cannot be asked.
    async fn find_sent(
        &self,
        to: &str,
        body: &str,
        since: DateTime<Utc>,
    ) -> Option<Result<Option<String>>> {
        let _ = (to, body, since);
        None
    }
}

/// Why a channel could not be made from what is stored.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("the channel's settings cannot be read: {0}")]
    Settings(String),
    #[error("the channel has no {0} in the keyring")]
    MissingSecret(&'static str),
}

/// Makes a channel of `kind` from its stored settings and its keys.
pub fn build(
    kind: ChannelKind,
    settings: &serde_json::Map<String, serde_json::Value>,
    mut secrets: BTreeMap<&'static str, SecretString>,
) -> std::result::Result<Box<dyn Channel>, BuildError> {
    fn parsed<T: serde::de::DeserializeOwned>(
        settings: &serde_json::Map<String, serde_json::Value>,
    ) -> std::result::Result<T, BuildError> {
        serde_json::from_value(serde_json::Value::Object(settings.clone()))
            .map_err(|e| BuildError::Settings(e.to_string()))
    }
    let redactor = paydesk_core::Redactor::new(
        secrets
            .values()
            .map(|s| secrecy::ExposeSecret::expose_secret(s).to_string()),
    );
    let mut need = |name: &'static str| secrets.remove(name).ok_or(BuildError::MissingSecret(name));
    let inner: Box<dyn Channel> = match kind {
        ChannelKind::Smtp => {
            let s: SmtpSettings = parsed(settings)?;
            let password = match s.username {
                Some(_) => Some(need("password")?),
                None => None,
            };
            Box::new(Smtp::new(s, password))
        }
        ChannelKind::Solapi => {
            let s: SolapiSettings = parsed(settings)?;
            Box::new(Solapi::new(s, need("api_key")?, need("api_secret")?))
        }
        ChannelKind::Twilio => {
            let s: TwilioSettings = parsed(settings)?;
            Box::new(Twilio::new(s, need("account_sid")?, need("auth_token")?))
        }
    };
    Ok(Box::new(Redacting { inner, redactor }))
}

/// A channel behind its keys' [`paydesk_core::Redactor`]: no error or answer text it
/// gives carries one of them (Twilio's account SID is in every request's URL).
#[derive(Debug)]
struct Redacting {
    inner: Box<dyn Channel>,
    redactor: paydesk_core::Redactor,
}

impl Redacting {
    fn clean_err(&self, e: crate::ChannelError) -> crate::ChannelError {
        crate::ChannelError {
            code: e.code.map(|c| self.redactor.clean(&c)),
            message: self.redactor.clean(&e.message),
            ..e
        }
    }
}

#[async_trait]
impl Channel for Redacting {
    fn kind(&self) -> ChannelKind {
        self.inner.kind()
    }

    async fn send(&self, to: &str, message: Outgoing<'_>) -> Result<Accepted> {
        match self.inner.send(to, message).await {
            Ok(a) => Ok(Accepted {
                note: a.note.map(|n| self.redactor.clean(&n)),
                ..a
            }),
            Err(e) => Err(self.clean_err(e)),
        }
    }

    async fn check(&self) -> Option<Result<String>> {
        self.inner.check().await.map(|r| match r {
            Ok(ok) => Ok(self.redactor.clean(&ok)),
            Err(e) => Err(self.clean_err(e)),
        })
    }

    async fn find_sent(
        &self,
        to: &str,
        body: &str,
        since: DateTime<Utc>,
    ) -> Option<Result<Option<String>>> {
        self.inner
            .find_sent(to, body, since)
            .await
            .map(|r| r.map_err(|e| self.clean_err(e)))
    }
}

/// What a channel asked to carry a kind of message it does not answers (the engine's
/// planning never asks; this keeps a wrong call from sending anything).
fn cannot_carry(kind: ChannelKind, message: &Outgoing<'_>) -> crate::ChannelError {
    let what = match message {
        Outgoing::Email { .. } => "e-mail",
        Outgoing::Text { .. } => "SMS",
        Outgoing::Alimtalk { .. } => "AlimTalk",
    };
    crate::ChannelError::permanent(kind, None, format!("a {kind} channel does not send {what}"))
}

#[async_trait]
impl Channel for Smtp {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Smtp
    }

    async fn send(&self, to: &str, message: Outgoing<'_>) -> Result<Accepted> {
        match message {
            Outgoing::Email {
                content,
                qr_png,
                logo,
                id,
            } => {
                Smtp::send(
                    self,
                    &Email {
                        to,
                        content,
                        qr_png,
                        logo,
                        message_id: self.message_id(id),
                    },
                )
                .await
            }
            Outgoing::Text { .. } | Outgoing::Alimtalk { .. } => {
                Err(cannot_carry(ChannelKind::Smtp, &message))
            }
        }
    }

    async fn check(&self) -> Option<Result<String>> {
        Some(self.test().await)
    }
}

#[async_trait]
impl Channel for Solapi {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Solapi
    }

    async fn send(&self, to: &str, message: Outgoing<'_>) -> Result<Accepted> {
        match message {
            Outgoing::Text { text, subject } => self.send_text(to, text, subject).await,
            Outgoing::Alimtalk { variables, text } => self.send_alimtalk(to, variables, text).await,
            Outgoing::Email { .. } => Err(cannot_carry(ChannelKind::Solapi, &message)),
        }
    }

    async fn check(&self) -> Option<Result<String>> {
        None
    }
}

#[async_trait]
impl Channel for Twilio {
    fn kind(&self) -> ChannelKind {
        ChannelKind::Twilio
    }

    async fn send(&self, to: &str, message: Outgoing<'_>) -> Result<Accepted> {
        match message {
            Outgoing::Text { text, .. } => Twilio::send(self, to, text).await,
            Outgoing::Alimtalk { .. } | Outgoing::Email { .. } => {
                Err(cannot_carry(ChannelKind::Twilio, &message))
            }
        }
    }

    async fn check(&self) -> Option<Result<String>> {
        Some(self.test().await)
    }

    async fn find_sent(
        &self,
        to: &str,
        body: &str,
        since: DateTime<Utc>,
    ) -> Option<Result<Option<String>>> {
        Some(Twilio::find_sent(self, to, body, since).await)
    }
}
