//! Rendering a message in the customer's language, and the previews the window shows.

use std::str::FromStr;

use crate::{
    context::internal, context::non_empty, error::Result, Engine, EngineError, MessagePreview,
};
use chrono::{DateTime, Duration, FixedOffset, Utc};
use paydesk_core::{Invoice, MessageKind, Phone};
use paydesk_notify::{
    sms,
    template::{self, EmailContent},
    Lang, MessageVars, Via,
};

/// The rendered message of one delivery: an e-mail or a text, in its language.
pub(crate) struct Rendered {
    pub(crate) body: Body,
    pub(crate) vars: MessageVars,
    pub(crate) lang: Lang,
}

/// What a message is, by the way it goes.
pub(crate) enum Body {
    Email(EmailContent),
    Text(String),
}

impl Rendered {
    /// The e-mail's subject (texts have none).
    pub(crate) fn subject(&self) -> Option<&str> {
        match &self.body {
            Body::Email(e) => Some(&e.subject),
            Body::Text(_) => None,
        }
    }

    /// The text the customer reads (an e-mail's plain text part).
    pub(crate) fn text(&self) -> &str {
        match &self.body {
            Body::Email(e) => &e.text,
            Body::Text(t) => t,
        }
    }
}

impl Engine {
    /// The language to write to a customer in when none was chosen: their phone's
    /// country's, else the store's country's.
    pub(crate) async fn lang_of(&self, customer: Option<&paydesk_core::Customer>) -> Result<Lang> {
        Ok(Lang::for_customer(
            customer.and_then(|c| c.phone.as_deref()),
            self.country().await?,
        ))
    }

    /// The message of `kind` about `inv`, for `via` in `lang`.
    pub(crate) async fn render(
        &self,
        inv: &Invoice,
        kind: MessageKind,
        via: Via,
        lang: Lang,
    ) -> Result<Rendered> {
        if kind == MessageKind::RefundClaim {
            return self.render_refund_claim(inv, via, lang).await;
        }
        let customer = self.customer_of(inv).await?;
        let link = inv
            .payment_url
            .clone()
            .or_else(|| inv.payment_number.clone())
            .ok_or_else(|| {
                EngineError::coded(
                    "invoice",
                    paydesk_core::InputCode::NoLink,
                    "the invoice has no link to send yet",
                )
            })?;
        let tz = self.time_zone().await?;
        let vars = MessageVars {
            store: self.store_name().await?,
            customer: customer.map(|c| c.name),
            item: inv.name.clone(),
            // An under-paid link still payable asks for what is still owed, not the whole.
            amount: inv
                .due()
                .filter(|_| inv.may_still_be_paid())
                .unwrap_or(inv.amount)
                .to_display(),
            expiry: format_deadline(inv.expires_at, tz, lang),
            link,
        };
        self.render_vars(vars, via, lang).await
    }

    /// A refund's claim link, with the newest refund's amount (its page claims that one).
    async fn render_refund_claim(&self, inv: &Invoice, via: Via, lang: Lang) -> Result<Rendered> {
        let link = inv.refund_url.clone().ok_or_else(|| {
            EngineError::coded(
                "what",
                paydesk_core::InputCode::NoLink,
                "the invoice has no refund to claim",
            )
        })?;
        let newest = self
            .inner
            .store
            .timeline(&inv.id)
            .await?
            .iter()
            .rev()
            .find_map(|e| e.refund_minor)
            .and_then(|m| paydesk_core::Money::from_minor(m, inv.amount.currency()).ok())
            .unwrap_or(inv.refunded);
        let vars = MessageVars {
            store: self.store_name().await?,
            customer: self.customer_of(inv).await?.map(|c| c.name),
            item: inv.name.clone(),
            amount: newest.to_display(),
            expiry: String::new(),
            link,
        };
        let t = paydesk_notify::template::Templates::refund_claim(lang);
        let body = match via {
            Via::Email => Body::Email(template::email(&t, &vars, lang)),
            _ => Body::Text(template::sms_text(&t, &vars, lang)),
        };
        Ok(Rendered { body, vars, lang })
    }

    pub(crate) async fn render_vars(
        &self,
        vars: MessageVars,
        via: Via,
        lang: Lang,
    ) -> Result<Rendered> {
        let t = self.templates(lang).await?;
        let body = match via {
            Via::Email => Body::Email(template::email(&t, &vars, lang)),
            _ => Body::Text(template::sms_text(&t, &vars, lang)),
        };
        Ok(Rendered { body, vars, lang })
    }

