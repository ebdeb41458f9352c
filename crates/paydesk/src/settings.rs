//! The store's settings: its name, time zone, message texts, sync interval and rate,
//! notifications; each checked before it is saved.

use std::{collections::BTreeMap, str::FromStr};

use crate::{error::Result, Engine, EngineError};
use chrono::FixedOffset;
use paydesk_core::{Country, Currency};
use paydesk_notify::{Lang, Templates};

/// The app's pause between sync passes unless `sync_interval` says otherwise.
pub const DEFAULT_SYNC_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5);

/// Requests per second sync sends one provider account unless `sync_rate_limit` says otherwise.
pub const DEFAULT_RATE_LIMIT: u32 = 20;

impl Engine {
    /// Requests per second sync may send one account (`sync_rate_limit`; 0: no limit).
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn rate_limit(&self) -> Result<u32> {
        Ok(self
            .inner
            .store
            .setting("sync_rate_limit")
            .await?
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_RATE_LIMIT))
    }

    /// How long the app waits between sync passes (`sync_interval`, seconds).
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn sync_interval(&self) -> Result<std::time::Duration> {
        Ok(self
            .inner
            .store
            .setting("sync_interval")
            .await?
            .and_then(|v| v.parse().ok())
            .map(std::time::Duration::from_secs)
            .unwrap_or(DEFAULT_SYNC_INTERVAL))
    }

    /// The country the store sells in (`country`: KR unless set): how domestic phone
    /// numbers are read, and the language when nothing is known of a customer.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn country(&self) -> Result<Country> {
        Ok(self
            .inner
            .store
            .setting("country")
            .await?
            .and_then(|v| Country::from_str(&v).ok())
            .unwrap_or_default())
    }

    /// What new links and convenience-store payments are in unless another currency is
    /// chosen (`currency`; the country's own unless set).
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn store_currency(&self) -> Result<Currency> {
        let set = self.inner.store.setting("currency").await?;
        match set.and_then(|v| Currency::from_str(&v).ok()) {
            Some(c) => Ok(c),
            None => Ok(self.country().await?.currency()),
        }
    }

    /// The store's name as customers see it (messages, slips).
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn store_name(&self) -> Result<String> {
        Ok(self
            .inner
            .store
            .setting("store_name")
            .await?
            .unwrap_or_else(|| "PayDesk".into()))
    }

    /// The merchant's time zone (deadlines in messages); `+09:00` unless set.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn time_zone(&self) -> Result<FixedOffset> {
        let tz = self.inner.store.setting("time_zone").await?;
        Ok(tz
            .and_then(|t| parse_offset(&t))
            .unwrap_or_else(|| FixedOffset::east_opt(9 * 3600).expect("valid offset")))
    }

    /// The message texts of one language: the merchant's own where set
    /// (`template.ko.sms`, …), the built-in ones otherwise.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
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
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn settings(&self) -> Result<BTreeMap<String, String>> {
        let mut out = BTreeMap::new();
        out.insert("store_name".into(), self.store_name().await?);
        // Until the merchant names the store, the window greets them first.
        let named = self.inner.store.setting("store_name").await?.is_some();
        out.insert("first_run".into(), if named { "no" } else { "yes" }.into());
        out.insert("time_zone".into(), self.time_zone().await?.to_string());
        let country = self.country().await?;
        out.insert("country".into(), country.to_string());
        // Read-only: how a domestic phone number is written there (form examples).
        out.insert("phone_example".into(), country.phone_example().into());
        out.insert(
            "currency".into(),
            self.store_currency().await?.code().into(),
        );
        out.insert(
            "sync_rate_limit".into(),
            self.rate_limit().await?.to_string(),
        );
        out.insert(
            "sync_interval".into(),
            self.sync_interval().await?.as_secs().to_string(),
        );
        out.insert("print_to".into(), self.print_to().await?.to_string());
        out.insert(
            "printer".into(),
            self.inner
                .store
                .setting("printer")
                .await?
                .unwrap_or_default(),
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
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
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
                return Err(EngineError::coded(
                    key,
                    paydesk_core::InputCode::NeedsLink,
                    "must contain {link}: a message without the payment link cannot be paid",
                ));
            }
            if value.chars().count() > 2000 {
                return Err(EngineError::coded(
                    key,
                    paydesk_core::InputCode::TooLong,
                    "must be at most 2,000 characters",
                ));
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
                    return Err(EngineError::coded(
                        "sync_interval",
                        paydesk_core::InputCode::CheckInterval,
                        "must be seconds between checks, 1–3600",
                    ));
                }
            }
            "store_name" => {
                let n = value.chars().count();
                let code = if n == 0 {
                    Some(paydesk_core::InputCode::Empty)
                } else if n > 60 {
                    Some(paydesk_core::InputCode::TooLong)
                } else if value.chars().any(char::is_control) {
                    Some(paydesk_core::InputCode::ControlChars)
                } else {
                    None
                };
                if let Some(code) = code {
                    return Err(paydesk_core::InputError::new(
                        "store_name",
                        "must be 1–60 printable characters",
                    )
                    .code(code)
                    .into());
                }
            }
            "print_to" => {
                let to = crate::PrintTo::from_str(value).map_err(|_| {
                    EngineError::coded(
                        "print_to",
                        paydesk_core::InputCode::Invalid,
                        "must be viewer (the PDF viewer opens it) or printer (straight to the printer)",
                    )
                })?;
                if to == crate::PrintTo::Printer && cfg!(windows) {
                    return Err(EngineError::coded(
                        "print_to",
                        paydesk_core::InputCode::Unsupported,
                        "printing without the viewer needs CUPS (Linux, macOS); on Windows the PDF viewer prints",
                    ));
                }
            }
            "printer" => {
                // A CUPS destination name (the system's default when empty).
                if value.is_empty() {
                    self.inner.store.delete_setting(key).await?;
                    return Ok(());
                }
                if value.chars().count() > 127
                    || value
                        .chars()
                        .any(|c| c.is_control() || c.is_whitespace() || matches!(c, '/' | '#'))
                {
                    return Err(EngineError::coded(
                        "printer",
                        paydesk_core::InputCode::Invalid,
                        "is not a printer name (up to 127 characters, no spaces, / or #)",
                    ));
                }
            }
            "country" => {
                let c = Country::from_str(value)?;
                self.inner.store.set_setting(key, c.as_str()).await?;
                return Ok(());
            }
            "currency" => {
                let c = Currency::from_str(value).map_err(|e| {
                    paydesk_core::InputError::new("currency", e)
                        .code(paydesk_core::InputCode::UnknownCurrency)
                })?;
                self.inner.store.set_setting(key, c.code()).await?;
                return Ok(());
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
                    format!("unknown setting {other:?} (expected store_name, country, currency, time_zone, sync_interval, sync_rate_limit, notifications, print_to, printer or template.LANG.PART)"),
                ))
            }
        }
        self.inner.store.set_setting(key, value).await?;
        Ok(())
    }
}

pub(crate) fn parse_offset(s: &str) -> Option<FixedOffset> {
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
    let two_digits = |t: &str| t.len() == 2 && t.bytes().all(|b| b.is_ascii_digit());
    if !two_digits(h) || !two_digits(m) {
        return None;
    }
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    if h > 14 || m > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}
