//! `paydesk link …`: payment links (create, list, show, cancel, refund, PDF).

use std::path::PathBuf;

use clap::{Args, Subcommand};
use paydesk::{Engine, EngineError, ListQuery, NewLink};
use serde_json::json;

use crate::input::*;
use crate::output::*;

#[derive(Subcommand)]
pub(crate) enum LinkCmd {
    Create(Box<LinkCreate>),
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
    },
    Show {
        id: String,
    },
    Cancel {
        id: String,
    },
    Refund {
        id: String,
        #[arg(long)]
        amount: Option<String>,
    },
    /// A one-page invoice PDF with a QR code of the link.
    Pdf {
        id: String,
        #[arg(long)]
        out: PathBuf,
        /// ko (the default), ja or en.
        #[arg(long)]
        lang: Option<String>,
        /// The store name (default: the store_name setting).
        #[arg(long)]
        store_name: Option<String>,
    },
}

#[derive(Args)]
pub(crate) struct LinkCreate {
    #[arg(long)]
    pub(crate) account: String,
    #[arg(long)]
    pub(crate) name: String,
    #[arg(long, allow_hyphen_values = true)]
    pub(crate) amount: String,
    #[arg(long)]
    pub(crate) currency: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    pub(crate) tax_free: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    pub(crate) expires_in: Option<String>,
    #[arg(long)]
    pub(crate) expires_at: Option<String>,
    #[arg(long)]
    pub(crate) customer: Option<String>,
    #[arg(long)]
    pub(crate) customer_name: Option<String>,
    #[arg(long)]
    pub(crate) phone: Option<String>,
    #[arg(long)]
    pub(crate) email: Option<String>,
    #[arg(long)]
    pub(crate) order_id: Option<String>,
    /// Send the link to the customer: sms|alimtalk|email|provider (repeatable).
    #[arg(long)]
    pub(crate) send: Vec<String>,
    /// The channel to send through (default: the first that sends that way).
    #[arg(long)]
    pub(crate) channel: Option<String>,
    /// The customer's language: ko, en or ja (default: from the phone number, else ko).
    #[arg(long)]
    pub(crate) lang: Option<String>,
}

pub(crate) async fn link(engine: &Engine, cmd: LinkCmd, json: bool) -> Result<(), EngineError> {
    match cmd {
        LinkCmd::Create(l) => {
            let (phone, email, customer_id) = (l.phone, l.email, l.customer);
            let view = engine
                .create_link(NewLink {
                    account: l.account,
                    name: l.name,
                    amount: l.amount,
                    currency: l.currency,
                    tax_free: l.tax_free,
                    expires_in: l.expires_in,
                    expires_at: l.expires_at,
                    customer_id,
                    customer_name: l.customer_name,
                    phone,
                    email,
                    order_id: l.order_id,
                    send: l.send,
                    channel: l.channel,
                    lang: l.lang,
                })
                .await?;
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
        LinkCmd::Refund { id, amount } => {
            let view = engine.refund(&id, amount.as_deref()).await?;
            answer(json, &view);
        }
    }
    Ok(())
}
