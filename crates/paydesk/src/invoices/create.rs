//! Creating a payment link or a convenience-store payment number: the draft is saved
//! (with the messages asked for) before the provider is called, never twice.

use chrono::Utc;
use paydesk_core::{
    InputCode, InputError, Invoice, InvoiceId, InvoiceKind, LinkDraft, Money, PaymentFlags, Source,
    Status,
};
use paydesk_providers::ProviderError;

use crate::{
    context::failpoint,
    customers::{NewOrExisting, Recipient},
    error::Result,
    Engine, EngineError, InvoiceView, NewLink, SendRequest,
};

impl Engine {
    /// Creates a payment link. The local invoice (a draft with its merchant order id) is
    /// committed before the provider is called; if the provider's answer is lost, the
    /// draft stays and sync finishes it by looking the order id up — never two links.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn create_link(&self, l: NewLink) -> Result<InvoiceView> {
        self.create_invoice(l, InvoiceKind::Link, None).await
    }

    /// Issues a convenience-store payment number (PortOne, or the sandbox), with the
    /// same never-twice rules as a link.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn issue_cvs(&self, l: NewLink) -> Result<InvoiceView> {
        self.create_invoice(l, InvoiceKind::Cvs, None).await
    }

    /// Keeps a draft whose create did not go through, with the reason on it, and tells
    /// the window.
    async fn keep_draft_with_error(&self, draft: &Invoice, e: &ProviderError) -> Result<()> {
        self.inner
            .store
            .record_error(&draft.id, Utc::now(), Source::User, &e.to_string())
            .await?;
        let saved = self.inner.store.invoice(&draft.id).await?;
        self.publish(&saved).await?;
        Ok(())
    }

    pub(crate) async fn create_invoice(
        &self,
        l: NewLink,
        kind: InvoiceKind,
        rest_of: Option<InvoiceId>,
    ) -> Result<InvoiceView> {
        let now = Utc::now();
        let mut errors = Vec::new();
        let account = match self.account_record("account", &l.account).await {
            Ok(a) => {
                let caps = paydesk_providers::spec(a.provider).capabilities;
                let (supported, what, other) = match kind {
                    InvoiceKind::Link => (caps.links, "payment links", "cvs issue"),
                    InvoiceKind::Cvs => {
                        (caps.cvs, "convenience-store payment numbers", "link create")
                    }
                };
                if !supported {
                    errors.push(
                        InputError::new(
                            "account",
                            format!("{} does not make {what}; use {other}", a.provider),
                        )
                        .code(InputCode::Unsupported),
                    );
                }
                Some(a)
            }
            Err(EngineError::Input(mut e)) => {
                errors.append(&mut e);
                None
            }
            Err(e) => return Err(e),
        };
        let fields = paydesk_core::LinkFields {
            store_currency: Some(self.store_currency().await?),
            ..l.fields()
        };
        let parsed = LinkDraft::parse(&fields, now)
            .map_err(|mut e| errors.append(&mut e))
            .ok();
        let customer = self.resolve_customer(&l, &mut errors).await?;
        let invoice_id = InvoiceId::generate();
        let mut deliveries = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for via in l.send.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
            if !seen.insert(via.to_ascii_lowercase()) {
                continue; // `--send sms --send sms` is one message, not two.
            }
            let contact = customer.as_ref().map(|r| &r.contact);
            let req = SendRequest {
                invoice: invoice_id.to_string(),
                via: via.to_string(),
                channel: l.channel.clone(),
                to: None,
                lang: l.lang.clone(),
                what: Default::default(),
            };
            if let Some(d) = self
                .plan_delivery(&invoice_id, &l.account, contact, &req, &mut errors)
                .await?
            {
                deliveries.push(d);
            }
        }
        let (Some(account), Some(parsed), true) = (account, parsed, errors.is_empty()) else {
            return Err(EngineError::Input(errors));
        };
        let provider = self.provider_for(&account).await?;
        // Only another invoice's order id is a clash (a provider's reference is not).
        if self
            .inner
            .store
            .invoice_by_order_id(&parsed.order_id)
            .await?
            .is_some()
        {
            return Err(
                InputError::new("order_id", "is already used by another invoice")
                    .code(InputCode::Exists)
                    .into(),
            );
        }
        // The typed contact is who gets the link; the record changes only with consent.
        if let Some(update) = customer.as_ref().and_then(|r| r.saved(l.update_customer)) {
            self.inner.store.update_customer(update).await?;
        }
        if let Some(Recipient {
            record: NewOrExisting::New(c),
            ..
        }) = &customer
        {
            self.inner.store.insert_customer(c).await?;
        }
        let customer = customer.map(|r| r.contact);
        let zero = Money::zero(parsed.amount.currency());
        let draft = Invoice {
            id: invoice_id,
            account: account.name.clone(),
            provider: account.provider,
            provider_id: None,
            order_id: parsed.order_id,
            kind,
            name: parsed.name.as_str().to_string(),
            amount: parsed.amount,
            tax_free: parsed.tax_free,
            paid: zero,
            refunded: zero,
            refund_requested: zero,
            status: Status::Draft,
            flags: PaymentFlags::default(),
            payment_url: None,
            payment_number: None,
            expires_at: parsed.expiry.instant(),
            customer_id: customer.as_ref().map(|c| c.id.clone()),
            created_at: now,
            updated_at: now,
            last_checked_at: None,
            last_error: None,
            rest_of,
            paid_at: None,
            refund_url: None,
        };
        // Claimed before anyone can see it: sync leaves the draft alone until this
        // create has its answer written (or this process is gone).
        let claim = self
            .claim_create(&draft.id)
            .await?
            .ok_or_else(|| EngineError::Internal("a new invoice id is already claimed".into()))?;
        // A message whose channel cannot send (its keys gone from the keyring…) is
        // refused now, before anything is written or asked of the provider.
        for d in &deliveries {
            self.refuse_unsendable(d, &draft).await?;
        }
        // The draft and the messages asked for are saved together, before any call out.
        self.inner
            .store
            .insert_invoice_with_deliveries(
                &draft,
                Source::User,
                Some(&format!("created by the clerk on {}", account.name)),
                &deliveries,
            )
            .await?;
        tracing::info!(invoice = %draft.id, order_id = %draft.order_id, account = %account.name, "draft saved");
        failpoint("create:after-draft");
        self.inner
            .store
            .mark_create_attempt(&draft.id, Utc::now())
            .await?;
        let req = self.create_request(&draft, customer.as_ref()).await?;
        match provider.create(&req).await {
            Ok(remote) => {
                failpoint("create:after-provider");
                let applied = self.apply_remote(&draft, &remote, Source::User).await?;
                claim.release();
                self.publish(&applied).await?;
                let mut sent = Vec::new();
                for d in &deliveries {
                    match self.process_delivery(&d.id).await {
                        Ok(after) => sent.push(after),
                        // Not sent and still queued (the keyring did not answer…): sync retries.
                        Err(e) => {
                            return Err(EngineError::Channel {
                                channel: d.channel.clone(),
                                code: None,
                                message: format!(
                                "the link {} was created; sending by {} waits in the outbox: {e}",
                                draft.id, d.via
                            ),
                            })
                        }
                    }
                }
                if let Some(e) = crate::delivery::failed_deliveries_error(&draft.id, &sent) {
                    return Err(e);
                }
                self.invoice(&draft.id).await
            }
            // The provider could not be reached: nothing was made there. The draft waits
            // ("waiting for connection") and sync creates it, then sends its messages.
            Err(e @ ProviderError::NotReached { .. }) => {
                self.inner.store.clear_create_attempt(&draft.id).await?;
                self.keep_draft_with_error(&draft, &e).await?;
                let mut err = EngineError::from_provider(e, true);
                if let EngineError::Provider { message, .. } = &mut err {
                    message.push_str(if deliveries.is_empty() {
                        " as a draft waiting for the connection; it is created as soon as the provider answers"
                    } else {
                        " as a draft waiting for the connection; it is created and sent as soon as the provider answers"
                    });
                }
                Err(err)
            }
            // No answer, or one PayDesk cannot read: the provider may have made the link, so
            // the draft stays and sync looks its order id up before anything else.
            Err(e) if e.outcome_unknown() || matches!(e, ProviderError::Malformed { .. }) => {
                self.keep_draft_with_error(&draft, &e).await?;
                let mut err = EngineError::from_provider(e, true);
                if let (EngineError::Provider { message, .. }, false) =
                    (&mut err, deliveries.is_empty())
                {
                    message.push_str(" and its message will be sent once the link exists");
                }
                Err(err)
            }
            Err(e) => {
                let failed = self
                    .set_status_source(&draft, Status::Failed, Source::Provider, &e.to_string())
                    .await?;
                self.publish(&failed).await?;
                self.drop_queued_deliveries(&draft.id, "not sent: the link could not be created")
                    .await?;
                Err(EngineError::from_provider(e, true))
            }
        }
    }
}
