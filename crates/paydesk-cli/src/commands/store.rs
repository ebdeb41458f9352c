//! `paydesk store …`: where this data folder's invoices live (this computer or a shared
//! PostgreSQL database). Runs without opening the store, so a terminal whose shared
//! database is gone can still be pointed back at its own file.

use std::io::{BufRead, IsTerminal};
use std::path::Path;

use clap::Subcommand;
use paydesk::{EngineError, StoreLocation};

use crate::output::*;

#[derive(Subcommand)]
pub(crate) enum StoreCmd {
    /// Where the store is now.
    Show,
    /// `local` (this computer's file, the default) or a PostgreSQL address
    /// postgres://USER@HOST:PORT/DATABASE[?sslmode=verify-full&sslrootcert=CA.pem].
    /// The database is reached and set up first; nothing changes when it cannot be.
    Use {
        target: String,
        /// The CA certificate the server's is checked against (sslmode=verify-full).
        #[arg(long)]
        ca_file: Option<std::path::PathBuf>,
        /// Read the database password from stdin (one line) into the OS keyring.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Copy this data folder's whole history into a shared PostgreSQL store, check
    /// counts and sums on both sides, then use it (the local file is kept as it was).
    /// Run twice or from a second counter, nothing is copied twice.
    Move {
        #[arg(long)]
        to: String,
        /// The CA certificate the server's is checked against (sslmode=verify-full).
        #[arg(long)]
        ca_file: Option<std::path::PathBuf>,
        /// Read the database password from stdin (one line) into the OS keyring.
        #[arg(long)]
        password_stdin: bool,
    },
}

pub(crate) async fn store(data_dir: &Path, cmd: StoreCmd, json: bool) -> Result<(), EngineError> {
    let location = match cmd {
        StoreCmd::Show => paydesk::store_location(data_dir)?,
        StoreCmd::Use { target, .. } if target == "local" => paydesk::use_local_store(data_dir)?,
        StoreCmd::Use {
            target,
            ca_file,
            password_stdin,
        } => {
            let input = shared(target, ca_file, password_stdin)?;
            paydesk::use_shared_store(data_dir, &paydesk::SecretStore::new(), &input).await?
        }
        StoreCmd::Move {
            to,
            ca_file,
            password_stdin,
        } => {
            let input = shared(to, ca_file, password_stdin)?;
            let (location, report) =
                paydesk::move_to_shared_store(data_dir, &paydesk::SecretStore::new(), &input)
                    .await?;
            if json {
                print_json(&serde_json::json!({ "location": location, "moved": report }));
            } else {
                say!(
                    "{} invoice(s) copied; the shared store holds all {} of this counter's, with {} audit entries and {} messages.",
                    report.invoices_copied, report.invoices, report.audit_entries, report.deliveries
                );
            }
            return Ok(());
        }
    };
    if json {
        print_json(&location);
    } else {
        match location {
            StoreLocation::Local { path } => say!("This computer: {}", path.display()),
            StoreLocation::Postgres { url } => say!("Shared (PostgreSQL): {url}"),
        }
    }
    Ok(())
}

/// The shared store as typed: the address, its CA file, the password from stdin.
fn shared(
    address: String,
    ca_file: Option<std::path::PathBuf>,
    password_stdin: bool,
) -> Result<paydesk::SharedStoreInput, EngineError> {
    Ok(paydesk::SharedStoreInput {
        address,
        ca_file: ca_file.map(|p| p.display().to_string()),
        password: password_stdin.then(read_password).transpose()?,
    })
}

fn read_password() -> Result<String, EngineError> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!("Type the database password, then Enter:");
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| EngineError::input("password", format!("cannot read stdin: {e}")))?;
    let line = line.trim_end_matches(['\r', '\n']);
    if line.is_empty() {
        return Err(EngineError::input("password", "stdin held no password"));
    }
    Ok(line.to_string())
}
