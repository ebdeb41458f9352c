//! `paydesk link …`: payment links (create, list, show, cancel, refund, PDF).

use std::path::PathBuf;

use clap::Subcommand;
use paydesk::{Engine, EngineError, ListQuery, NewLink};
use serde_json::json;

use crate::input::*;
use crate::output::*;

#[derive(Subcommand)]
pub(crate) enum LinkCmd {
    /// Create a payment link (and send it, with --send).
    Create(Box<NewLink>),
    List {
        #[arg(long)]
        status: Option<String>,
        #[arg(long)]
        search: Option<String>,
        #[arg(long)]
        account: Option<String>,
        /// Only this customer's invoices (customer id).
        #[arg(long)]
        customer: Option<String>,
        /// Created on or after this day (YYYY-MM-DD, store's time zone).
        #[arg(long)]
        from: Option<String>,
        /// Created on or before this day.
        #[arg(long)]
        to: Option<String>,
        #[arg(long, default_value_t = 500)]
        limit: i64,
        /// The page after this invoice (the id of the last one listed), in the same order.
        #[arg(long)]
        after: Option<String>,
        /// Sort by created (default, newest first), name, customer, amount, status or when
        /// (paid at, or the deadline while unpaid).
        #[arg(long)]
        sort: Option<String>,
        /// Ascending instead of the column's first direction (newest and largest first).
        #[arg(long, conflicts_with = "desc")]
        asc: bool,
        /// Descending (names and statuses from the end).
        #[arg(long)]
        desc: bool,
    },
    Show {
        id: String,
    },
    Cancel {
        id: String,
    },
    Refund {
        id: String,
        #[command(flatten)]
        input: paydesk::RefundInput,
    },
    /// A new link for what an under-paid invoice that can no longer be paid still lacks
    /// (same customer; one live at a time).
    Rest {
        id: String,
    },
    /// A new link (or payment number) like an earlier invoice: same account, item,
    /// amount, currency, customer and deadline length; a new order id, nothing sent.
    Duplicate {
        id: String,
    },
    /// A one-page invoice PDF with a QR code of the link.
    Pdf {
        id: String,
        #[arg(long)]
        out: PathBuf,
        /// ko, ja or en (the customer's language by default).
        #[arg(long)]
        lang: Option<String>,
        /// The store name (default: the store_name setting).
        #[arg(long)]
        store_name: Option<String>,
    },
}

pub(crate) async fn link(engine: &Engine, cmd: LinkCmd, json: bool) -> Result<(), EngineError> {
    match cmd {
        LinkCmd::Create(l) => {
            let view = engine.create_link(*l).await?;
            answer(json, &view);
        }
        LinkCmd::List {
            status,
            search,
            account,
            customer,
            from,
            to,
            limit,
            after,
            sort,
            asc,
            desc,
        } => {
            let list = engine
                .invoices(&ListQuery {
                    status,
                    account,
                    customer,
                    from,
                    to,
                    search,
                    limit: Some(limit),
                    offset: None,
                    after,
                    sort,
                    descending: (asc || desc).then_some(desc),
                })
                .await?;
            answer(json, &list);
        }
        LinkCmd::Show { id } => {
            let view = engine.invoice(&id).await?;
            answer(json, &view);
        }
        LinkCmd::Cancel { id } => {
            let view = engine.cancel(&id).await?;
            answer(json, &view);
        }
        LinkCmd::Pdf {
            id,
            out,
            lang,
            store_name,
        } => {
            let bytes = engine
                .invoice_pdf(&id, lang.as_deref(), store_name.as_deref())
                .await?;
            write_pdf(&out, &bytes)?;
            answer(
                json,
                &Said {
                    json: json!({ "out": out.display().to_string(), "bytes": bytes.len() }),
                    text: format!(
                        "Invoice written to {} ({} bytes).",
                        out.display(),
                        bytes.len()
                    ),
                },
            );
        }
        LinkCmd::Refund { id, input } => {
            let view = engine.refund_with(&id, &input).await?;
            answer(json, &view);
        }
        LinkCmd::Rest { id } => {
            let view = engine.request_rest(&id).await?;
            answer(json, &view);
        }
        LinkCmd::Duplicate { id } => {
            let view = engine.duplicate(&id).await?;
            answer(json, &view);
        }
    }
    Ok(())
}