    /// Exactly what the customer will get for `via` in `lang`, with the SMS byte count.
    pub async fn preview_message(
        &self,
        key: &str,
        via: &str,
        lang: Option<&str>,
    ) -> Result<MessagePreview> {
        self.preview_message_of(key, MessageKind::Link, via, lang)
            .await
    }

    /// [`Engine::preview_message`] of a message of `kind` (the link, or a refund's claim link).
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn preview_message_of(
        &self,
        key: &str,
        kind: MessageKind,
        via: &str,
        lang: Option<&str>,
    ) -> Result<MessagePreview> {
        let inv = self.find(key).await?;
        let via = Via::from_str(via).map_err(|e| EngineError::input("via", e))?;
        let lang = match lang.map(str::trim).filter(|l| !l.is_empty()) {
            Some(l) => Lang::from_str(l).map_err(|e| EngineError::input("lang", e))?,
            None => self.lang_of(self.customer_of(&inv).await?.as_ref()).await?,
        };
        let r = self.render(&inv, kind, via, lang).await?;
        Ok(preview_of(via, r))
    }

    /// The message a link still being filled in would send (the create form's preview):
    /// the merchant's text with the form's item, amount, deadline and customer, and a
    /// stand-in link of a provider link's usual length (the real one exists only once the
    /// provider has made it). Input errors are the same as creating the link would give.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn preview_new_link(&self, l: &crate::NewLink, via: &str) -> Result<MessagePreview> {
        let via = Via::from_str(via).map_err(|e| EngineError::input("via", e))?;
        let now = Utc::now();
        // The same rules as creating it (the core's link fields), for the two it shows.
        let country = self.country().await?;
        let fields = paydesk_core::LinkFields {
            store_currency: Some(self.store_currency().await?),
            ..l.fields()
        };
        let amount = fields.amount()?;
        let expires_at = fields.expiry(now)?.instant();
        let lang = match (non_empty(&l.lang), non_empty(&l.phone)) {
            (Some(code), _) => Lang::from_str(code).map_err(|e| EngineError::input("lang", e))?,
            (None, Some(p)) => Phone::parse_in(p, country)
                .map(|p| Lang::for_phone_e164(p.e164()))
                .unwrap_or(country.lang()),
            _ => country.lang(),
        };
        let vars = MessageVars {
            store: self.store_name().await?,
            customer: non_empty(&l.customer_name).map(str::to_owned),
            item: l.name.trim().to_owned(),
            amount: amount.to_display(),
            expiry: format_deadline(expires_at, self.time_zone().await?, lang),
            link: "https://pay.example/i/AbC123XyZ789".into(),
        };
        let r = self.render_vars(vars, via, lang).await?;
        Ok(preview_of(via, r))
    }

    /// A message text as a customer would get it, with made-up invoice details, for the
    /// template editor: `part` is `sms`, `email_subject` or `email_text`.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
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
            amount: paydesk_core::Money::from_minor(29_900, self.store_currency().await?)
                .map_err(internal)?
                .to_display(),
            expiry: format_deadline(
                Utc::now() + Duration::days(3),
                self.time_zone().await?,
                lang,
            ),
            link: "https://pay.example/i/AbC123".into(),
        };
        let sms = part == "sms";
        // An SMS text is rendered the way it goes out (amounts as a text writes them).
        let rendered = if sms {
            let t = paydesk_notify::Templates {
                sms: text.to_string(),
                ..paydesk_notify::Templates::builtin(lang)
            };
            template::sms_text(&t, &vars, lang)
        } else {
            template::render(text, &vars, lang)
        };
        Ok(MessagePreview {
            via: if sms { Via::Sms } else { Via::Email },
            lang,
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
}

/// What the window shows of a rendered message: with the SMS byte count and class.
pub(crate) fn preview_of(via: Via, r: Rendered) -> MessagePreview {
    let (bytes, class) = match via {
        Via::Sms | Via::Lms | Via::Alimtalk => (
            Some(sms::euc_kr_len(r.text())),
            sms::classify(r.text()).ok(),
        ),
        _ => (None, None),
    };
    let subject = r.subject().map(str::to_string);
    MessagePreview {
        via,
        lang: r.lang,
        subject,
        text: r.text().to_string(),
        bytes,
        class,
    }
}

/// A deadline as a customer reads it in a message, in the merchant's time zone.
pub fn format_deadline(at: DateTime<Utc>, tz: FixedOffset, lang: Lang) -> String {
    let t = at.with_timezone(&tz);
    match lang {
        Lang::Ko => t.format("%-m월 %-d일 %H:%M").to_string(),
        Lang::Ja => t.format("%-m月%-d日 %H:%M").to_string(),
        Lang::En => t.format("%-d %b %H:%M").to_string(),
    }
}
