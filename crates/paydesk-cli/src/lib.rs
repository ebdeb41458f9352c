//! `paydesk`: the engine's use cases, headless and scriptable (see `../shared/cli.md`).

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use paydesk::{
    AccountView, ChannelView, CustomerView, Engine, EngineError, ErrorView, InvoiceView, ListQuery,
    NewAccount, NewChannel, NewCustomer, NewLink, Secret, SendRequest,
};
use serde_json::json;
use unicode_width::UnicodeWidthStr;

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
    },
    /// Every message ever queued, with its state.
    Deliveries {
        /// Only this invoice's (PayDesk id, order id or provider id).
        id: Option<String>,
    },
    /// The store's profile: `settings` shows it, `settings set KEY VALUE` changes it.
    Settings {
        #[command(subcommand)]
        cmd: Option<SettingsCmd>,
    },
}

#[derive(Subcommand)]
enum SettingsCmd {
    /// store_name (on messages and slips) or time_zone (+09:00).
    Set { key: String, value: String },
    /// The store's logo on slips, invoice PDFs and e-mails: a PNG or JPEG file (at most
    /// 1 MB, 2,000 pixels a side), or --remove.
    Logo {
        #[arg(required_unless_present = "remove")]
        file: Option<std::path::PathBuf>,
        #[arg(long, conflicts_with = "file")]
        remove: bool,
    },
}

#[derive(Subcommand)]
enum ChannelCmd {
    Add(Box<ChannelAdd>),
    List,
    /// SMTP logs in, Twilio checks its keys; with --to, a test message is sent there.
    Test {
        name: String,
        #[arg(long)]
        to: Option<String>,
    },
    Remove {
        name: String,
    },
}

#[derive(Args)]
struct ChannelAdd {
    name: String,
    #[arg(long)]
    kind: String,
    #[arg(long)]
    host: Option<String>,
    #[arg(long)]
    port: Option<u16>,
    /// starttls (default, port 587), tls (465) or none (a local relay).
    #[arg(long)]
    tls: Option<String>,
    #[arg(long)]
    username: Option<String>,
    /// The sender, e.g. "하나상회 <shop@hana.kr>".
    #[arg(long)]
    from: Option<String>,
    /// A PEM file with a private mail server's certificate authority.
    #[arg(long)]
    ca_file: Option<String>,
    #[arg(long)]
    base_url: Option<String>,
    /// The sending number (Solapi: registered sender; Twilio: +1… or MG… service SID).
    #[arg(long)]
    sender: Option<String>,
    /// KakaoTalk channel id (AlimTalk).
    #[arg(long)]
    pf_id: Option<String>,
    /// Approved AlimTalk template id.
    #[arg(long)]
    template_id: Option<String>,
    /// Send an SMS instead when AlimTalk is refused.
    #[arg(long)]
    alimtalk_fallback: bool,
    /// Read KEY=VALUE lines (password=…, api_key=…) from stdin into the OS keyring.
    #[arg(long)]
    secret_stdin: bool,
}

#[derive(Args)]
struct SendArgs {
    id: String,
    /// sms, alimtalk, email or provider.
    #[arg(long)]
    via: String,
    #[arg(long)]
    channel: Option<String>,
    /// The phone number or e-mail address (default: the invoice's customer's).
    #[arg(long)]
    to: Option<String>,
    /// ko, en or ja (default: from the phone number, else ko).
    #[arg(long)]
    lang: Option<String>,
    /// Show exactly what would be sent (with the SMS byte count) and send nothing.
    #[arg(long)]
    preview: bool,
}

#[derive(Subcommand)]
enum AccountCmd {
    Add(AccountAdd),
    List,
    Show { name: String },
    Test { name: String },
    Remove { name: String },
}

