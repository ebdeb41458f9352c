//! Planning a message: the way, the channel, the recipient and the language are checked
//! and a queued row is made; nothing is written here.

use std::str::FromStr;

use crate::{context::non_empty, error::Result, Engine, EngineError, SendRequest};
use chrono::Utc;
use paydesk_core::{Customer, Delivery, Email, InputCode, InputError, InvoiceId, Phone};
use paydesk_notify::{ChannelKind, Lang, Via};
use paydesk_store::ChannelRecord;

impl Engine {
    /// Validates a send (way, channel, recipient, language) and returns the queued row,
    /// or pushes what is wrong to `errors`. Nothing is written here.
    pub(crate) async fn plan_delivery(
        &self,
        invoice_id: &InvoiceId,
        account: &str,
        customer: Option<&Customer>,
        req: &SendRequest,
        errors: &mut Vec<InputError>,
    ) -> Result<Option<Delivery>> {
        let country = self.country().await?;
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
                if !paydesk_providers::spec(a.provider)
                    .capabilities
                    .notify_customer
                {
                    errors.push(
                        InputError::new(
                            "via",
                            format!("{} does not send links to customers itself; use sms, alimtalk or email", a.provider),
                        )
                        .code(InputCode::Unsupported),
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
                            InputError::new("email", "an e-mail needs the customer's address")
                                .code(InputCode::Empty),
                        );
                        None
                    }
                }
            }
            _ => {
                let given = non_empty(&req.to).map(str::to_string);
                match given.or_else(|| customer.and_then(|c| c.phone.clone())) {
                    Some(p) => match Phone::parse_in(&p, country) {
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
                                format!("sending by {via} needs the customer's phone number"),
                            )
                            .code(InputCode::Empty),
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
                        errors.push(InputError::new("to", e.message).code(InputCode::InvalidPhone));
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
                _ => Lang::for_customer(customer.and_then(|c| c.phone.as_deref()), country),
            }),
        };
        let (Some(to), Some(lang)) = (to, lang) else {
            return Ok(None);
        };
        Ok(Some(Delivery::queued(
            invoice_id.clone(),
            channel,
            via,
            to,
            lang,
            req.what,
            Utc::now(),
        )))
    }

    pub(crate) async fn pick_channel(&self, via: Via, name: Option<&str>) -> Result<ChannelRecord> {
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
                return Err(EngineError::coded(
                    "channel",
                    paydesk_core::InputCode::WrongChannel,
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
                    Via::Email => "an SMTP channel",
                    Via::Alimtalk => "a Solapi channel with an AlimTalk template",
                    _ => "a Solapi or Twilio channel",
                };
                EngineError::Input(vec![InputError::new(
                    "channel",
                    format!("no channel sends {via} yet; add {hint} first"),
                )
                .code(InputCode::NoChannel)])
            })
    }
}
