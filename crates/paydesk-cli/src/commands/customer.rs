//! `paydesk customer …`: the customer book.

use clap::Subcommand;
use paydesk::{Engine, EngineError, NewCustomer};

use crate::output::*;

#[derive(Subcommand)]
pub(crate) enum CustomerCmd {
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        email: Option<String>,
    },
    List {
        #[arg(long)]
        search: Option<String>,
    },
}

pub(crate) async fn customer(
    engine: &Engine,
    cmd: CustomerCmd,
    json: bool,
) -> Result<(), EngineError> {
    match cmd {
        CustomerCmd::Add { name, phone, email } => {
            let c = engine
                .add_customer(NewCustomer { name, phone, email })
                .await?;
            answer(json, &c);
        }
        CustomerCmd::List { search } => {
            let list = engine.customers(search.as_deref()).await?;
            answer(json, &list);
        }
    }
    Ok(())
}
