//! Invoices: the list (filters, paging, counts), one invoice by any of its keys, and
//! the use cases that change them, one module each.

mod cancel;
mod claim;
mod create;
mod duplicate;
mod reconcile;
pub use duplicate::LinkCopy;
pub(crate) use reconcile::plan_remote;
mod refund;
mod rest;

use std::str::FromStr;

use crate::{
    context::non_empty, context::truncate, error::Result, Engine, EngineError, InvoiceView,
    ListQuery,
};
use paydesk_core::{Invoice, SortBy, Status};
use paydesk_store::InvoiceFilter;

impl Engine {
    /// How many invoices the list query matches (for a list that loads page by page).
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn count_invoices(&self, q: &ListQuery) -> Result<i64> {
        let filter = self.invoice_filter(q).await?;
        Ok(self.inner.store.count_invoices(&filter).await?)
    }

    pub(crate) async fn invoice_filter(&self, q: &ListQuery) -> Result<InvoiceFilter> {
        let status = match non_empty(&q.status) {
            Some(s) => Some(Status::from_str(s).map_err(|_| {
                EngineError::input(
                    "status",
                    "must be one of draft, open, paid_unconfirmed, paid, partially_refunded, refunded, expired, cancelled, failed",
                )
            })?),
            None => None,
        };
        if let Some(a) = non_empty(&q.account) {
            self.account_record("account", a).await?;
        }
        if let Some(s) = non_empty(&q.search) {
            if s.chars().count() > 100 {
                return Err(EngineError::input(
                    "search",
                    "is too long (at most 100 characters)",
                ));
            }
        }
        let limit = q.limit.unwrap_or(500);
        if !(1..=5000).contains(&limit) {
            return Err(EngineError::input("limit", "must be between 1 and 5000"));
        }
        let sort = match non_empty(&q.sort) {
            Some(s) => SortBy::from_str(s).map_err(|_| {
                EngineError::input(
                    "sort",
                    format!("must be one of {}", SortBy::names().join(", ")),
                )
            })?,
            None => SortBy::default(),
        };
        let after = match non_empty(&q.after) {
            Some(key) => match self.inner.store.find_invoice(key).await? {
                Some(inv) => Some(inv.id.to_string()),
                None => {
                    return Err(EngineError::input(
                        "after",
                        format!("no invoice {:?}", truncate(key, 60)),
                    ))
                }
            },
            None => None,
        };
        let (created_from, created_before) =
            self.day_range(q.from.as_deref(), q.to.as_deref()).await?;
        Ok(InvoiceFilter {
            sort,
            ascending: !q.descending.unwrap_or(sort.first_descending()),
            created_from,
            created_before,
            status,
            account: non_empty(&q.account).map(str::to_string),
            customer_id: non_empty(&q.customer).map(str::to_string),
            search: non_empty(&q.search).map(str::to_string),
            limit: Some(limit),
            offset: Some(q.offset.unwrap_or(0).max(0)),
            after,
        })
    }

    /// One page of invoices, as `q` filters and sorts them (newest first by default).
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn invoices(&self, q: &ListQuery) -> Result<Vec<InvoiceView>> {
        let filter = self.invoice_filter(q).await?;
        let invoices = self.inner.store.invoices(&filter).await?;
        // The page's customers in one query, not one each.
        let ids: Vec<&str> = invoices
            .iter()
            .filter_map(|i| i.customer_id.as_deref())
            .collect();
        let customers = self.inner.store.customers_by_ids(&ids).await?;
        let country = self.country().await?;
        Ok(invoices
            .iter()
            .map(|i| {
                let customer = i
                    .customer_id
                    .as_ref()
                    .and_then(|id| customers.get(id.as_str()));
                InvoiceView::new(i, customer, None, country)
            })
            .collect())
    }

    pub(crate) async fn find(&self, key: &str) -> Result<Invoice> {
        let key = key.trim();
        if key.is_empty() {
            return Err(EngineError::input("id", "must not be empty"));
        }
        self.inner.store.find_invoice(key).await?.ok_or_else(|| {
            EngineError::coded(
                "id",
                paydesk_core::InputCode::NotFound,
                format!("no invoice {:?}", truncate(key, 60)),
            )
        })
    }

    /// One invoice with its timeline, by PayDesk id, order id or provider id.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn invoice(&self, key: &str) -> Result<InvoiceView> {
        let inv = self.find(key).await?;
        self.view(&inv, true).await
    }
}
