//! Delivery channels (SMTP, Solapi, Twilio): settings in the database, secrets in the
//! keyring; add, list, remove, test.

use std::{collections::BTreeMap, str::FromStr, sync::Arc};

use crate::{
    context::internal, context::non_empty, context::truncate, context::Holder, error::Result,
    ChannelView, Engine, EngineError, NewChannel,
};
use chrono::Utc;
use paydesk_core::{invoice, AccountName, Email, InputCode, InputError, Phone};
use paydesk_notify::{
    smtp::{Email as OutgoingEmail, Smtp, SmtpSettings, SmtpTls},
    solapi::{Solapi, SolapiSettings},
    template::EmailContent,
    twilio::{Twilio, TwilioSettings},
    ChannelError, ChannelKind, Via,
};
use paydesk_providers::Provider;
use paydesk_secrets::{Owner, SecretString};
use paydesk_store::ChannelRecord;
use serde::Deserialize;

/// A channel ready to send (its secrets read from the keyring).
pub(crate) enum Sender {
    Smtp(Smtp, String),
    Solapi(Solapi),
    Twilio(Twilio),
    Provider(Arc<dyn Provider>),
}

pub(crate) fn channel_kind(r: &ChannelRecord) -> Result<ChannelKind> {
    ChannelKind::from_str(&r.kind)
        .map_err(|e| EngineError::Internal(format!("channel {}: {e}", r.name)))
}

pub(crate) fn settings_of<T: for<'de> Deserialize<'de>>(r: &ChannelRecord) -> Result<T> {
    serde_json::from_value(serde_json::Value::Object(r.settings.clone()))
        .map_err(|e| EngineError::Internal(format!("channel {} settings: {e}", r.name)))
}

impl Engine {
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn add_channel(&self, c: NewChannel) -> Result<ChannelView> {
        let mut errors = Vec::new();
        let name = AccountName::parse("name", &c.name)
            .map_err(|e| errors.push(e))
            .ok();
        let kind = ChannelKind::from_str(&c.kind)
            .map_err(|e| errors.push(InputError::new("kind", e)))
            .ok();
        let settings = match kind {
            Some(k) => channel_settings(k, &c, &mut errors),
            None => serde_json::Map::new(),
        };
        if let Some(k) = kind {
            for (key, _) in &c.secrets {
                if !k.secret_names().contains(&key.as_str()) {
                    errors.push(InputError::new(
                        "secret",
                        format!(
                            "{key:?} is not a {k} secret (expected: {})",
                            k.secret_names().join(", ")
                        ),
                    ));
                }
            }
        }
        let (Some(name), Some(kind), true) = (name, kind, errors.is_empty()) else {
            return Err(EngineError::Input(errors));
        };
        if self.inner.store.channel(name.as_str()).await?.is_some() {
            return Err(
                InputError::new("name", format!("a channel named {name} already exists"))
                    .code(InputCode::Exists)
                    .into(),
            );
        }
        let channel = name.as_str().to_string();
        let record = ChannelRecord {
            name: channel.clone(),
            kind: kind.as_str().into(),
            settings,
            created_at: Utc::now(),
        };
        self.insert_with_secrets(
            Holder::Channel(channel.clone()),
            c.secrets,
            self.inner.store.insert_channel(&record),
        )
        .await?;
        tracing::info!(channel = %channel, kind = %kind, "channel added");
        self.channel_view(record).await
    }

    pub(crate) async fn channel_view(&self, r: ChannelRecord) -> Result<ChannelView> {
        let kind = channel_kind(&r)?;
        let states = self
            .secret_states(Holder::Channel(r.name.clone()), kind.secret_names())
            .await;
        let mut vias = kind.vias().to_vec();
        if kind == ChannelKind::Solapi && r.settings.get("template_id").is_none() {
            vias.retain(|v| *v != Via::Alimtalk);
        }
        Ok(ChannelView {
            name: r.name,
            kind,
            settings: r.settings,
            secrets: states,
            vias,
            created_at: paydesk_core::format_instant(r.created_at),
        })
    }

    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn channels(&self) -> Result<Vec<ChannelView>> {
        let mut out = Vec::new();
        for r in self.inner.store.channels().await? {
            out.push(self.channel_view(r).await?);
        }
        Ok(out)
    }

    pub(crate) async fn channel_record(&self, name: &str) -> Result<ChannelRecord> {
        let name = name.trim();
        self.inner.store.channel(name).await?.ok_or_else(|| {
            EngineError::input(
                "channel",
                format!("no channel named {:?}", truncate(name, 40)),
            )
        })
    }