#[derive(Args)]
struct AccountAdd {
    name: String,
    #[arg(long)]
    provider: String,
    #[arg(long)]
    base_url: Option<String>,
    #[arg(long)]
    store_id: Option<String>,
    #[arg(long)]
    channel_key: Option<String>,
    #[arg(long)]
    mode: Option<String>,
    /// Read KEY=VALUE lines (e.g. client_key=…) from stdin into the OS keyring.
    #[arg(long)]
    secret_stdin: bool,
}

#[derive(Subcommand)]
enum CustomerCmd {
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

#[derive(Subcommand)]
enum LinkCmd {
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
struct LinkCreate {
    #[arg(long)]
    account: String,
    #[arg(long)]
    name: String,
    #[arg(long, allow_hyphen_values = true)]
    amount: String,
    #[arg(long)]
    currency: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    tax_free: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    expires_in: Option<String>,
    #[arg(long)]
    expires_at: Option<String>,
    #[arg(long)]
    customer: Option<String>,
    #[arg(long)]
    customer_name: Option<String>,
    #[arg(long)]
    phone: Option<String>,
    #[arg(long)]
    email: Option<String>,
    #[arg(long)]
    order_id: Option<String>,
    /// Send the link to the customer: sms|alimtalk|email|provider (repeatable).
    #[arg(long)]
    send: Vec<String>,
    /// The channel to send through (default: the first that sends that way).
    #[arg(long)]
    channel: Option<String>,
    /// The customer's language: ko, en or ja (default: from the phone number, else ko).
    #[arg(long)]
    lang: Option<String>,
}

#[derive(Args)]
struct SlipArgs {
    /// Invoices (PayDesk id, order id or provider id).
    #[arg(required = true)]
    ids: Vec<String>,
    #[arg(long)]
    out: PathBuf,
    /// a4 (8 slips a page, with cut marks; the default) or receipt80 (80 mm thermal printers).
    #[arg(long)]
    layout: Option<String>,
    /// The customer's language on the slip: ko (the default), ja or en.
    #[arg(long)]
    lang: Option<String>,
    /// The store name printed on the slip (default: the store_name setting).
    #[arg(long)]
    store_name: Option<String>,
}

#[derive(Subcommand)]
enum CvsCmd {
    /// Issue a payment number the customer pays at a convenience store.
    Issue(Box<CvsIssue>),
    /// Revoke an unpaid payment number.
    Cancel { id: String },
}

#[derive(Args)]
struct CvsIssue {
    #[arg(long)]
    account: String,
    #[arg(long)]
    name: String,
    #[arg(long, allow_hyphen_values = true)]
    amount: String,
    /// KRW (the default) or JPY.
    #[arg(long)]
    currency: Option<String>,
    #[arg(long)]
    expires_at: Option<String>,
    #[arg(long, allow_hyphen_values = true)]
    expires_in: Option<String>,
    #[arg(long)]
    buyer_name: Option<String>,
    #[arg(long)]
    phone: Option<String>,
    #[arg(long)]
    email: Option<String>,
    #[arg(long)]
    order_id: Option<String>,
    /// Also print the slip to this PDF (80 mm receipt).
    #[arg(long)]
    pdf: Option<PathBuf>,
    /// The store name printed on the slip (default: the store_name setting).
    #[arg(long)]
    store_name: Option<String>,
}

#[derive(Subcommand)]
enum SandboxCmd {
    /// Serve the sandbox's payment pages on 127.0.0.1.
    Serve {
        #[arg(long)]
        port: Option<u16>,
    },
    /// What the page's Pay button does.
    Pay {
        id: String,
        #[arg(long)]
        amount: Option<String>,
        /// The money arrives after the deadline.
        #[arg(long)]
        late: bool,
    },
    /// What the page's Expire button does.
    Expire { id: String },
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

fn fail(e: &EngineError, json: bool) -> ExitCode {
    let mut err = std::io::stderr().lock();
    if json {
        let _ = writeln!(err, "{}", json!({ "error": ErrorView::from(e) }));
    } else {
        let _ = writeln!(err, "error: {e}");
    }
    ExitCode::from(e.exit_code() as u8)
}

fn print_json<T: serde::Serialize>(v: &T) {
    println!(
        "{}",
        serde_json::to_string_pretty(v).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    );
}

async fn run(cli: Cli) -> Result<(), EngineError> {
    let data_dir = cli
        .data_dir
        .clone()
        .unwrap_or_else(paydesk::default_data_dir);
    let engine = Engine::open(&data_dir).await?;
    let json = cli.json;
    match cli.command {
        Command::Account(cmd) => account(&engine, cmd, json).await,
        Command::Customer(cmd) => customer(&engine, cmd, json).await,
        Command::Link(cmd) => link(&engine, cmd, json).await,
        Command::Cvs(cmd) => cvs(&engine, cmd, json).await,
        Command::Slip(args) => slip(&engine, args, json).await,
        Command::Sync { once, interval } => sync(&engine, once, interval, json).await,
        Command::Sandbox(cmd) => sandbox(&engine, cmd, json).await,
        Command::Channel(cmd) => channel(&engine, cmd, json).await,
        Command::Send(args) => send(&engine, args, json).await,
        Command::Deliveries { id } => deliveries(&engine, id.as_deref(), json).await,
        Command::Export { out, from, to } => {
            let bytes = engine.export_csv(from.as_deref(), to.as_deref()).await?;
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
                println!("{rows} invoice(s) written to {}.", out.display());
            }
            Ok(())
        }
        Command::Settings { cmd } => settings(&engine, cmd, json).await,
    }
}

/// Reads `KEY=VALUE` lines; a malformed line is reported by number, never echoed.
fn read_secrets() -> Result<Vec<(String, Secret)>, EngineError> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!("Type KEY=VALUE lines (e.g. secret_key=…), then Ctrl-D:");
    }
    let mut out = Vec::new();
    for (n, line) in stdin.lock().lines().enumerate() {
        let line =
            line.map_err(|e| EngineError::input("secret", format!("cannot read stdin: {e}")))?;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            return Err(EngineError::input(
                "secret",
                format!("line {} is not KEY=VALUE", n + 1),
            ));
        };
        out.push((k.trim().to_string(), Secret::from(v.trim().to_string())));
    }
    Ok(out)
}

