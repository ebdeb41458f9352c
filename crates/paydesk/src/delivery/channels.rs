//! Delivery channels (SMTP, Solapi, Twilio): settings in the database, secrets in the
//! keyring; add, change, list, remove, test.

use std::{collections::BTreeMap, str::FromStr, sync::Arc};

use crate::{
    context::non_empty, context::truncate, context::Holder, error::Result, ChannelView, Engine,
    EngineError, NewChannel, SecretState,
};
use chrono::Utc;
use paydesk_core::{invoice, AccountName, Email, InputCode, InputError, Phone};
use paydesk_notify::channel::{BuildError, Channel, Outgoing};
use paydesk_notify::{smtp::SmtpTls, template::EmailContent, ChannelError, ChannelKind, Via};
use paydesk_providers::Provider;
use paydesk_secrets::Owner;
use paydesk_store::ChannelRecord;

/// Who sends a delivery: one of the merchant's channels, or the payment provider itself.
pub(crate) enum Sender {
    Channel(Box<dyn Channel>),
    Provider(Arc<dyn Provider>),
}

pub(crate) fn channel_kind(r: &ChannelRecord) -> Result<ChannelKind> {
    ChannelKind::from_str(&r.kind)
        .map_err(|e| EngineError::Internal(format!("channel {}: {e}", r.name)))
}

impl Engine {
    /// Adds a delivery channel: its settings checked, its keys to the keyring first, then its row.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn add_channel(&self, c: NewChannel) -> Result<ChannelView> {
        let (name, kind, settings) = check_channel(&c, &[])?;
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

    /// Changes a channel's settings, and the keys given (a key not given is kept). Its
    /// name and kind stay (another kind is another channel: remove it and add one), so
    /// messages queued for it go out with the new settings. Everything is checked
    /// before anything is written.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn edit_channel(&self, c: NewChannel) -> Result<ChannelView> {
        let old = self.channel_record(&c.name).await?;
        let old_kind = channel_kind(&old)?;
        let kept: Vec<String> = self
            .secret_states(Holder::Channel(old.name.clone()), old_kind.secret_names())
            .await
            .into_iter()
            .filter(|(_, state)| *state == SecretState::Set)
            .map(|(n, _)| n)
            .collect();
        let (_, kind, settings) = check_channel(&c, &kept)?;
        if kind != old_kind {
            return Err(InputError::new(
                "kind",
                format!("channel {} is {old_kind}; another kind is another channel (remove it and add one)", old.name),
            )
            .code(InputCode::NotNow)
            .into());
        }
        let given: Vec<_> = c
            .secrets
            .into_iter()
            .filter(|(_, v)| !secrecy::ExposeSecret::expose_secret(v).trim().is_empty())
            .collect();
        self.save_secrets(Holder::Channel(old.name.clone()), given)
            .await?;
        let record = ChannelRecord { settings, ..old };
        self.inner.store.update_channel(&record).await?;
        tracing::info!(channel = %record.name, kind = %kind, "channel changed");
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
        let setting = |k: &str| {
            r.settings.get(k).map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
        };
        let sends_from = match kind {
            ChannelKind::Smtp => format!(
                "{}:{}{}",
                setting("host").unwrap_or_default(),
                setting("port").unwrap_or_default(),
                setting("from")
                    .map(|f| format!(" · {f}"))
                    .unwrap_or_default()
            ),
            _ => setting("sender").unwrap_or_default(),
        };
        Ok(ChannelView {
            sends_from,
            name: r.name,
            kind,
            settings: r.settings,
            secrets: states,
            vias,
            created_at: paydesk_core::format_instant(r.created_at),
        })
    }

    /// Every delivery channel; secrets only as set or missing.
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
            EngineError::coded(
                "channel",
                InputCode::NotFound,
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

    /// A channel ready to send: its settings, and its keys read from the keyring.
    pub(crate) async fn channel_for(&self, r: &ChannelRecord) -> Result<Box<dyn Channel>> {
        let kind = channel_kind(r)?;
        let ch = r.name.clone();
        let names = kind.secret_names();
        let secrets = self
            .secrets(move |s| {
                let mut out = BTreeMap::new();
                for n in names {
                    if let Some(v) = s.get(Owner::Channel(&ch), n)? {
                        out.insert(*n, v);
                    }
                }
                Ok(out)
            })
            .await?;
        paydesk_notify::channel::build(kind, &r.settings, secrets).map_err(|e| match e {
            BuildError::MissingSecret(key) => EngineError::coded(
                "secret",
                InputCode::SecretMissing,
                format!(
                    "channel {} has no {key} in the keyring; edit the channel and type its {key} again",
                    r.name
                ),
            ),
            BuildError::Settings(e) => {
                EngineError::Internal(format!("channel {} settings: {e}", r.name))
            }
        })
    }

    /// Checks a channel: SMTP logs in, Twilio checks its keys; with `to`, sends a short
    /// test message there (the only check Solapi offers).
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn test_channel(&self, name: &str, to: Option<&str>) -> Result<String> {
        let r = self.channel_record(name).await?;
        let channel = self.channel_for(&r).await?;
        let channel_error = |e: ChannelError| EngineError::Channel {
            channel: r.name.clone(),
            code: e.code.clone(),
            message: e.to_string(),
        };
        let Some(to) = non_empty(&to.map(str::to_string)).map(str::to_string) else {
            return match channel.check().await {
                Some(answer) => answer.map_err(channel_error),
                None => Err(EngineError::coded(
                    "to",
                    InputCode::NeedsRecipient,
                    format!(
                        "{} has no free check: give your own number as the recipient to get a test SMS",
                        channel.kind()
                    ),
                )),
            };
        };
        let store = self.store_name().await?;
        let text = format!("[{store}] PayDesk test message / 테스트 메시지");
        let (to, shown, sent) = if channel.kind().vias().contains(&Via::Email) {
            let to = Email::parse(&to).map_err(|e| e.with_field("to"))?;
            let content = EmailContent {
                subject: text.clone(),
                text: format!("{text}\n"),
                html: format!("<p>{}</p>", text.replace('<', "&lt;")),
            };
            let id = invoice::new_id("test");
            let message = Outgoing::Email {
                content: &content,
                qr_png: None,
                logo: None,
                id: &id,
            };
            let sent = channel.send(to.as_str(), message).await;
            (to.as_str().to_string(), to.as_str().to_string(), sent)
        } else {
            let phone =
                Phone::parse_in(&to, self.country().await?).map_err(|e| e.with_field("to"))?;
            let message = Outgoing::Text {
                text: &text,
                subject: None,
            };
            let sent = channel.send(phone.e164(), message).await;
            (phone.e164().to_string(), phone.display(), sent)
        };
        let sent = sent.map_err(channel_error)?;
        tracing::debug!(to = %to, "test message accepted");
        Ok(format!(
            "test {} accepted for {shown} ({})",
            sent.via, sent.message_id
        ))
    }
}

