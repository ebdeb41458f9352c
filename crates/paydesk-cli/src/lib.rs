//! `paydesk`: the engine's use cases, headless and scriptable (see `../shared/cli.md`).
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

/// `println!` that ends the command quietly when its reader went away (`… | head`),
/// as Unix tools do, instead of panicking on the closed pipe.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::output::line(format_args!($($arg)*))
    };
}

mod commands;
mod input;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use paydesk::{Engine, EngineError};
use serde_json::json;

use commands::account::{self, AccountCmd};
use commands::channel::{self, ChannelCmd, SendArgs};
use commands::customer::{self, CustomerCmd};
use commands::cvs::{self, CvsCmd, SlipArgs};
use commands::link::{self, LinkCmd};
use commands::settings::{self, SettingsCmd};
use commands::sync::{self, SandboxCmd};
use output::{fail, print_json};

#[derive(Parser)]
#[command(
    name = "paydesk",
    version,
    about = "PayDesk: payment links and invoices for small merchants"
)]
struct Cli {
    /// The data directory (SQLite database, sandbox records); defaults to the OS's app-data folder.
    #[arg(long, global = true, env = "PAYDESK_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Print one JSON document on stdout (errors as one JSON object on stderr).
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Provider accounts: settings in the database, keys in the OS keyring.
    #[command(subcommand)]
    Account(AccountCmd),
    /// The customer book.
    #[command(subcommand)]
    Customer(CustomerCmd),
    /// Payment links and invoices.
    #[command(subcommand)]
    Link(LinkCmd),
    /// Convenience-store payment numbers (PortOne, sandbox).
    #[command(subcommand)]
    Cvs(CvsCmd),
    /// Print convenience-store payment slips to a PDF.
    Slip(SlipArgs),
    /// Ask providers about every invoice that can still change.
    Sync {
        /// One pass, then exit (otherwise: keep running until interrupted).
        #[arg(long)]
        once: bool,
        /// Seconds between passes when running continuously.
        #[arg(long, default_value_t = 10)]
        interval: u64,
    },
    /// The embedded sandbox provider: no account, no network, no real money.
    #[command(subcommand)]
    Sandbox(SandboxCmd),
    /// Delivery channels (SMTP, Solapi, Twilio): settings in the database, secrets in the OS keyring.
    #[command(subcommand)]
    Channel(ChannelCmd),
    /// Send an invoice's link to its customer (each send is a new message).
    Send(SendArgs),
    /// Every invoice as CSV (created between --from and --to, dates in the store's time zone).
    Export {
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        from: Option<String>,
        #[arg(long)]
        to: Option<String>,
        /// For Excel: a byte order mark, column names in --lang, local times.
        #[arg(long)]
        excel: bool,
        /// The spreadsheet's language: ko, ja or en (default: the store country's).
        #[arg(long, requires = "excel")]
        lang: Option<String>,
    },
    /// Every message ever queued, with its state.
    Deliveries {
        /// Only this invoice's (PayDesk id, order id or provider id).
        id: Option<String>,
    },
    /// The store server: receives providers' callbacks (BitroPay) at
    /// /callbacks/PROVIDER/INVOICE on ADDRESS:PORT (behind the account's --public-url).
    Serve {
        #[arg(long, default_value = "127.0.0.1:8788")]
        listen: String,
    },
    /// Where this data folder's invoices live: this computer, or a PostgreSQL database
    /// shared by the shop's counters.
    #[command(subcommand)]
    Store(commands::store::StoreCmd),
    /// The store's profile: `settings` shows it, `settings set KEY VALUE` changes it.
    Settings {
        #[command(subcommand)]
        cmd: Option<SettingsCmd>,
    },
}

/// Runs the command with the process's arguments (also when the desktop app's binary is
/// started as `paydesk`: the Linux installers ship one program for both).
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => e.exit(),
        Err(e) if std::env::args().any(|a| a == "--json") => {
            let rendered = e.render().to_string();
            let message: Vec<&str> = rendered
                .lines()
                .take_while(|l| !l.trim().is_empty())
                .map(|l| l.trim().trim_start_matches("error: "))
                .collect();
            let message = message.join(" ");
            let field = message.split("--").nth(1).map(|rest| {
                rest.chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                    .collect::<String>()
                    .replace('-', "_")
            });
            let err = json!({ "error": { "kind": "input", "field": field, "fields": [], "provider": null,
                "code": null, "message": message } });
            eprintln!("{err}");
            return ExitCode::from(2);
        }
        Err(e) => e.exit(),
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fail(&EngineError::Internal(e.to_string()), cli.json),
    };
    let json = cli.json;
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e, json),
    }
}

async fn run(cli: Cli) -> Result<(), EngineError> {
    let data_dir = cli
        .data_dir
        .clone()
        .unwrap_or_else(paydesk::default_data_dir);
    let json = cli.json;
    let command = match cli.command {
        Command::Store(cmd) => return commands::store::store(&data_dir, cmd, json).await,
        other => other,
    };
    let engine = Engine::open(&data_dir).await?;
    if !json {
        output::set_zone(engine.time_zone().await?);
    }
    match command {
        Command::Store(_) => Ok(()),
        Command::Account(cmd) => account::account(&engine, cmd, json).await,
        Command::Customer(cmd) => customer::customer(&engine, cmd, json).await,
        Command::Link(cmd) => link::link(&engine, cmd, json).await,
        Command::Cvs(cmd) => cvs::cvs(&engine, cmd, json).await,
        Command::Slip(args) => cvs::slip(&engine, args, json).await,
        Command::Sync { once, interval } => sync::sync(&engine, once, interval, json).await,
        Command::Serve { listen } => commands::serve::serve(&engine, &listen, json).await,
        Command::Sandbox(cmd) => sync::sandbox(&engine, cmd, json).await,
        Command::Channel(cmd) => channel::channel(&engine, cmd, json).await,
        Command::Send(args) => channel::send(&engine, args, json).await,
        Command::Deliveries { id } => channel::deliveries(&engine, id.as_deref(), json).await,
        Command::Export {
            out,
            from,
            to,
            excel,
            lang,
        } => {
            let form = match (excel, lang.as_deref()) {
                (false, _) => paydesk::CsvForm::Data,
                (true, Some(l)) => paydesk::CsvForm::Spreadsheet(
                    l.parse().map_err(|e| EngineError::input("lang", e))?,
                ),
                (true, None) => paydesk::CsvForm::Spreadsheet(engine.country().await?.lang()),
            };
            let bytes = engine
                .export_csv(from.as_deref(), to.as_deref(), form)
                .await?;
            let rows = bytes
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                .saturating_sub(1);
            std::fs::write(&out, &bytes).map_err(|e| {
                EngineError::input("out", format!("cannot write {}: {e}", out.display()))
            })?;
            if json {
                print_json(&json!({ "out": out.display().to_string(), "invoices": rows }));
            } else {
                say!("{rows} invoice(s) written to {}.", out.display());
            }
            Ok(())
        }
        Command::Settings { cmd } => settings::settings(&engine, cmd, json).await,
    }
}