async fn account(engine: &Engine, cmd: AccountCmd, json: bool) -> Result<(), EngineError> {
    match cmd {
        AccountCmd::Add(a) => {
            let secrets = if a.secret_stdin {
                read_secrets()?
            } else {
                Vec::new()
            };
            let view = engine
                .add_account(NewAccount {
                    name: a.name,
                    provider: a.provider,
                    base_url: a.base_url,
                    store_id: a.store_id,
                    channel_key: a.channel_key,
                    mode: a.mode,
                    secrets,
                })
                .await?;
            if json {
                print_json(&view);
            } else {
                println!("Account {} ({}) added.", view.name, view.provider);
                print_accounts(std::slice::from_ref(&view));
            }
        }
        AccountCmd::List => {
            let list = engine.accounts().await?;
            if json {
                print_json(&list);
            } else {
                print_accounts(&list);
            }
        }
        AccountCmd::Show { name } => {
            let view = engine.account(&name).await?;
            if json {
                print_json(&view);
            } else {
                print_accounts(std::slice::from_ref(&view));
                for (k, v) in &view.settings {
                    println!(
                        "  {k}: {}",
                        v.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| v.to_string())
                    );
                }
            }
        }
        AccountCmd::Test { name } => {
            let answer = engine.test_account(&name).await?;
            if json {
                print_json(&json!({ "account": name, "ok": true, "message": answer }));
            } else {
                println!("{name}: {answer}");
            }
        }
        AccountCmd::Remove { name } => {
            engine.remove_account(&name).await?;
            if json {
                print_json(&json!({ "removed": name }));
            } else {
                println!("Account {name} removed (its keys were deleted from the keyring).");
            }
        }
    }
    Ok(())
}

