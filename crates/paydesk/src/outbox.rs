//! Messages to customers: delivery channels (settings in the database, secrets in the
//! keyring) and the outbox. Every message is a `deliveries` row before anything is
//! sent; a row is taken for sending by exactly one process (queued → sending), and
//! it is sent again only when the channel's answer proves the message was not taken. A row found in `sending` after its process stopped is settled by asking
//! the channel where it can (Twilio), otherwise marked `unknown` for the clerk.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, Duration, FixedOffset, Utc};
use paydesk_core::{
    invoice, AccountName, Customer, Delivery, DeliveryState, Email, InputError, Invoice, Phone,
    Source, Status,
};
use paydesk_notify::smtp::{Email as OutgoingEmail, Smtp, SmtpSettings, SmtpTls};
use paydesk_notify::solapi::{Solapi, SolapiSettings};
use paydesk_notify::template::{self, EmailContent};
use paydesk_notify::twilio::{Twilio, TwilioSettings};
use paydesk_notify::{
    sms, Accepted, ChannelError, ChannelKind, Lang, MessageVars, Outcome, Templates, Via,
};
use paydesk_providers::Provider;
use paydesk_secrets::{Owner, SecretString};
use paydesk_store::{ChannelRecord, DeliverySettled};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{failpoint, internal, non_empty, Engine, EngineError, Holder, Result};

/// How many times one delivery is tried when the channel says "not now".
pub const MAX_SEND_ATTEMPTS: i64 = 3;

/// How long a send may take at most (longer than any channel's timeout): a row in
/// `sending` older than this was left by a process that stopped.
/// `PAYDESK_DELIVERY_LEASE_SECS` changes it (tests).
fn lease() -> Duration {
    let secs = std::env::var("PAYDESK_DELIVERY_LEASE_SECS")
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or(120);
    Duration::seconds(secs.max(0))
}

/// A new delivery channel, as typed.
#[derive(Debug, Default, Deserialize, TS)]
#[ts(optional_fields)]
pub struct NewChannel {
    pub name: String,
    #[ts(as = "paydesk_notify::ChannelKind")]
    pub kind: String,
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub tls: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub ca_file: Option<String>,
    #[serde(default)]
    pub base_url: Option<String>,
    #[serde(default)]
    pub sender: Option<String>,
    #[serde(default)]
    pub pf_id: Option<String>,
    #[serde(default)]
    pub template_id: Option<String>,
    #[serde(default)]
    #[ts(as = "Option<bool>")]
    pub alimtalk_fallback: bool,
    #[serde(skip)]
    pub secrets: Vec<(String, SecretString)>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ChannelView {
    pub name: String,
    #[ts(as = "paydesk_notify::ChannelKind")]
    pub kind: String,
    #[ts(type = "Record<string, unknown>")]
    pub settings: serde_json::Map<String, serde_json::Value>,
    /// Per secret name: `set`, `missing`, or `unknown` (keyring did not answer).
    #[ts(type = "Record<string, \"set\" | \"missing\" | \"unknown\">")]
    pub secrets: BTreeMap<String, String>,
    /// The ways of sending it offers (`sms`, `alimtalk`, `email`).
    #[ts(as = "Vec<paydesk_notify::Via>")]
    pub vias: Vec<String>,
    pub created_at: String,
}

/// Send an invoice's link to its customer.
#[derive(Debug, Default, Clone, Deserialize, TS)]
#[ts(optional_fields)]
pub struct SendRequest {
    pub invoice: String,
    #[ts(as = "paydesk_notify::Via")]
    pub via: String,
    #[serde(default)]
    pub channel: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub lang: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DeliveryView {
    pub id: String,
    pub invoice_id: String,
    pub channel: String,
    #[ts(as = "paydesk_notify::Via")]
    pub via: String,
    pub to: String,
    #[ts(as = "paydesk_core::DeliveryState")]
    pub state: String,
    #[ts(type = "number")]
    pub attempts: i64,
    pub channel_message_id: Option<String>,
    pub error: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub lang: String,
    pub subject: Option<String>,
    pub body: Option<String>,
}

impl From<&Delivery> for DeliveryView {
    fn from(d: &Delivery) -> Self {
        DeliveryView {
            id: d.id.clone(),
            invoice_id: d.invoice_id.clone(),
            channel: d.channel.clone(),
            via: d.via.clone(),
            to: d.to.clone(),
            state: d.state.as_str().into(),
            attempts: d.attempts,
            channel_message_id: d.channel_message_id.clone(),
            error: d.error.clone(),
            created_at: paydesk_core::format_instant(d.created_at),
            updated_at: paydesk_core::format_instant(d.updated_at),
            lang: d.lang.clone(),
            subject: d.subject.clone(),
            body: d.body.clone(),
        }
    }
}

/// Exactly what a customer will get, before it is sent.
#[derive(Debug, Clone, Serialize, TS)]
pub struct MessagePreview {
    #[ts(as = "paydesk_notify::Via")]
    pub via: String,
    pub lang: String,
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

/// A send that did not end with the message taken.
#[derive(Debug, Clone)]
struct Failure {
    outcome: Outcome,
    message: String,
}

impl From<ChannelError> for Failure {
    fn from(e: ChannelError) -> Self {
        Failure {
            outcome: e.outcome,
            message: e.to_string(),
        }
    }
}

/// A channel ready to send (its secrets read from the keyring).
enum Sender {
    Smtp(Smtp, String),
    Solapi(Solapi),
    Twilio(Twilio),
    Provider(Arc<dyn Provider>),
}

/// The rendered message of one delivery.
struct Rendered {
    subject: Option<String>,
    text: String,
    email: Option<EmailContent>,
    vars: MessageVars,
    lang: Lang,
}

fn channel_kind(r: &ChannelRecord) -> Result<ChannelKind> {
    ChannelKind::from_str(&r.kind)
        .map_err(|e| EngineError::Internal(format!("channel {}: {e}", r.name)))
}

fn settings_of<T: for<'de> Deserialize<'de>>(r: &ChannelRecord) -> Result<T> {
    serde_json::from_value(serde_json::Value::Object(r.settings.clone()))
        .map_err(|e| EngineError::Internal(format!("channel {} settings: {e}", r.name)))
}

impl Engine {
    // ---- settings (store profile) -----------------------------------------------------

