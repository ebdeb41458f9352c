//! `paydesk store …`: where this data folder's invoices live (this computer or a shared
//! PostgreSQL database). Runs without opening the store, so a terminal whose shared
//! database is gone can still be pointed back at its own file.

use std::io::{BufRead, IsTerminal};
use std::path::Path;

use clap::Subcommand;
use paydesk::{EngineError, Secret, StoreLocation};

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
            let target = with_ca(target, ca_file)?;
            let password = password_stdin.then(read_password).transpose()?;
            paydesk::use_shared_store(data_dir, &paydesk::SecretStore::new(), &target, password)
                .await?
        }
        StoreCmd::Move {
            to,
            ca_file,
            password_stdin,
        } => {
            let to = with_ca(to, ca_file)?;
            let password = password_stdin.then(read_password).transpose()?;
            let (location, report) = paydesk::move_to_shared_store(
                data_dir,
                &paydesk::SecretStore::new(),
                &to,
                password,
            )
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

fn with_ca(address: String, ca_file: Option<std::path::PathBuf>) -> Result<String, EngineError> {
    match ca_file {
        Some(ca) => paydesk::SharedStoreAddress::with_ca_file(&address, &ca),
        None => Ok(address),
    }
}

fn read_password() -> Result<Secret, EngineError> {
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
    Ok(Secret::from(line.to_string()))
}
