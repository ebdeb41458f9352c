//! `paydesk account …`: provider accounts, keys read from stdin into the OS keyring.

use clap::{Args, Subcommand};
use paydesk::{Engine, EngineError, NewAccount};
use serde_json::json;

use crate::input::*;
use crate::output::*;

#[derive(Subcommand)]
pub(crate) enum AccountCmd {
    /// Add a provider account (its keys go to the OS keyring, never to a file).
    Add(Box<AccountAdd>),
    List,
    Show {
        name: String,
    },
    Test {
        name: String,
    },
    Remove {
        name: String,
    },
}

#[derive(Args)]
pub(crate) struct AccountAdd {
    #[command(flatten)]
    pub(crate) account: NewAccount,
    /// Read KEY=VALUE lines (e.g. client_key=…) from stdin into the OS keyring.
    #[arg(long)]
    pub(crate) secret_stdin: bool,
}

pub(crate) async fn account(
    engine: &Engine,
    cmd: AccountCmd,
    json: bool,
) -> Result<(), EngineError> {
    match cmd {
        AccountCmd::Add(a) => {
            let secrets = if a.secret_stdin {
                read_secrets()?
            } else {
                Vec::new()
            };
            let view = engine
                .add_account(NewAccount {
                    secrets,
                    ..a.account
                })
                .await?;
            if json {
                print_json(&view);
            } else {
                say!("Account {} ({}) added.", view.name, view.provider);
                print_accounts(std::slice::from_ref(&view));
            }
        }
        AccountCmd::List => {
            let list = engine.accounts().await?;
            answer(json, &list);
        }
        AccountCmd::Show { name } => {
            let view = engine.account(&name).await?;
            if json {
                print_json(&view);
            } else {
                print_accounts(std::slice::from_ref(&view));
                for (k, v) in &view.settings {
                    say!(
                        "  {k}: {}",
                        v.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| v.to_string())
                    );
                }
            }
        }
        AccountCmd::Test { name } => {
            let reply = engine.test_account(&name).await?;
            answer(
                json,
                &Said {
                    json: json!({ "account": name, "ok": true, "message": reply }),
                    text: format!("{name}: {reply}"),
                },
            );
        }
        AccountCmd::Remove { name } => {
            engine.remove_account(&name).await?;
            answer(
                json,
                &Said {
                    json: json!({ "removed": name }),
                    text: format!(
                        "Account {name} removed (its keys were deleted from the keyring)."
                    ),
                },
            );
        }
    }
    Ok(())
}