    /// The store's name as customers see it (messages, slips).
    pub async fn store_name(&self) -> Result<String> {
        Ok(self
            .inner
            .store
            .setting("store_name")
            .await?
            .unwrap_or_else(|| "PayDesk".into()))
    }

    /// The merchant's time zone (deadlines in messages); `+09:00` unless set.
    pub async fn time_zone(&self) -> Result<FixedOffset> {
        let tz = self.inner.store.setting("time_zone").await?;
        Ok(tz
            .and_then(|t| parse_offset(&t))
            .unwrap_or_else(|| FixedOffset::east_opt(9 * 3600).expect("valid offset")))
    }

    /// The message texts of one language: the merchant's own where set
    /// (`template.ko.sms`, …), the built-in ones otherwise.
    pub async fn templates(&self, lang: Lang) -> Result<Templates> {
        let mut t = Templates::builtin(lang);
        for (part, slot) in [
            ("sms", &mut t.sms),
            ("email_subject", &mut t.email_subject),
            ("email_text", &mut t.email_text),
        ] {
            if let Some(v) = self
                .inner
                .store
                .setting(&format!("template.{lang}.{part}"))
                .await?
            {
                *slot = v;
            }
        }
        Ok(t)
    }

    /// Whether the app tells the clerk of payments with a desktop notification (`on`
    /// unless the `notifications` setting is `off`).
    pub async fn notifications_enabled(&self) -> bool {
        !matches!(self.inner.store.setting("notifications").await, Ok(Some(v)) if v == "off")
    }

    /// Every setting with its value (defaults filled in, templates included).
    pub async fn settings(&self) -> Result<BTreeMap<String, String>> {
        let mut out = BTreeMap::new();
        out.insert("store_name".into(), self.store_name().await?);
        // Until the merchant names the store, the window greets them first.
        let named = self.inner.store.setting("store_name").await?.is_some();
        out.insert("first_run".into(), if named { "no" } else { "yes" }.into());
        out.insert("time_zone".into(), self.time_zone().await?.to_string());
        out.insert(
            "sync_rate_limit".into(),
            self.rate_limit().await?.to_string(),
        );
        out.insert(
            "sync_interval".into(),
            self.sync_interval().await?.as_secs().to_string(),
        );
        for lang in [Lang::Ko, Lang::En, Lang::Ja] {
            let t = self.templates(lang).await?;
            out.insert(format!("template.{lang}.sms"), t.sms);
            out.insert(format!("template.{lang}.email_subject"), t.email_subject);
            out.insert(format!("template.{lang}.email_text"), t.email_text);
        }
        Ok(out)
    }

