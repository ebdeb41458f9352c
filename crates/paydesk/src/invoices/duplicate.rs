//! A new invoice like an earlier one (a customer who orders the same again): the form
//! the window fills, and the command that makes it at once.

use chrono::Duration;
use paydesk_core::InvoiceKind;
use serde::Serialize;

use crate::{error::Result, Engine, InvoiceView, NewLink};

/// The deadlines the create form offers; a copy keeps its original's when it was one.
const USUAL_EXPIRIES: [(&str, i64); 4] = [("1h", 1), ("24h", 24), ("3d", 72), ("7d", 168)];

/// What a copy of an invoice carries over: account, kind, item, amount, currency,
/// tax-free part, customer, and the deadline's length when it is one of the usual ones.
/// Never its order id, its link, its payments or its messages.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct LinkCopy {
    /// A payment link or a convenience-store payment number, as the original.
    #[ts(as = "paydesk_core::InvoiceKind")]
    pub kind: InvoiceKind,
    /// The create form's fields, as the original's.
    pub link: NewLink,
}

impl Engine {
    /// The form of a new invoice like `key`'s (nothing is written).
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn duplicate_form(&self, key: &str) -> Result<LinkCopy> {
        let inv = self.find(key).await?;
        let customer = self.customer_of(&inv).await?;
        let length = inv.expires_at - inv.created_at;
        let expires_in = USUAL_EXPIRIES
            .iter()
            .find(|(_, hours)| (length - Duration::hours(*hours)).num_seconds().abs() < 60)
            .map(|(name, _)| name.to_string());
        Ok(LinkCopy {
            kind: inv.kind,
            link: NewLink {
                account: inv.account.clone(),
                name: inv.name.clone(),
                amount: inv.amount.to_plain(),
                currency: Some(inv.amount.currency().code().to_string()),
                tax_free: (!inv.tax_free.is_zero()).then(|| inv.tax_free.to_plain()),
                expires_in,
                customer_id: inv.customer_id.as_ref().map(|c| c.to_string()),
                customer_name: customer.as_ref().map(|c| c.name.clone()),
                phone: customer.as_ref().and_then(|c| c.phone.clone()),
                email: customer.as_ref().and_then(|c| c.email.clone()),
                ..Default::default()
            },
        })
    }

    /// A new invoice like `key`'s, made now (`duplicate_form`, then create or issue).
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn duplicate(&self, key: &str) -> Result<InvoiceView> {
        let copy = self.duplicate_form(key).await?;
        match copy.kind {
            InvoiceKind::Link => self.create_link(copy.link).await,
            InvoiceKind::Cvs => self.issue_cvs(copy.link).await,
        }
    }
}