async fn customer(engine: &Engine, cmd: CustomerCmd, json: bool) -> Result<(), EngineError> {
    match cmd {
        CustomerCmd::Add { name, phone, email } => {
            let c = engine
                .add_customer(NewCustomer { name, phone, email })
                .await?;
            if json {
                print_json(&c);
            } else {
                print_customers(std::slice::from_ref(&c));
            }
        }
        CustomerCmd::List { search } => {
            let list = engine.customers(search.as_deref()).await?;
            if json {
                print_json(&list);
            } else {
                print_customers(&list);
            }
        }
    }
    Ok(())
}

async fn link(engine: &Engine, cmd: LinkCmd, json: bool) -> Result<(), EngineError> {
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
            if json {
                print_json(&view);
            } else {
                print_invoice(&view);
            }
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
            if json {
                print_json(&list);
            } else {
                print_invoices(&list);
            }
        }
        LinkCmd::Show { id } => {
            let view = engine.invoice(&id).await?;
            if json {
                print_json(&view);
            } else {
                print_invoice(&view);
            }
        }
        LinkCmd::Cancel { id } => {
            let view = engine.cancel(&id).await?;
            if json {
                print_json(&view);
            } else {
                print_invoice(&view);
            }
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
            if json {
                print_json(&json!({ "out": out.display().to_string(), "bytes": bytes.len() }));
            } else {
                println!(
                    "Invoice written to {} ({} bytes).",
                    out.display(),
                    bytes.len()
                );
            }
        }
        LinkCmd::Refund { id, amount } => {
            let view = engine.refund(&id, amount.as_deref()).await?;
            if json {
                print_json(&view);
            } else {
                print_invoice(&view);
            }
        }
    }
    Ok(())
}

async fn cvs(engine: &Engine, cmd: CvsCmd, json: bool) -> Result<(), EngineError> {
    let view = match cmd {
        CvsCmd::Issue(c) => {
            let c = *c;
            let store = c.store_name.clone();
            let pdf = c.pdf.clone();
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
                let bytes = engine
                    .slips(
                        std::slice::from_ref(&view.id),
                        Some("receipt80"),
                        None,
                        store.as_deref(),
                    )
                    .await?;
                write_pdf(&path, &bytes)?;
            }
            view
        }
        CvsCmd::Cancel { id } => engine.cancel(&id).await?,
    };
    if json {
        print_json(&view);
    } else {
        print_invoice(&view);
    }
    Ok(())
}

fn write_pdf(path: &std::path::Path, bytes: &[u8]) -> Result<(), EngineError> {
    std::fs::write(path, bytes)
        .map_err(|e| EngineError::input("out", format!("cannot write {}: {e}", path.display())))
}

async fn slip(engine: &Engine, a: SlipArgs, json: bool) -> Result<(), EngineError> {
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
        println!(
            "{} slip(s) written to {} ({} bytes).",
            a.ids.len(),
            a.out.display(),
            bytes.len()
        );
    }
    Ok(())
}

async fn sync(engine: &Engine, once: bool, interval: u64, json: bool) -> Result<(), EngineError> {
    if once {
        let report = engine.sync_once().await?;
        if json {
            print_json(&report);
        } else {
            println!(
                "Checked {} invoice(s): {} changed, {} error(s).",
                report.checked,
                report.changed.len(),
                report.errors.len()
            );
            for c in &report.changed {
                println!("  {}  {}  {}", c.id, c.status, c.name);
            }
            for e in &report.errors {
                println!("  {}  error: {}", e.invoice_id, e.message);
            }
        }
        return Ok(());
    }
    let mut changes = engine.subscribe();
    let printer = tokio::spawn(async move {
        while let Ok(c) = changes.recv().await {
            if json {
                println!("{}", serde_json::to_string(&c).unwrap_or_default());
            } else {
                println!("{}  {}  {}  {}", c.updated_at, c.id, c.status, c.name);
            }
        }
    });
    if !json {
        eprintln!("Syncing every {interval}s; press Ctrl-C to stop.");
    }
    engine
        .run_sync(
            Some(std::time::Duration::from_secs(interval.max(1))),
            async {
                let _ = tokio::signal::ctrl_c().await;
            },
        )
        .await;
    printer.abort();
    Ok(())
}