    /// Changes one setting: `store_name` (1–60 characters), `time_zone` (`+09:00`), or a
    /// message text `template.{ko|en|ja}.{sms|email_subject|email_text}` (an empty
    /// value brings the built-in text back).
    pub async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        let value = value.trim();
        if let Some(rest) = key.strip_prefix("template.") {
            let (lang, part) = rest.split_once('.').unwrap_or((rest, ""));
            if Lang::from_str(lang).is_err()
                || !["sms", "email_subject", "email_text"].contains(&part)
            {
                return Err(EngineError::input(
                    "key",
                    format!("unknown template {key:?} (expected template.ko|en|ja.sms|email_subject|email_text)"),
                ));
            }
            if value.is_empty() {
                self.inner.store.delete_setting(key).await?;
                return Ok(());
            }
            if part != "email_subject" && !value.contains("{link}") {
                return Err(EngineError::input(
                    key,
                    "must contain {link}: a message without the payment link cannot be paid",
                ));
            }
            if value.chars().count() > 2000 {
                return Err(EngineError::input(key, "must be at most 2,000 characters"));
            }
            self.inner.store.set_setting(key, value).await?;
            return Ok(());
        }
        match key {
            "notifications" => {
                if value != "on" && value != "off" {
                    return Err(EngineError::input("notifications", "must be on or off"));
                }
            }
            "sync_rate_limit" => {
                if value.parse::<u32>().map_or(true, |n| n > 10_000) {
                    return Err(EngineError::input(
                        "sync_rate_limit",
                        "must be requests per second per account, 0–10000 (0: no limit)",
                    ));
                }
            }
            "sync_interval" => {
                if value.parse::<u32>().map_or(true, |n| !(1..=3600).contains(&n)) {
                    return Err(EngineError::input(
                        "sync_interval",
                        "must be seconds between checks, 1–3600",
                    ));
                }
            }
            "store_name" => {
                let n = value.chars().count();
                if n == 0 || n > 60 || value.chars().any(char::is_control) {
                    return Err(EngineError::input(
                        "store_name",
                        "must be 1–60 printable characters",
                    ));
                }
            }
            "time_zone" => {
                if parse_offset(value).is_none() {
                    return Err(EngineError::input(
                        "time_zone",
                        "must be a UTC offset like +09:00 (Korea, Japan) or -05:00",
                    ));
                }
            }
            other => {
                return Err(EngineError::input(
                    "key",
                    format!("unknown setting {other:?} (expected store_name, time_zone, sync_interval, sync_rate_limit, notifications or template.LANG.PART)"),
                ))
            }
        }
        self.inner.store.set_setting(key, value).await?;
        Ok(())
    }

    // ---- channels -----------------------------------------------------------------------

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
            return Err(EngineError::input(
                "name",
                format!("a channel named {name} already exists"),
            ));
        }
        let channel = name.as_str().to_string();
        let secrets = c.secrets;
        let names: Vec<String> = secrets.iter().map(|(k, _)| k.clone()).collect();
        self.save_secrets(Holder::Channel(channel.clone()), secrets)
            .await?;
        let record = ChannelRecord {
            name: channel.clone(),
            kind: kind.as_str().into(),
            settings,
            created_at: Utc::now(),
        };
        if let Err(e) = self.inner.store.insert_channel(&record).await {
            let _ = self
                .delete_secrets(Holder::Channel(channel.clone()), names)
                .await;
            return Err(e.into());
        }
        tracing::info!(channel = %channel, kind = %kind, "channel added");
        self.channel_view(record).await
    }

    async fn channel_view(&self, r: ChannelRecord) -> Result<ChannelView> {
        let kind = channel_kind(&r)?;
        let states = self
            .secret_states(Holder::Channel(r.name.clone()), kind.secret_names())
            .await;
        let mut vias: Vec<String> = kind.vias().iter().map(|v| v.as_str().to_string()).collect();
        if kind == ChannelKind::Solapi && r.settings.get("template_id").is_none() {
            vias.retain(|v| v != "alimtalk");
        }
        Ok(ChannelView {
            name: r.name,
            kind: kind.as_str().into(),
            settings: r.settings,
            secrets: states,
            vias,
            created_at: paydesk_core::format_instant(r.created_at),
        })
    }

    pub async fn channels(&self) -> Result<Vec<ChannelView>> {
        let mut out = Vec::new();
        for r in self.inner.store.channels().await? {
            out.push(self.channel_view(r).await?);
        }
        Ok(out)
    }

    async fn channel_record(&self, name: &str) -> Result<ChannelRecord> {
        let name = name.trim();
        self.inner.store.channel(name).await?.ok_or_else(|| {
            EngineError::input(
                "channel",
                format!("no channel named {:?}", crate::truncate(name, 40)),
            )
        })
    }

    /// Removes a channel and its secrets; its past deliveries keep their history.
    pub async fn remove_channel(&self, name: &str) -> Result<()> {
        let r = self.channel_record(name).await?;
        let kind = channel_kind(&r)?;
        let names = kind.secret_names().iter().map(|n| n.to_string()).collect();
        self.delete_secrets(Holder::Channel(r.name.clone()), names)
            .await?;
        self.inner.store.delete_channel(&r.name).await?;
        Ok(())
    }