    /// Removes a channel and its secrets; its past deliveries keep their history.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn remove_channel(&self, name: &str) -> Result<()> {
        let r = self.channel_record(name).await?;
        let kind = channel_kind(&r)?;
        // The row first, then its keys (as for accounts): a channel is never left
        // without the keys it needs.
        self.inner.store.delete_channel(&r.name).await?;
        let names = kind.secret_names().iter().map(|n| n.to_string()).collect();
        self.delete_secrets(Holder::Channel(r.name.clone()), names)
            .await
    }

    pub(crate) async fn channel_secrets(
        &self,
        r: &ChannelRecord,
        kind: ChannelKind,
    ) -> Result<BTreeMap<String, SecretString>> {
        let ch = r.name.clone();
        let names = kind.secret_names();
        let found = self
            .secrets(move |s| {
                let mut out = BTreeMap::new();
                for n in names {
                    if let Some(v) = s.get(Owner::Channel(&ch), n)? {
                        out.insert(n.to_string(), v);
                    }
                }
                Ok(out)
            })
            .await?;
        Ok(found)
    }

    pub(crate) async fn sender_for_channel(&self, r: &ChannelRecord) -> Result<Sender> {
        let kind = channel_kind(r)?;
        let mut secrets = self.channel_secrets(r, kind).await?;
        let mut need = |key: &str| {
            secrets.remove(key).ok_or_else(|| {
                EngineError::input(
                    "secret",
                    format!(
                        "channel {} has no {key} in the keyring; remove the channel and add it again with its {key}",
                        r.name
                    ),
                )
            })
        };
        Ok(match kind {
            ChannelKind::Smtp => {
                let settings: SmtpSettings = settings_of(r)?;
                let password = if settings.username.is_some() {
                    Some(need("password")?)
                } else {
                    None
                };
                let domain = settings
                    .from
                    .rsplit('@')
                    .next()
                    .map(|d| d.trim_end_matches('>').trim().to_string())
                    .filter(|d| !d.is_empty())
                    .unwrap_or_else(|| "paydesk.local".into());
                Sender::Smtp(Smtp::new(settings, password), domain)
            }
            ChannelKind::Solapi => {
                let settings: SolapiSettings = settings_of(r)?;
                Sender::Solapi(Solapi::new(settings, need("api_key")?, need("api_secret")?))
            }
            ChannelKind::Twilio => {
                let settings: TwilioSettings = settings_of(r)?;
                Sender::Twilio(Twilio::new(
                    settings,
                    need("account_sid")?,
                    need("auth_token")?,
                ))
            }
        })
    }

    /// Checks a channel: SMTP logs in, Twilio checks its keys; with `to`, sends a short
    /// test message there (the only check Solapi offers).
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn test_channel(&self, name: &str, to: Option<&str>) -> Result<String> {
        let r = self.channel_record(name).await?;
        let sender = self.sender_for_channel(&r).await?;
        let store = self.store_name().await?;
        let text = format!("[{store}] PayDesk test message / 테스트 메시지");
        let channel_error = |e: ChannelError| EngineError::Channel {
            channel: r.name.clone(),
            code: e.code.clone(),
            message: e.to_string(),
        };
        match (sender, non_empty(&to.map(str::to_string))) {
            (Sender::Smtp(smtp, _), None) => smtp.test().await.map_err(channel_error),
            (Sender::Smtp(smtp, domain), Some(to)) => {
                let to = Email::parse(to).map_err(|e| e.with_field("to"))?;
                let content = EmailContent {
                    subject: text.clone(),
                    text: format!("{text}\n"),
                    html: format!("<p>{}</p>", text.replace('<', "&lt;")),
                };
                let sent = smtp
                    .send(&OutgoingEmail {
                        to: to.as_str(),
                        content: &content,
                        qr_png: None,
                        logo: None,
                        message_id: format!("{}@{domain}", invoice::new_id("test")),
                    })
                    .await
                    .map_err(channel_error)?;
                Ok(format!(
                    "test e-mail accepted for {} ({})",
                    to.as_str(),
                    sent.message_id
                ))
            }
            (Sender::Solapi(_), None) => Err(EngineError::input(
                "to",
                "Solapi has no free check: give your own number as the recipient to get a test SMS",
            )),
            (Sender::Solapi(s), Some(to)) => {
                let phone = Phone::parse(to).map_err(|e| e.with_field("to"))?;
                let sent = s
                    .send_text(phone.e164(), &text, None)
                    .await
                    .map_err(channel_error)?;
                Ok(format!(
                    "test {} accepted for {} ({})",
                    sent.via,
                    phone.display(),
                    sent.message_id
                ))
            }
            (Sender::Twilio(t), None) => t.test().await.map_err(channel_error),
            (Sender::Twilio(t), Some(to)) => {
                let phone = Phone::parse(to).map_err(|e| e.with_field("to"))?;
                let sent = t.send(phone.e164(), &text).await.map_err(channel_error)?;
                Ok(format!(
                    "test SMS accepted for {} ({})",
                    phone.e164(),
                    sent.message_id
                ))
            }
            (Sender::Provider(_), _) => Err(internal("a channel is never a provider")),
        }
    }
}