async fn sandbox(engine: &Engine, cmd: SandboxCmd, json: bool) -> Result<(), EngineError> {
    match cmd {
        SandboxCmd::Serve { port } => {
            let port = match port {
                Some(p) => p,
                None => engine.sandbox_port().await?,
            };
            let (addr, server) = engine.serve_sandbox(port).await.map_err(|e| {
                EngineError::input("port", format!("cannot listen on 127.0.0.1:{port}: {e}"))
            })?;
            if json {
                println!("{}", json!({ "serving": format!("http://{addr}") }));
            } else {
                println!("Sandbox payment pages on http://{addr} — press Ctrl-C to stop.");
            }
            let _ = std::io::stdout().flush();
            tokio::select! {
                r = server => r.map_err(|e| EngineError::Internal(e.to_string()))?,
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        SandboxCmd::Pay { id, amount, late } => {
            let p = engine.sandbox_pay(&id, amount.as_deref(), late).await?;
            if json {
                print_json(&p);
            } else {
                println!("Sandbox payment {} is now {} (received {} {}). Run `paydesk sync --once` to see it in PayDesk.", p.id, p.state, p.paid_amount, p.currency);
            }
        }
        SandboxCmd::Expire { id } => {
            let p = engine.sandbox_expire(&id).await?;
            if json {
                print_json(&p);
            } else {
                println!("Sandbox payment {} is now {}.", p.id, p.state);
            }
        }
    }
    Ok(())
}

// ---- tables for people ---------------------------------------------------------------

fn table(headers: &[&str], rows: Vec<Vec<String>>) {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.width());
        }
    }
    let line = |cells: Vec<String>| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            s.push_str(c);
            if i + 1 < cells.len() {
                s.push_str(&" ".repeat(widths[i] - c.width() + 2));
            }
        }
        println!("{}", s.trim_end());
    };
    line(headers.iter().map(|h| h.to_string()).collect());
    for r in rows {
        line(r);
    }
}

fn flags(v: &InvoiceView) -> String {
    let mut f = vec![];
    if v.paid_late {
        f.push("paid late");
    }
    if v.underpaid {
        f.push("underpaid");
    }
    if v.overpaid {
        f.push("overpaid");
    }
    if v.sandbox {
        f.push("SANDBOX");
    }
    f.join(", ")
}

fn print_invoices(list: &[InvoiceView]) {
    if list.is_empty() {
        println!("No invoices.");
        return;
    }
    table(
        &[
            "ID", "STATUS", "AMOUNT", "NAME", "CUSTOMER", "EXPIRES", "FLAGS",
        ],
        list.iter()
            .map(|v| {
                vec![
                    v.id.clone(),
                    v.status.to_string(),
                    v.amount_display.clone(),
                    v.name.chars().take(40).collect(),
                    v.customer
                        .as_ref()
                        .map(|c| c.name.clone())
                        .unwrap_or_default(),
                    v.expires_at.clone(),
                    flags(v),
                ]
            })
            .collect(),
    );
}