    async fn channel_secrets(
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

    async fn sender_for_channel(&self, r: &ChannelRecord) -> Result<Sender> {
        let kind = channel_kind(r)?;
        let mut secrets = self.channel_secrets(r, kind).await?;
        let mut need = |key: &str| {
            secrets.remove(key).ok_or_else(|| {
                EngineError::input(
                    "secret",
                    format!(
                        "channel {} has no {key} in the keyring (add it: paydesk channel remove {0}, then channel add … --secret-stdin)",
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
                "Solapi has no free check: give --to with your own number to get a test SMS",
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

    // ---- planning a delivery ------------------------------------------------------------

    /// Validates a send (way, channel, recipient, language) and returns the queued row,
    /// or pushes what is wrong to `errors`. Nothing is written here.
    pub(crate) async fn plan_delivery(
        &self,
        invoice_id: &str,
        account: &str,
        customer: Option<&Customer>,
        req: &SendRequest,
        errors: &mut Vec<InputError>,
    ) -> Result<Option<Delivery>> {
        let via = match Via::from_str(&req.via) {
            Ok(Via::Lms) => Via::Sms,
            Ok(v) => v,
            Err(e) => {
                errors.push(InputError::new("via", e));
                return Ok(None);
            }
        };
        let channel = match via {
            Via::Provider => {
                let a = self.account_record("account", account).await?;
                if a.provider != paydesk_core::ProviderKind::Bootpay {
                    errors.push(
                        InputError::new(
                            "via",
                            format!("{} does not send links to customers itself; use sms, alimtalk or email", a.provider),
                        )
                        .code("unsupported"),
                    );
                    return Ok(None);
                }
                a.name
            }
            _ => match self.pick_channel(via, req.channel.as_deref()).await {
                Ok(r) => r.name,
                Err(EngineError::Input(mut e)) => {
                    errors.append(&mut e);
                    return Ok(None);
                }
                Err(e) => return Err(e),
            },
        };
        let to = match via {
            Via::Email => {
                let given = non_empty(&req.to).map(str::to_string);
                match given.or_else(|| customer.and_then(|c| c.email.clone())) {
                    Some(e) => match Email::parse(&e) {
                        Ok(e) => Some(e.as_str().to_string()),
                        Err(e) => {
                            errors.push(e.with_field("to"));
                            None
                        }
                    },
                    None => {
                        errors.push(
                            InputError::new(
                                "email",
                                "an e-mail needs the customer's address (give --email or --to)",
                            )
                            .code("empty"),
                        );
                        None
                    }
                }
            }
            _ => {
                let given = non_empty(&req.to).map(str::to_string);
                match given.or_else(|| customer.and_then(|c| c.phone.clone())) {
                    Some(p) => match Phone::parse(&p) {
                        Ok(p) => Some(p.e164().to_string()),
                        Err(e) => {
                            errors.push(e.with_field("to"));
                            None
                        }
                    },
                    None => {
                        errors.push(
                            InputError::new(
                                "phone",
                                format!("sending by {via} needs the customer's phone number (give --phone or --to)"),
                            )
                            .code("empty"),
                        );
                        None
                    }
                }
            }
        };
        // Solapi reaches Korean numbers only.
        if let (Some(to), Via::Sms | Via::Alimtalk) = (&to, via) {
            if let Some(r) = self.inner.store.channel(&channel).await? {
                if r.kind == "solapi" {
                    if let Err(e) = paydesk_notify::solapi::solapi_number(to) {
                        errors.push(InputError::new("to", e.message));
                    }
                }
            }
        }
        let lang = match non_empty(&req.lang) {
            Some(l) => match Lang::from_str(l) {
                Ok(l) => Some(l),
                Err(e) => {
                    errors.push(InputError::new("lang", e));
                    None
                }
            },
            None => Some(match (&to, via) {
                (Some(p), Via::Sms | Via::Alimtalk | Via::Provider) => Lang::for_phone_e164(p),
                _ => Lang::Ko,
            }),
        };
        let (Some(to), Some(lang)) = (to, lang) else {
            return Ok(None);
        };
        let now = Utc::now();
        Ok(Some(Delivery {
            id: invoice::new_id("dlv"),
            invoice_id: invoice_id.to_string(),
            channel,
            via: via.as_str().into(),
            to,
            state: DeliveryState::Queued,
            attempts: 0,
            channel_message_id: None,
            error: None,
            created_at: now,
            updated_at: now,
            lang: lang.as_str().into(),
            subject: None,
            body: None,
        }))
    }

    async fn pick_channel(&self, via: Via, name: Option<&str>) -> Result<ChannelRecord> {
        let fits = |r: &ChannelRecord| {
            let Ok(kind) = ChannelKind::from_str(&r.kind) else {
                return false;
            };
            kind.vias().contains(&via)
                && (via != Via::Alimtalk || r.settings.get("template_id").is_some())
        };
        if let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) {
            let r = self.channel_record(name).await?;
            if !fits(&r) {
                return Err(EngineError::input(
                    "channel",
                    format!("channel {} ({}) does not send {via}", r.name, r.kind),
                ));
            }
            return Ok(r);
        }
        self.inner
            .store
            .channels()
            .await?
            .into_iter()
            .find(|r| fits(r))
            .ok_or_else(|| {
                let hint = match via {
                    Via::Email => "paydesk channel add NAME --kind smtp …",
                    Via::Alimtalk => {
                        "paydesk channel add NAME --kind solapi --pf-id … --template-id …"
                    }
                    _ => "paydesk channel add NAME --kind solapi|twilio …",
                };
                EngineError::Input(vec![InputError::new(
                    "channel",
                    format!("no channel sends {via} yet; add one first ({hint})"),
                )
                .code("no_channel")])
            })
    }

    // ---- rendering ----------------------------------------------------------------------

    async fn render(&self, inv: &Invoice, via: Via, lang: Lang) -> Result<Rendered> {
        let customer = self.customer_of(inv).await?;
        let link = inv
            .payment_url
            .clone()
            .or_else(|| inv.payment_number.clone())
            .ok_or_else(|| EngineError::input("invoice", "the invoice has no link to send yet"))?;
        let tz = self.time_zone().await?;
        let vars = MessageVars {
            store: self.store_name().await?,
            customer: customer.map(|c| c.name),
            item: inv.name.clone(),
            amount: inv.amount.to_display(lang.as_str()),
            expiry: format_deadline(inv.expires_at, tz, lang),
            link,
        };
        self.render_vars(vars, via, lang).await
    }

    async fn render_vars(&self, vars: MessageVars, via: Via, lang: Lang) -> Result<Rendered> {
        let t = self.templates(lang).await?;
        Ok(match via {
            Via::Email => {
                let e = template::email(&t, &vars, lang);
                Rendered {
                    subject: Some(e.subject.clone()),
                    text: e.text.clone(),
                    email: Some(e),
                    vars,
                    lang,
                }
            }
            _ => Rendered {
                subject: None,
                text: template::sms_text(&t, &vars, lang),
                email: None,
                vars,
                lang,
            },
        })
    }

    /// Exactly what the customer will get for `via` in `lang`, with the SMS byte count.
    pub async fn preview_message(
        &self,
        key: &str,
        via: &str,
        lang: Option<&str>,
    ) -> Result<MessagePreview> {
        let inv = self.find(key).await?;
        let via = Via::from_str(via).map_err(|e| EngineError::input("via", e))?;
        let lang = match lang {
            Some(l) => Lang::from_str(l).map_err(|e| EngineError::input("lang", e))?,
            None => Lang::Ko,
        };
        let r = self.render(&inv, via, lang).await?;
        Ok(preview_of(via, r))
    }

    /// The message a link still being filled in would send (the create form's preview):
    /// the merchant's text with the form's item, amount, deadline and customer, and a
    /// stand-in link of a provider link's usual length (the real one exists only once the
    /// provider has made it). Input errors are the same as creating the link would give.
    pub async fn preview_new_link(&self, l: &crate::NewLink, via: &str) -> Result<MessagePreview> {
        let via = Via::from_str(via).map_err(|e| EngineError::input("via", e))?;
        let now = Utc::now();
        let currency = match non_empty(&l.currency) {
            Some(c) => paydesk_core::Currency::from_str(c)
                .map_err(|e| EngineError::input("currency", e))?,
            None => paydesk_core::Currency::Krw,
        };
        let amount = paydesk_core::input::amount("amount", &l.amount, currency, true)
            .map_err(|e| EngineError::Input(vec![e]))?;
        let expires_at = l
            .expiry(now)
            .map_err(|e| EngineError::Input(vec![e]))?
            .instant();
        let lang = match (non_empty(&l.lang), non_empty(&l.phone)) {
            (Some(code), _) => Lang::from_str(code).map_err(|e| EngineError::input("lang", e))?,
            (None, Some(p)) if via != Via::Email => Phone::parse(p)
                .map(|p| Lang::for_phone_e164(p.e164()))
                .unwrap_or(Lang::Ko),
            _ => Lang::Ko,
        };
        let vars = MessageVars {
            store: self.store_name().await?,
            customer: non_empty(&l.customer_name).map(str::to_owned),
            item: l.name.trim().to_owned(),
            amount: amount.to_display(lang.as_str()),
            expiry: format_deadline(expires_at, self.time_zone().await?, lang),
            link: "https://pay.example/i/AbC123XyZ789".into(),
        };
        let r = self.render_vars(vars, via, lang).await?;
        Ok(preview_of(via, r))
    }

    /// A message text as a customer would get it, with made-up invoice details, for the
    /// template editor: `part` is `sms`, `email_subject` or `email_text`.
    pub async fn preview_template(
        &self,
        lang: &str,
        part: &str,
        text: &str,
    ) -> Result<MessagePreview> {
        let lang = Lang::from_str(lang).map_err(|e| EngineError::input("lang", e))?;
        let (customer, item) = match lang {
            Lang::Ko => ("김민준", "테스트 상품"),
            Lang::Ja => ("山田花子", "テスト商品"),
            Lang::En => ("Jane Kim", "Test item"),
        };
        let vars = MessageVars {
            store: self.store_name().await?,
            customer: Some(customer.into()),
            item: item.into(),
            amount: paydesk_core::Money::from_minor(29_900, paydesk_core::Currency::Krw)
                .map_err(internal)?
                .to_display(lang.as_str()),
            expiry: format_deadline(
                Utc::now() + Duration::days(3),
                self.time_zone().await?,
                lang,
            ),
            link: "https://pay.example/i/AbC123".into(),
        };
        let rendered = template::render(text, &vars, lang);
        let sms = part == "sms";
        Ok(MessagePreview {
            via: if sms { "sms" } else { "email" }.into(),
            lang: lang.as_str().into(),
            subject: None,
            bytes: sms.then(|| sms::euc_kr_len(&rendered)),
            class: if sms {
                sms::classify(&rendered).ok()
            } else {
                None
            },
            text: rendered,
        })
    }

    // ---- sending ------------------------------------------------------------------------

    /// Sends an invoice's link to its customer (a new delivery every time: sending again
    /// is the clerk's explicit choice). A draft's message waits for its link.
    pub async fn send(&self, req: SendRequest) -> Result<DeliveryView> {
        let inv = self.find(&req.invoice).await?;
        if !matches!(inv.status, Status::Open | Status::Draft) {
            return Err(EngineError::input(
                "invoice",
                format!(
                    "the invoice is {}; there is nothing for the customer to pay",
                    inv.status.as_str()
                ),
            ));
        }
        let customer = self.customer_of(&inv).await?;
        let mut errors = Vec::new();
        let planned = self
            .plan_delivery(&inv.id, &inv.account, customer.as_ref(), &req, &mut errors)
            .await?;
        let (Some(d), true) = (planned, errors.is_empty()) else {
            return Err(EngineError::Input(errors));
        };
        self.inner.store.insert_delivery(&d).await?;
        let after = self.process_delivery(&d.id).await?;
        delivery_result(&after)
    }

    /// Every delivery (of one invoice, or all), oldest first.
    pub async fn deliveries(&self, invoice: Option<&str>) -> Result<Vec<DeliveryView>> {
        let id = match invoice {
            Some(key) => Some(self.find(key).await?.id),
            None => None,
        };
        Ok(self
            .inner
            .store
            .deliveries(id.as_deref())
            .await?
            .iter()
            .map(DeliveryView::from)
            .collect())
    }

    /// Sends queued messages whose link exists, and settles rows a stopped process left
    /// in `sending`. Run by every sync pass.
    pub async fn process_outbox(&self) -> Result<OutboxReport> {
        let mut report = OutboxReport::default();
        for d in self
            .inner
            .store
            .deliveries_due(Utc::now() - lease())
            .await?
        {
            let after = match d.state {
                DeliveryState::Sending => self.settle_abandoned(&d).await?,
                _ => match self.process_delivery(&d.id).await {
                    Ok(after) => after,
                    Err(e) => {
                        tracing::warn!(delivery = %d.id, error = %e, "delivery left queued");
                        continue;
                    }
                },
            };
            match after.state {
                DeliveryState::Sent => report.sent += 1,
                DeliveryState::Failed => report.failed += 1,
                DeliveryState::Unknown => report.unknown += 1,
                DeliveryState::Queued => report.waiting += 1,
                DeliveryState::Sending => {}
            }
        }
        Ok(report)
    }

    /// Marks the queued deliveries of an invoice that will never have a link as failed.
    pub(crate) async fn drop_queued_deliveries(&self, invoice_id: &str, why: &str) -> Result<()> {
        for d in self.inner.store.deliveries(Some(invoice_id)).await? {
            if d.state == DeliveryState::Queued {
                self.settle(
                    &d.id,
                    DeliveryState::Queued,
                    DeliveryState::Failed,
                    None,
                    Some(why.into()),
                    Source::User,
                )
                .await?;
            }
        }
        Ok(())
    }

    async fn settle(
        &self,
        id: &str,
        from: DeliveryState,
        to: DeliveryState,
        accepted: Option<&Accepted>,
        error: Option<String>,
        source: Source,
    ) -> Result<bool> {
        Ok(self
            .inner
            .store
            .settle_delivery(
                id,
                from,
                &DeliverySettled {
                    state: to,
                    via: accepted.map(|a| a.via.as_str().to_string()),
                    channel_message_id: accepted.map(|a| a.message_id.clone()),
                    error,
                    source,
                    at: Utc::now(),
                },
            )
            .await?)
    }

    /// Takes one queued delivery through sending, retrying passing failures a bounded
    /// number of times. Returns the row as it ends up.
    pub(crate) async fn process_delivery(&self, id: &str) -> Result<Delivery> {
        loop {
            let d = self.inner.store.delivery(id).await?;
            if d.state != DeliveryState::Queued {
                return Ok(d);
            }
            let inv = self.inner.store.invoice(&d.invoice_id).await?;
            match inv.status {
                Status::Open => {}
                Status::Draft => return Ok(d),
                other => {
                    self.settle(
                        id,
                        DeliveryState::Queued,
                        DeliveryState::Failed,
                        None,
                        Some(format!("not sent: the invoice is {}", other.as_str())),
                        Source::Sync,
                    )
                    .await?;
                    return self.inner.store.delivery(id).await.map_err(Into::into);
                }
            }
            let via = Via::from_str(&d.via).map_err(internal)?;
            let lang = Lang::from_str(&d.lang).unwrap_or_default();
            // Everything that can fail without sending comes first: the row stays queued.
            let sender = self.sender_for_delivery(&d, &inv).await?;
            let rendered = self.render(&inv, via, lang).await?;
            let now = Utc::now();
            if !self
                .inner
                .store
                .claim_delivery(id, now, rendered.subject.as_deref(), &rendered.text)
                .await?
            {
                return self.inner.store.delivery(id).await.map_err(Into::into);
            }
            failpoint("send:after-claim");
            let result = self.deliver(&sender, &d, &inv, &rendered).await;
            failpoint("send:after-channel");
            let attempts = d.attempts + 1;
            match result {
                Ok(accepted) => {
                    self.settle(
                        id,
                        DeliveryState::Sending,
                        DeliveryState::Sent,
                        Some(&accepted),
                        accepted.note.clone(),
                        Source::User,
                    )
                    .await?;
                }
                Err(f)
                    if f.outcome == (Outcome::NotAccepted { retry: true })
                        && attempts < MAX_SEND_ATTEMPTS =>
                {
                    self.settle(
                        id,
                        DeliveryState::Sending,
                        DeliveryState::Queued,
                        None,
                        Some(format!("{}; will try again", f.message)),
                        Source::User,
                    )
                    .await?;
                    let wait = 400u64 * (1 << attempts.min(4)) + fastrand::u64(0..300);
                    tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
                    continue;
                }
                Err(f) => {
                    let (state, error) = match f.outcome {
                        Outcome::NotAccepted { retry: true } => (
                            DeliveryState::Failed,
                            format!("{} (gave up after {attempts} attempts; send again when it is back)", f.message),
                        ),
                        Outcome::NotAccepted { retry: false } => (DeliveryState::Failed, f.message),
                        Outcome::Unknown => (
                            DeliveryState::Unknown,
                            format!("{}; not resent — check with the customer before sending again", f.message),
                        ),
                    };
                    self.settle(
                        id,
                        DeliveryState::Sending,
                        state,
                        None,
                        Some(error),
                        Source::User,
                    )
                    .await?;
                }
            }
            return self.inner.store.delivery(id).await.map_err(Into::into);
        }
    }

    async fn sender_for_delivery(&self, d: &Delivery, inv: &Invoice) -> Result<Sender> {
        if d.via == Via::Provider.as_str() {
            let account = self.account_record("account", &inv.account).await?;
            return Ok(Sender::Provider(self.provider_for(&account).await?));
        }
        let r = self.channel_record(&d.channel).await?;
        self.sender_for_channel(&r).await
    }

    async fn deliver(
        &self,
        sender: &Sender,
        d: &Delivery,
        inv: &Invoice,
        r: &Rendered,
    ) -> std::result::Result<Accepted, Failure> {
        let via = Via::from_str(&d.via).unwrap_or(Via::Sms);
        match (sender, via) {
            (Sender::Smtp(smtp, domain), _) => {
                let content = r
                    .email
                    .as_ref()
                    .expect("an e-mail delivery is rendered as e-mail");
                let qr = paydesk_notify::qr::png(&r.vars.link);
                // The store's logo at the top, when one is kept (a logo that cannot be
                // read never stops a message).
                let logo = self.logo().ok().flatten();
                let branded = logo.as_ref().map(|_| content.with_logo(&r.vars.store));
                Ok(smtp
                    .send(&OutgoingEmail {
                        to: &d.to,
                        content: branded.as_ref().unwrap_or(content),
                        qr_png: qr.as_deref(),
                        logo: logo
                            .as_ref()
                            .map(|l| (l.bytes.as_slice(), l.decoded.mime())),
                        message_id: format!("{}@{domain}", d.id),
                    })
                    .await?)
            }
            (Sender::Solapi(s), Via::Alimtalk) => {
                let vars = template::alimtalk_variables(&r.vars, r.lang);
                Ok(s.send_alimtalk(&d.to, &vars, &r.text).await?)
            }
            (Sender::Solapi(s), _) => Ok(s.send_text(&d.to, &r.text, r.subject.as_deref()).await?),
            (Sender::Twilio(t), _) => Ok(t.send(&d.to, &r.text).await?),
            (Sender::Provider(p), _) => {
                let pid = inv.provider_id.as_deref().unwrap_or_default();
                match p.notify_customer(pid).await {
                    Ok(()) => Ok(Accepted {
                        message_id: format!("{}:{pid}", inv.provider),
                        via: Via::Provider,
                        note: None,
                    }),
                    Err(e) => Err(Failure {
                        outcome: if e.outcome_unknown() {
                            Outcome::Unknown
                        } else {
                            Outcome::NotAccepted { retry: false }
                        },
                        message: e.to_string(),
                    }),
                }
            }
        }
    }

    /// A row left in `sending` by a process that stopped: ask the channel where it can.
    async fn settle_abandoned(&self, d: &Delivery) -> Result<Delivery> {
        let found = match self.inner.store.channel(&d.channel).await? {
            Some(r) if r.kind == "twilio" => match (self.sender_for_channel(&r).await, &d.body) {
                (Ok(Sender::Twilio(t)), Some(body)) => {
                    t.find_sent(&d.to, body, d.updated_at).await.ok()
                }
                _ => None,
            },
            _ => None,
        };
        match found {
            Some(Some(sid)) => {
                let accepted = Accepted {
                    message_id: sid,
                    via: Via::from_str(&d.via).unwrap_or(Via::Sms),
                    note: None,
                };
                self.settle(
                    &d.id,
                    DeliveryState::Sending,
                    DeliveryState::Sent,
                    Some(&accepted),
                    Some("confirmed with Twilio after a restart".into()),
                    Source::Sync,
                )
                .await?;
            }
            Some(None) if d.attempts < MAX_SEND_ATTEMPTS => {
                // Twilio has no such message: it was never taken, so sending it is safe.
                self.settle(
                    &d.id,
                    DeliveryState::Sending,
                    DeliveryState::Queued,
                    None,
                    Some("Twilio has no record of it after a restart; sending again".into()),
                    Source::Sync,
                )
                .await?;
                return self.process_delivery(&d.id).await;
            }
            _ => {
                self.settle(
                    &d.id,
                    DeliveryState::Sending,
                    DeliveryState::Unknown,
                    None,
                    Some(format!(
                        "PayDesk stopped while sending; {} cannot be asked whether it went out — check with the customer before sending again",
                        d.channel
                    )),
                    Source::Sync,
                )
                .await?;
            }
        }
        Ok(self.inner.store.delivery(&d.id).await?)
    }
}

/// A delivery that did not end sent is an error for the one who asked for it.
fn delivery_result(d: &Delivery) -> Result<DeliveryView> {
    match d.state {
        DeliveryState::Sent | DeliveryState::Queued => Ok(DeliveryView::from(d)),
        state => Err(EngineError::Channel {
            channel: d.channel.clone(),
            code: None,
            message: format!(
                "delivery {} by {} to {} {}: {}",
                d.id,
                d.via,
                d.to,
                state.as_str(),
                d.error.as_deref().unwrap_or("no reason given")
            ),
        }),
    }
}

pub(crate) fn failed_deliveries_error(invoice_id: &str, list: &[Delivery]) -> Option<EngineError> {
    let bad: Vec<&Delivery> = list
        .iter()
        .filter(|d| matches!(d.state, DeliveryState::Failed | DeliveryState::Unknown))
        .collect();
    let first = bad.first()?;
    Some(EngineError::Channel {
        channel: first.channel.clone(),
        code: None,
        message: format!(
            "the link {invoice_id} was created, but {}",
            bad.iter()
                .map(|d| format!(
                    "sending by {} to {} {}: {}",
                    d.via,
                    d.to,
                    d.state.as_str(),
                    d.error.as_deref().unwrap_or("no reason given")
                ))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    })
}

fn parse_offset(s: &str) -> Option<FixedOffset> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("utc") || s == "Z" {
        return FixedOffset::east_opt(0);
    }
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let (h, m) = rest.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    if h > 14 || m > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

/// A deadline as a customer reads it, in the merchant's time zone.
fn preview_of(via: Via, r: Rendered) -> MessagePreview {
    let (bytes, class) = match via {
        Via::Sms | Via::Lms | Via::Alimtalk => {
            (Some(sms::euc_kr_len(&r.text)), sms::classify(&r.text).ok())
        }
        _ => (None, None),
    };
    MessagePreview {
        via: via.as_str().into(),
        lang: r.lang.as_str().into(),
        subject: r.subject,
        text: r.text,
        bytes,
        class,
    }
}

pub fn format_deadline(at: DateTime<Utc>, tz: FixedOffset, lang: Lang) -> String {
    let t = at.with_timezone(&tz);
    match lang {
        Lang::Ko => t.format("%-m월 %-d일 %H:%M").to_string(),
        Lang::Ja => t.format("%-m月%-d日 %H:%M").to_string(),
        Lang::En => t.format("%-d %b %H:%M").to_string(),
    }
}

fn channel_settings(
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
                None => errors
                    .push(InputError::new("host", "an SMTP channel needs --host").code("empty")),
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
                        "an SMTP channel needs --from (e.g. \"하나상회 <shop@hana.kr>\")",
                    )
                    .code("empty"),
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
                    InputError::new("sender", "needs --sender (the sending number)").code("empty"),
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
                        "AlimTalk needs both --pf-id and --template-id",
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
