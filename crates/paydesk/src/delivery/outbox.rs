//! Messages to customers: delivery channels (settings in the database, secrets in the
//! keyring) and the outbox. Every message is a `deliveries` row before anything is
//! sent; a row is taken for sending by exactly one process (queued → sending), and
//! it is sent again only when the channel's answer proves the message was not taken. A row found in `sending` after its process stopped is settled by asking
//! the channel where it can (Twilio), otherwise marked `unknown` for the clerk.

use chrono::{Duration, Utc};
use paydesk_core::{
    Delivery, DeliveryState, InputCode, InputError, Invoice, MessageKind, Source, Status,
};
use paydesk_notify::{template, Accepted, ChannelError, Outcome, Via};
use paydesk_store::DeliverySettled;

use super::channels::Sender;
use super::render::{Body, Rendered};
use crate::{
    context::failpoint, error::Result, DeliveryView, Engine, EngineError, OutboxReport, SendRequest,
};
use paydesk_notify::channel::Outgoing;

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

/// A send that did not end with the message taken.
#[derive(Debug, Clone)]
pub(crate) struct Failure {
    pub(crate) outcome: Outcome,
    pub(crate) message: String,
}

impl From<ChannelError> for Failure {
    fn from(e: ChannelError) -> Self {
        Failure {
            outcome: e.outcome,
            message: e.to_string(),
        }
    }
}

impl Engine {
    /// Sends an invoice's link to its customer (a new delivery every time: sending again
    /// is the clerk's explicit choice). A draft's message waits for its link.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn send(&self, req: SendRequest) -> Result<DeliveryView> {
        let inv = self.find(&req.invoice).await?;
        if req.what == MessageKind::RefundClaim {
            if inv.refund_url.is_none() {
                return Err(EngineError::input(
                    "what",
                    "the invoice has no refund for the customer to claim",
                ));
            }
            if !matches!(req.via.trim(), "sms" | "email") {
                return Err(InputError::new(
                    "via",
                    "a refund's claim link goes by SMS or e-mail (an AlimTalk needs its own approved template)",
                )
                .code(InputCode::Unsupported)
                .into());
            }
        } else if !matches!(inv.status, Status::Open | Status::Draft) {
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
        self.refuse_unsendable(&d, &inv).await?;
        self.inner.store.insert_delivery(&d).await?;
        let after = self.process_delivery(&d.id).await?;
        delivery_result(&after)
    }

    /// Every delivery (of one invoice, or all), oldest first.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
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
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
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

    pub(crate) async fn settle(
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
                    via: accepted.map(|a| a.via),
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
            // A link goes out while it can be paid (a draft's waits for its link); a
            // refund's claim link while the invoice has one.
            let not_sent = match (d.kind, inv.status) {
                (MessageKind::Link, Status::Open) => None,
                (MessageKind::Link, Status::Draft) => return Ok(d),
                (MessageKind::Link, other) => Some(format!("the invoice is {}", other.as_str())),
                (MessageKind::RefundClaim, _) if inv.refund_url.is_some() => None,
                (MessageKind::RefundClaim, _) => Some("the invoice has no refund to claim".into()),
            };
            if let Some(why) = not_sent {
                self.settle(
                    id,
                    DeliveryState::Queued,
                    DeliveryState::Failed,
                    None,
                    Some(format!("not sent: {why}")),
                    Source::Sync,
                )
                .await?;
                return self.inner.store.delivery(id).await.map_err(Into::into);
            }
            let (via, lang) = (d.via, d.lang);
            // Everything that can fail without sending comes first: the row stays queued.
            let sender = self.sender_for_delivery(&d, &inv).await?;
            let rendered = self.render(&inv, d.kind, via, lang).await?;
            let now = Utc::now();
            if !self
                .inner
                .store
                .claim_delivery(id, now, rendered.subject(), rendered.text())
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

    /// Whatever would refuse a message is tried before it is written: the channel with
    /// its keys, and the message itself once there is a link. A refusal says "nothing
    /// written" (exit 2), so it must leave nothing queued to go out once the fault is
    /// fixed. A keyring that does not answer is no refusal: the message waits for it.
    pub(crate) async fn refuse_unsendable(&self, d: &Delivery, inv: &Invoice) -> Result<()> {
        let refused = |r: Result<()>| match r {
            Err(e @ EngineError::Input(_)) => Err(e),
            _ => Ok(()),
        };
        refused(self.sender_for_delivery(d, inv).await.map(|_| ()))?;
        if inv.status == Status::Open || d.kind == MessageKind::RefundClaim {
            refused(self.render(inv, d.kind, d.via, d.lang).await.map(|_| ()))?;
        }
        Ok(())
    }

    pub(crate) async fn sender_for_delivery(&self, d: &Delivery, inv: &Invoice) -> Result<Sender> {
        if d.via == Via::Provider {
            let account = self.account_record("account", &inv.account).await?;
            return Ok(Sender::Provider(self.provider_for(&account).await?));
        }
        let r = self.channel_record(&d.channel).await?;
        Ok(Sender::Channel(self.channel_for(&r).await?))
    }

    pub(crate) async fn deliver(
        &self,
        sender: &Sender,
        d: &Delivery,
        inv: &Invoice,
        r: &Rendered,
    ) -> std::result::Result<Accepted, Failure> {
        match sender {
            Sender::Channel(channel) => {
                let alimtalk;
                let (qr, logo, branded);
                let message = match &r.body {
                    Body::Email(content) => {
                        qr = paydesk_notify::qr::png(&r.vars.link);
                        // The store's logo at the top, when one is kept (a logo that cannot
                        // be read never stops a message).
                        logo = self.logo().ok().flatten();
                        branded = logo.as_ref().map(|_| content.with_logo(&r.vars.store));
                        Outgoing::Email {
                            content: branded.as_ref().unwrap_or(content),
                            qr_png: qr.as_deref(),
                            logo: logo
                                .as_ref()
                                .map(|l| (l.bytes.as_slice(), l.decoded.mime())),
                            id: &d.id,
                        }
                    }
                    Body::Text(text) if d.via == Via::Alimtalk => {
                        alimtalk = template::alimtalk_variables(&r.vars, r.lang);
                        Outgoing::Alimtalk {
                            variables: &alimtalk,
                            text,
                        }
                    }
                    Body::Text(text) => Outgoing::Text {
                        text,
                        subject: None,
                    },
                };
                Ok(channel.send(&d.to, message).await?)
            }
            Sender::Provider(p) => {
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
    pub(crate) async fn settle_abandoned(&self, d: &Delivery) -> Result<Delivery> {
        let found = match (self.inner.store.channel(&d.channel).await?, &d.body) {
            (Some(r), Some(body)) => match self.channel_for(&r).await {
                Ok(channel) => channel
                    .find_sent(&d.to, body, d.updated_at)
                    .await
                    .and_then(|answer| answer.ok()),
                Err(_) => None,
            },
            _ => None,
        };
        match found {
            Some(Some(sid)) => {
                let accepted = Accepted {
                    message_id: sid,
                    via: d.via,
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
pub(crate) fn delivery_result(d: &Delivery) -> Result<DeliveryView> {
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