pub(crate) fn channel_settings(
    kind: ChannelKind,
    c: &NewChannel,
    errors: &mut Vec<InputError>,
) -> serde_json::Map<String, serde_json::Value> {
    let mut m = serde_json::Map::new();
    let url = |errors: &mut Vec<InputError>, m: &mut serde_json::Map<String, serde_json::Value>| {
        if let Some(u) = non_empty(&c.base_url) {
            if !(u.starts_with("https://") || u.starts_with("http://")) || u.len() > 300 {
                errors.push(InputError::new(
                    "base_url",
                    "must be an http:// or https:// address",
                ));
            }
            m.insert("base_url".into(), u.trim_end_matches('/').into());
        }
    };
    match kind {
        ChannelKind::Smtp => {
            match non_empty(&c.host) {
                Some(h) if h.len() <= 253 && !h.contains(char::is_whitespace) => {
                    m.insert("host".into(), h.into());
                }
                Some(_) => errors.push(InputError::new("host", "is not a host name")),
                None => errors.push(
                    InputError::new("host", "an SMTP channel needs the mail server's host name")
                        .code(InputCode::Empty),
                ),
            }
            let tls = match non_empty(&c.tls) {
                Some(t) => SmtpTls::from_str(t)
                    .map_err(|e| errors.push(InputError::new("tls", e)))
                    .ok(),
                None => Some(SmtpTls::Starttls),
            };
            if let Some(tls) = tls {
                m.insert(
                    "tls".into(),
                    serde_json::to_value(tls).expect("serialisable"),
                );
                let default_port = match tls {
                    SmtpTls::Tls => 465,
                    SmtpTls::Starttls => 587,
                    SmtpTls::None => 25,
                };
                match c.port {
                    Some(0) => errors.push(InputError::new("port", "must be 1–65535")),
                    Some(p) => {
                        m.insert("port".into(), p.into());
                    }
                    None => {
                        m.insert("port".into(), default_port.into());
                    }
                }
            }
            if let Some(u) = non_empty(&c.username) {
                m.insert("username".into(), u.into());
            }
            match non_empty(&c.from) {
                Some(f) => match f.parse::<lettre_mailbox::Mailbox>() {
                    Ok(_) => {
                        m.insert("from".into(), f.into());
                    }
                    Err(e) => errors.push(InputError::new(
                        "from",
                        format!("is not an e-mail sender ({e})"),
                    )),
                },
                None => errors.push(
                    InputError::new(
                        "from",
                        "an SMTP channel needs the sender's address (e.g. \"하나상회 <shop@hana.kr>\")",
                    )
                    .code(InputCode::Empty),
                ),
            }
            if let Some(ca) = non_empty(&c.ca_file) {
                let path = std::path::Path::new(ca);
                match std::fs::read(path) {
                    Ok(bytes) if bytes.starts_with(b"-----BEGIN") => {
                        let abs =
                            std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
                        m.insert("ca_file".into(), abs.to_string_lossy().to_string().into());
                    }
                    Ok(_) => {
                        errors.push(InputError::new("ca_file", "is not a PEM certificate file"))
                    }
                    Err(e) => {
                        errors.push(InputError::new("ca_file", format!("cannot be read: {e}")))
                    }
                }
            }
        }
        ChannelKind::Solapi | ChannelKind::Twilio => {
            url(errors, &mut m);
            match non_empty(&c.sender) {
                Some(s) => {
                    let ok = match kind {
                        ChannelKind::Solapi => {
                            s.chars().all(|c| c.is_ascii_digit() || c == '-') && s.len() <= 20
                        }
                        _ => (s.starts_with("MG") && s.len() == 34) || Phone::parse(s).is_ok(),
                    };
                    if !ok {
                        errors.push(InputError::new(
                            "sender",
                            match kind {
                                ChannelKind::Solapi => {
                                    "must be the sender number registered at Solapi (digits)"
                                }
                                _ => {
                                    "must be a Twilio number (+1…) or a Messaging Service SID (MG…)"
                                }
                            },
                        ));
                    }
                    let value = match kind {
                        ChannelKind::Twilio if !s.starts_with("MG") => Phone::parse(s)
                            .map(|p| p.e164().to_string())
                            .unwrap_or_else(|_| s.to_string()),
                        _ => s.to_string(),
                    };
                    m.insert("sender".into(), value.into());
                }
                None => errors.push(
                    InputError::new("sender", "needs the sending number").code(InputCode::Empty),
                ),
            }
            if kind == ChannelKind::Solapi {
                match (non_empty(&c.pf_id), non_empty(&c.template_id)) {
                    (Some(p), Some(t)) => {
                        m.insert("pf_id".into(), p.into());
                        m.insert("template_id".into(), t.into());
                    }
                    (None, None) => {}
                    _ => errors.push(InputError::new(
                        "template_id",
                        "AlimTalk needs both the KakaoTalk channel id (pf_id) and the template id",
                    )),
                }
                m.insert("alimtalk_fallback".into(), c.alimtalk_fallback.into());
            }
        }
    }
    m
}

mod lettre_mailbox {
    //! The sender check uses the same parser the SMTP channel sends with.
    pub use paydesk_notify::smtp::Mailbox;
}
