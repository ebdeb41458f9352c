//! `paydesk cvs …` and `paydesk slip`: convenience-store payment numbers and their slips.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use paydesk::{Engine, EngineError, NewLink};
use serde_json::json;

use crate::input::*;
use crate::output::*;

#[derive(Subcommand)]
pub(crate) enum CvsCmd {
    /// Issue a payment number the customer pays at a convenience store.
    Issue(Box<CvsIssue>),
    /// Revoke an unpaid payment number.
    Cancel { id: String },
}

#[derive(Args)]
pub(crate) struct CvsIssue {
    #[arg(long)]
    pub(crate) account: String,
    #[arg(long)]
    pub(crate) name: String,
    #[arg(long, allow_hyphen_values = true)]
    pub(crate) amount: String,
    /// KRW or JPY (the store's currency by default: Settings, `settings set currency`).
    #[arg(long)]
    pub(crate) currency: Option<String>,
    #[arg(long)]
    pub(crate) expires_at: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    pub(crate) expires_in: Option<String>,
    #[arg(long)]
    pub(crate) buyer_name: Option<String>,
    #[arg(long)]
    pub(crate) phone: Option<String>,
    #[arg(long)]
    pub(crate) email: Option<String>,
    #[arg(long)]
    pub(crate) order_id: Option<String>,
    /// Also print the slip to this PDF (80 mm receipt).
    #[arg(long)]
    pub(crate) pdf: Option<PathBuf>,
    /// The store name printed on the slip (default: the store_name setting).
    #[arg(long)]
    pub(crate) store_name: Option<String>,
}

#[derive(Args)]
pub(crate) struct SlipArgs {
    /// Invoices (PayDesk id, order id or provider id).
    #[arg(required = true)]
    pub(crate) ids: Vec<String>,
    #[arg(long)]
    pub(crate) out: PathBuf,
    /// a4 (8 slips a page, with cut marks; the default) or receipt80 (80 mm thermal printers).
    #[arg(long)]
    pub(crate) layout: Option<String>,
    /// The slip's language: ko, ja or en (the customer's by default).
    #[arg(long)]
    pub(crate) lang: Option<String>,
    /// The store name printed on the slip (default: the store_name setting).
    #[arg(long)]
    pub(crate) store_name: Option<String>,
}

pub(crate) async fn cvs(engine: &Engine, cmd: CvsCmd, json: bool) -> Result<(), EngineError> {
    let view = match cmd {
        CvsCmd::Issue(c) => {
            let c = *c;
            let store = c.store_name.clone();
            let pdf = c.pdf.clone();
            // The slip's options and file are checked before a number exists: a refusal
            // (exit 2) never leaves a payable number behind for a retrying script.
            if let Some(path) = &pdf {
                engine
                    .check_slip_options(Some("receipt80"), None, store.as_deref())
                    .await?;
                check_writable("pdf", path)?;
            }
            let view = engine
                .issue_cvs(NewLink {
                    account: c.account,
                    name: c.name,
                    amount: c.amount,
                    currency: c.currency,
                    expires_at: c.expires_at,
                    expires_in: c.expires_in,
                    customer_name: c.buyer_name,
                    phone: c.phone,
                    email: c.email,
                    order_id: c.order_id,
                    ..Default::default()
                })
                .await?;
            if let Some(path) = pdf {
                let printed = match engine
                    .slips(
                        std::slice::from_ref(&view.id),
                        Some("receipt80"),
                        None,
                        store.as_deref(),
                    )
                    .await
                {
                    Ok(bytes) => write_pdf(&path, &bytes),
                    Err(e) => Err(e),
                };
                // Issued but not printed: the number is shown (stdout) and the failure
                // is not "nothing written" (exit 1); `paydesk slip` prints it again.
                if let Err(e) = printed {
                    answer(json, &view);
                    return Err(EngineError::Internal(format!(
                        "payment number {} was issued (invoice {}), but its slip was not printed: {e}; print it with `paydesk slip {}`",
                        view.payment_number.as_deref().unwrap_or("?"),
                        view.id,
                        view.id
                    )));
                }
            }
            view
        }
        CvsCmd::Cancel { id } => engine.cancel(&id).await?,
    };
    answer(json, &view);
    Ok(())
}

pub(crate) async fn slip(engine: &Engine, a: SlipArgs, json: bool) -> Result<(), EngineError> {
    let bytes = engine
        .slips(
            &a.ids,
            a.layout.as_deref(),
            a.lang.as_deref(),
            a.store_name.as_deref(),
        )
        .await?;
    write_pdf(&a.out, &bytes)?;
    if json {
        print_json(
            &json!({ "out": a.out.display().to_string(), "slips": a.ids.len(), "bytes": bytes.len() }),
        );
    } else {
        say!(
            "{} slip(s) written to {} ({} bytes).",
            a.ids.len(),
            a.out.display(),
            bytes.len()
        );
    }
    Ok(())
}