fn print_invoice(v: &InvoiceView) {
    let f = flags(v);
    println!(
        "{}  {}  {}{}",
        v.id,
        v.status,
        v.amount_display,
        if f.is_empty() {
            String::new()
        } else {
            format!("  [{f}]")
        }
    );
    println!("  name:        {}", v.name);
    println!("  account:     {} ({})", v.account, v.provider);
    println!("  order id:    {}", v.order_id);
    if let Some(p) = &v.provider_id {
        println!("  provider id: {p}");
    }
    if let Some(u) = &v.payment_url {
        println!("  pay at:      {u}");
    }
    if let Some(n) = &v.payment_number {
        println!("  CVS number:  {n}");
    }
    println!("  paid:        {} {}", v.paid_amount, v.currency);
    println!("  expires:     {}", v.expires_at);
    if let Some(c) = &v.customer {
        println!(
            "  customer:    {}{}{}",
            c.name,
            c.phone
                .as_deref()
                .map(|p| format!(" · {p}"))
                .unwrap_or_default(),
            c.email
                .as_deref()
                .map(|e| format!(" · {e}"))
                .unwrap_or_default()
        );
    }
    if let Some(e) = &v.last_error {
        println!("  last error:  {e}");
    }
    if let Some(tl) = &v.timeline {
        println!("  timeline:");
        for t in tl {
            println!(
                "    {}  {:<8} {:<16} {:<8} {}",
                t.at,
                t.event,
                t.status.map_or("-", |s| s.as_str()),
                t.source,
                t.detail.as_deref().unwrap_or("")
            );
        }
    }
}

