//! Asking for the rest of an under-paid invoice that can no longer be paid: a new link
//! for what is still owed, naming the first, one live at a time.

use paydesk_core::{InputCode, InputError, Status};
use paydesk_store::StoreError;

use crate::{error::Result, Engine, EngineError, InvoiceView, NewLink};

impl Engine {
    /// A new link (or payment number, for a convenience-store payment) for what an
    /// under-paid invoice still lacks, to the same customer. Refused while the first can
    /// still be paid (send it again: its message asks for what is still owed) and while
    /// another link for its rest is live.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn request_rest(&self, key: &str) -> Result<InvoiceView> {
        let inv = self.find(key).await?;
        let Some(due) = inv.due() else {
            return Err(EngineError::coded(
                "id",
                InputCode::NotNow,
                format!("{} is not under-paid: nothing is owed on it", inv.id),
            ));
        };
        if inv.may_still_be_paid() {
            return Err(EngineError::coded(
                "id",
                InputCode::StillPayable,
                format!(
                    "{} can still be paid through its own link: send it again (the message asks for the {} still owed)",
                    inv.id,
                    due.to_display()
                ),
            ));
        }
        if let Some(live) = self.inner.store.rest_link(&inv.id).await?.filter(|r| {
            !matches!(
                r.status,
                Status::Cancelled | Status::Failed | Status::Expired
            )
        }) {
            return Err(rest_exists(&inv.id, &live.id));
        }
        let l = NewLink {
            account: inv.account.clone(),
            name: inv.name.clone(),
            amount: due.to_plain(),
            currency: Some(due.currency().code().to_string()),
            customer_id: inv.customer_id.as_ref().map(|c| c.to_string()),
            ..Default::default()
        };
        match self.create_invoice(l, inv.kind, Some(inv.id.clone())).await {
            // Two clerks at once: the store keeps one live rest link per invoice.
            Err(EngineError::Store(StoreError::Exists { .. })) => {
                let live = self.inner.store.rest_link(&inv.id).await?;
                Err(rest_exists(
                    &inv.id,
                    live.as_ref()
                        .map(|l| l.id.as_str())
                        .unwrap_or("another link"),
                ))
            }
            other => other,
        }
    }
}

fn rest_exists(first: &str, live: &str) -> EngineError {
    InputError::new(
        "id",
        format!("the rest of {first} is already asked for by {live}"),
    )
    .code(InputCode::Exists)
    .into()
}