/// A channel as typed, checked whole: its name, kind, settings and keys. Every key it
/// signs in with must be given or, when it is edited, be in the keyring already (`kept`);
/// an SMTP relay without a user name needs no password.
fn check_channel(
    c: &NewChannel,
    kept: &[String],
) -> Result<(
    AccountName,
    ChannelKind,
    serde_json::Map<String, serde_json::Value>,
)> {
    let mut errors = Vec::new();
    let name = AccountName::parse("name", &c.name)
        .map_err(|e| errors.push(e))
        .ok();
    let kind = ChannelKind::from_str(&c.kind)
        .map_err(|e| errors.push(InputError::new("kind", e)))
        .ok();
    let settings = match kind {
        Some(k) => channel_settings(k, c, &mut errors),
        None => serde_json::Map::new(),
    };
    if let Some(k) = kind {
        for (n, (key, _)) in c.secrets.iter().enumerate() {
            if !k.secret_names().contains(&key.as_str()) {
                errors.push(crate::context::unknown_secret(n, k, k.secret_names()));
            }
        }
        let needed: &[&str] = match k {
            ChannelKind::Smtp if non_empty(&c.username).is_none() => &[],
            _ => k.secret_names(),
        };
        for s in needed {
            let given = c.secrets.iter().any(|(key, v)| {
                key == s && !secrecy::ExposeSecret::expose_secret(v).trim().is_empty()
            });
            if !given && !kept.iter().any(|k| k == s) {
                errors.push(
                    InputError::new(
                        *s,
                        format!("a {k} channel needs its {s} (kept in the keyring)"),
                    )
                    .code(InputCode::Empty),
                );
            }
        }
    }
    match (name, kind, errors.is_empty()) {
        (Some(name), Some(kind), true) => Ok((name, kind, settings)),
        _ => Err(EngineError::Input(errors)),
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
                errors.push(
                    InputError::new("base_url", "must be an http:// or https:// address")
                        .code(InputCode::NotAWebAddress),
                );
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
                Some(_) => errors
                    .push(InputError::new("host", "is not a host name").code(InputCode::NotAHost)),
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
                m.insert("tls".into(), tls.as_str().into());
                let default_port = match tls {
                    SmtpTls::Tls => 465,
                    SmtpTls::Starttls => 587,
                    SmtpTls::None => 25,
                };
                match c.port {
                    Some(0) => errors
                        .push(InputError::new("port", "must be 1–65535").code(InputCode::NotAPort)),
                    Some(p) => {
                        m.insert("port".into(), p.into());
                    }
                    None => {
                        m.insert("port".into(), default_port.into());
                    }
                }
            }
            if let Some(u) = non_empty(&c.username) {
                // A password sent in the clear is read by anyone on the way, unless the
                // mail server is this computer.
                let loopback = non_empty(&c.host).is_some_and(is_loopback);
                if tls == Some(SmtpTls::None) && !loopback {
                    errors.push(InputError::new(
                        "tls",
                        "none would send the password unencrypted; use starttls or tls (none is only for a relay on this computer)",
                    ).code(InputCode::Unencrypted));
                }
                m.insert("username".into(), u.into());
            }
            match non_empty(&c.from) {
                Some(f) => match f.parse::<lettre_mailbox::Mailbox>() {
                    Ok(_) => {
                        m.insert("from".into(), f.into());
                    }
                    Err(e) => errors.push(
                        InputError::new("from", format!("is not an e-mail sender ({e})"))
                            .code(InputCode::NotASender),
                    ),
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
                    Ok(_) => errors.push(
                        InputError::new("ca_file", "is not a PEM certificate file")
                            .code(InputCode::CaFile),
                    ),
                    Err(e) => errors.push(
                        InputError::new("ca_file", format!("cannot be read: {e}"))
                            .code(InputCode::CaFile),
                    ),
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
                        ).code(InputCode::NotASender));
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
                    ).code(InputCode::AlimtalkTemplate)),
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

/// Whether a host name names this computer (`localhost`, `127.0.0.0/8`, `::1`).
fn is_loopback(host: &str) -> bool {
    let h = host.trim().trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost")
        || h.parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}