fn print_accounts(list: &[AccountView]) {
    table(
        &["NAME", "PROVIDER", "KEYS", "CREATED"],
        list.iter()
            .map(|a| {
                let keys = if a.secrets.is_empty() {
                    if a.sandbox {
                        "none needed (SANDBOX)".to_string()
                    } else {
                        "-".to_string()
                    }
                } else {
                    a.secrets
                        .iter()
                        .map(|(k, v)| format!("{k}: {v}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                vec![
                    a.name.clone(),
                    a.provider.to_string(),
                    keys,
                    a.created_at.clone(),
                ]
            })
            .collect(),
    );
}

fn print_customers(list: &[CustomerView]) {
    if list.is_empty() {
        println!("No customers.");
        return;
    }
    table(
        &["ID", "NAME", "PHONE", "E-MAIL"],
        list.iter()
            .map(|c| {
                vec![
                    c.id.clone(),
                    c.name.clone(),
                    c.phone.clone().unwrap_or_default(),
                    c.email.clone().unwrap_or_default(),
                ]
            })
            .collect(),
    );
}

async fn channel(engine: &Engine, cmd: ChannelCmd, json: bool) -> Result<(), EngineError> {
    match cmd {
        ChannelCmd::Add(c) => {
            let c = *c;
            let secrets = if c.secret_stdin {
                read_secrets()?
            } else {
                Vec::new()
            };
            let view = engine
                .add_channel(NewChannel {
                    name: c.name,
                    kind: c.kind,
                    host: c.host,
                    port: c.port,
                    tls: c.tls,
                    username: c.username,
                    from: c.from,
                    ca_file: c.ca_file,
                    base_url: c.base_url,
                    sender: c.sender,
                    pf_id: c.pf_id,
                    template_id: c.template_id,
                    alimtalk_fallback: c.alimtalk_fallback,
                    secrets,
                })
                .await?;
            if json {
                print_json(&view);
            } else {
                println!("Channel {} ({}) added.", view.name, view.kind);
                print_channels(std::slice::from_ref(&view));
            }
        }
        ChannelCmd::List => {
            let list = engine.channels().await?;
            if json {
                print_json(&list);
            } else {
                print_channels(&list);
            }
        }
        ChannelCmd::Test { name, to } => {
            let answer = engine.test_channel(&name, to.as_deref()).await?;
            if json {
                print_json(&json!({ "channel": name, "ok": true, "message": answer }));
            } else {
                println!("{name}: {answer}");
            }
        }
        ChannelCmd::Remove { name } => {
            engine.remove_channel(&name).await?;
            if json {
                print_json(&json!({ "removed": name }));
            } else {
                println!("Channel {name} removed (its secrets were deleted from the keyring).");
            }
        }
    }
    Ok(())
}

fn print_channels(list: &[ChannelView]) {
    if list.is_empty() {
        println!("No channels. Add one: paydesk channel add NAME --kind smtp|solapi|twilio …");
        return;
    }
    table(
        &["NAME", "KIND", "SENDS", "SECRETS"],
        list.iter()
            .map(|c| {
                vec![
                    c.name.clone(),
                    c.kind.to_string(),
                    c.vias
                        .iter()
                        .map(|v| v.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    c.secrets
                        .iter()
                        .map(|(k, v)| format!("{k}: {v}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                ]
            })
            .collect(),
    );
}

async fn send(engine: &Engine, a: SendArgs, json: bool) -> Result<(), EngineError> {
    if a.preview {
        let p = engine
            .preview_message(&a.id, &a.via, a.lang.as_deref())
            .await?;
        if json {
            print_json(&p);
        } else {
            if let Some(s) = &p.subject {
                println!("Subject: {s}");
            }
            println!("{}", p.text);
            if let (Some(b), Some(c)) = (p.bytes, p.class) {
                println!(
                    "-- {b} bytes: {}",
                    match c {
                        paydesk::SmsClass::Sms => "SMS (≤ 90 bytes)",
                        paydesk::SmsClass::Lms => "LMS (long message, priced higher)",
                    }
                );
            }
        }
        return Ok(());
    }
    let d = engine
        .send(SendRequest {
            invoice: a.id,
            via: a.via,
            channel: a.channel,
            to: a.to,
            lang: a.lang,
        })
        .await?;
    if json {
        print_json(&d);
    } else if d.state == paydesk::core::DeliveryState::Queued {
        println!(
            "Queued {} to {}: it goes out as soon as the link exists ({}).",
            d.via, d.to, d.id
        );
    } else {
        println!(
            "Sent by {} to {} ({}{}).",
            d.via,
            d.to,
            d.id,
            d.channel_message_id
                .as_deref()
                .map(|m| format!(", {m}"))
                .unwrap_or_default()
        );
    }
    Ok(())
}

async fn deliveries(engine: &Engine, id: Option<&str>, json: bool) -> Result<(), EngineError> {
    let list = engine.deliveries(id).await?;
    if json {
        print_json(&list);
        return Ok(());
    }
    if list.is_empty() {
        println!("No messages yet.");
        return Ok(());
    }
    table(
        &[
            "DELIVERY", "INVOICE", "VIA", "TO", "STATE", "TRIES", "WHEN", "NOTE",
        ],
        list.iter()
            .map(|d| {
                vec![
                    d.id.clone(),
                    d.invoice_id.clone(),
                    d.via.to_string(),
                    d.to.clone(),
                    d.state.as_str().to_string(),
                    d.attempts.to_string(),
                    d.updated_at.chars().take(19).collect(),
                    d.error
                        .clone()
                        .or_else(|| d.channel_message_id.clone())
                        .unwrap_or_default()
                        .chars()
                        .take(80)
                        .collect(),
                ]
            })
            .collect(),
    );
    Ok(())
}

async fn settings(
    engine: &Engine,
    cmd: Option<SettingsCmd>,
    json: bool,
) -> Result<(), EngineError> {
    match cmd {
        Some(SettingsCmd::Set { key, value }) => engine.set_setting(&key, &value).await?,
        Some(SettingsCmd::Logo { remove: true, .. }) => engine.remove_logo()?,
        Some(SettingsCmd::Logo {
            file: Some(file), ..
        }) => {
            let bytes = std::fs::read(&file).map_err(|e| {
                EngineError::input("logo", format!("{} cannot be read ({e})", file.display()))
            })?;
            engine.set_logo(&bytes)?;
        }
        _ => {}
    }
    let all = engine.settings().await?;
    if json {
        print_json(&all);
    } else {
        for (k, v) in &all {
            println!("{k}: {v}");
        }
    }
    Ok(())
}
