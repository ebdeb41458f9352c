//! Sending a link again the way it last went: the list's "resend" for one invoice or a
//! selection.

use paydesk_core::{InputCode, InputError, MessageKind, Via};

use crate::{error::Result, DeliveryView, Engine, SendRequest};

impl Engine {
    /// Sends an invoice's link again by the way, channel, recipient and language of its
    /// last link message (a new delivery, as any send). Refused, with nothing written,
    /// when the link was never sent (the clerk chooses how, in the send panel) or when
    /// the invoice can no longer be paid.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn resend(&self, key: &str) -> Result<DeliveryView> {
        let inv = self.find(key).await?;
        let last = self
            .inner
            .store
            .deliveries(Some(inv.id.as_str()))
            .await?
            .into_iter()
            .rev()
            .find(|d| d.kind == MessageKind::Link)
            .ok_or_else(|| {
                InputError::new("invoice", "its link was never sent; send it first")
                    .code(InputCode::NotSent)
            })?;
        self.send(SendRequest {
            invoice: inv.id.to_string(),
            via: last.via.as_str().to_string(),
            channel: (last.via != Via::Provider).then_some(last.channel),
            to: Some(last.to),
            lang: Some(last.lang.as_str().to_string()),
            what: MessageKind::Link,
        })
        .await
    }
}
