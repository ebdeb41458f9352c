//! PayDesk's desktop shell: Tauri commands of a few lines each over the engine, the
//! sandbox's payment pages while the app runs, a background sync, and an event to the
//! window for every invoice change. No business rule lives here.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::collections::BTreeMap;

use paydesk::{
    AccountView, ChannelView, CustomerView, DashboardView, DeliveryView, Engine, EngineError,
    InvoiceView, ListQuery, MessagePreview, NewAccount, NewChannel, NewCustomer, NewLink, Secret,
    SendRequest, SyncReport,
};
use serde::Serialize;
use tauri::{Emitter, Manager, State};
use tauri_plugin_notification::NotificationExt;

type Reply<T> = Result<T, EngineError>;

#[tauri::command]
async fn list_invoices(engine: State<'_, Engine>, query: ListQuery) -> Reply<Vec<InvoiceView>> {
    engine.invoices(&query).await
}

#[tauri::command]
async fn count_invoices(engine: State<'_, Engine>, query: ListQuery) -> Reply<i64> {
    engine.count_invoices(&query).await
}

#[tauri::command]
async fn get_invoice(engine: State<'_, Engine>, id: String) -> Reply<InvoiceView> {
    engine.invoice(&id).await
}

#[tauri::command]
async fn create_link(engine: State<'_, Engine>, link: NewLink) -> Reply<InvoiceView> {
    engine.create_link(link).await
}

/// Saves every invoice as CSV under the data folder's `exports/` and returns the path.
#[tauri::command]
async fn export_csv(engine: State<'_, Engine>) -> Reply<String> {
    let bytes = engine.export_csv(None, None).await?;
    let path = engine.save_file("exports", "invoices", "csv", &bytes)?;
    Ok(path.display().to_string())
}

/// A convenience-store slip as it will print, in `lang` (ko, ja, en).
#[tauri::command]
async fn slip_preview(
    engine: State<'_, Engine>,
    id: String,
    lang: String,
) -> Reply<paydesk::SlipPreview> {
    engine.slip_preview(&id, &lang).await
}

#[tauri::command]
async fn invoice_qr(engine: State<'_, Engine>, id: String) -> Reply<String> {
    engine.invoice_qr(&id).await
}

/// Versions, settings, whether each secret is set, recent problems: for support.
#[tauri::command]
async fn diagnostics(engine: State<'_, Engine>) -> Reply<String> {
    engine.diagnostics(env!("CARGO_PKG_VERSION")).await
}

/// How many invoices are open and what was paid today, for the line above the list.
#[tauri::command]
async fn list_totals(engine: State<'_, Engine>) -> Reply<paydesk::ListTotals> {
    engine.list_totals().await
}

#[tauri::command]
async fn dashboard(engine: State<'_, Engine>) -> Reply<DashboardView> {
    engine.dashboard().await
}

#[tauri::command]
async fn issue_cvs(engine: State<'_, Engine>, link: NewLink) -> Reply<InvoiceView> {
    engine.issue_cvs(link).await
}

#[tauri::command]
async fn add_customer(engine: State<'_, Engine>, customer: NewCustomer) -> Reply<CustomerView> {
    engine.add_customer(customer).await
}

/// Refunds a paid invoice, all of it or `amount` (in the currency's major unit).
#[tauri::command]
async fn refund_link(
    engine: State<'_, Engine>,
    id: String,
    amount: Option<String>,
) -> Reply<InvoiceView> {
    engine.refund(&id, amount.as_deref()).await
}

#[tauri::command]
async fn cancel_link(engine: State<'_, Engine>, id: String) -> Reply<InvoiceView> {
    engine.cancel(&id).await
}

/// Keeps the store's logo (a PNG or JPEG file's bytes in base64).
#[tauri::command]
fn set_logo(engine: State<'_, Engine>, data: String) -> Reply<()> {
    engine.set_logo_base64(&data)
}

#[tauri::command]
fn remove_logo(engine: State<'_, Engine>) -> Reply<()> {
    engine.remove_logo()
}

/// The store's logo as a `data:` URL for the settings preview, or null.
#[tauri::command]
fn store_logo(engine: State<'_, Engine>) -> Reply<Option<String>> {
    engine.logo_data_url()
}

/// What the add-account and add-channel forms ask for (settings and keyring secrets).
#[tauri::command]
fn forms() -> paydesk::Forms {
    paydesk::Forms::all()
}

#[tauri::command]
async fn list_accounts(engine: State<'_, Engine>) -> Reply<Vec<AccountView>> {
    engine.accounts().await
}

#[tauri::command]
async fn list_customers(
    engine: State<'_, Engine>,
    search: Option<String>,
) -> Reply<Vec<CustomerView>> {
    engine.customers(search.as_deref()).await
}

#[tauri::command]
async fn sync_now(engine: State<'_, Engine>) -> Reply<SyncReport> {
    engine.sync_once().await
}

/// Saves the slips (all open ones when `ids` is empty) and opens them for printing.
#[tauri::command]
async fn print_slips(engine: State<'_, Engine>, ids: Vec<String>) -> Reply<String> {
    let path = engine.print_slips(&ids, None).await?;
    Ok(open_for_printing(&path))
}

/// Saves a one-page invoice PDF for a link and opens it.
#[tauri::command]
async fn print_invoice(engine: State<'_, Engine>, id: String) -> Reply<String> {
    let bytes = engine.invoice_pdf(&id, None, None).await?;
    let path = engine.save_print("invoice", &bytes)?;
    Ok(open_for_printing(&path))
}

/// The secrets a form sent (empty fields left out), held as secrets from here on.
fn typed_secrets(secrets: BTreeMap<String, String>) -> Vec<(String, Secret)> {
    secrets
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k, Secret::from(v)))
        .collect()
}

/// A new provider account; its keys go straight to the OS keyring and never come back.
#[tauri::command]
async fn add_account(
    engine: State<'_, Engine>,
    mut account: NewAccount,
    secrets: BTreeMap<String, String>,
) -> Reply<AccountView> {
    account.secrets = typed_secrets(secrets);
    engine.add_account(account).await
}

#[tauri::command]
async fn test_account(engine: State<'_, Engine>, name: String) -> Reply<String> {
    engine.test_account(&name).await
}

#[tauri::command]
async fn remove_account(engine: State<'_, Engine>, name: String) -> Reply<()> {
    engine.remove_account(&name).await
}

#[tauri::command]
async fn get_settings(engine: State<'_, Engine>) -> Reply<BTreeMap<String, String>> {
    engine.settings().await
}

#[tauri::command]
async fn set_setting(engine: State<'_, Engine>, key: String, value: String) -> Reply<()> {
    engine.set_setting(&key, &value).await
}

/// A new channel; its secrets go straight to the OS keyring and never come back.
#[tauri::command]
async fn add_channel(
    engine: State<'_, Engine>,
    mut channel: NewChannel,
    secrets: BTreeMap<String, String>,
) -> Reply<ChannelView> {
    channel.secrets = typed_secrets(secrets);
    engine.add_channel(channel).await
}

#[tauri::command]
async fn test_channel(
    engine: State<'_, Engine>,
    name: String,
    to: Option<String>,
) -> Reply<String> {
    engine.test_channel(&name, to.as_deref()).await
}

#[tauri::command]
async fn remove_channel(engine: State<'_, Engine>, name: String) -> Reply<()> {
    engine.remove_channel(&name).await
}

#[tauri::command]
async fn list_channels(engine: State<'_, Engine>) -> Reply<Vec<ChannelView>> {
    engine.channels().await
}

/// Exactly what the customer will get (with the SMS byte count), before sending.
#[tauri::command]
async fn preview_new_link(
    engine: State<'_, Engine>,
    link: NewLink,
    via: String,
) -> Reply<MessagePreview> {
    engine.preview_new_link(&link, &via).await
}

#[tauri::command]
async fn preview_message(
    engine: State<'_, Engine>,
    id: String,
    via: String,
    lang: Option<String>,
) -> Reply<MessagePreview> {
    engine.preview_message(&id, &via, lang.as_deref()).await
}

#[tauri::command]
async fn preview_template(
    engine: State<'_, Engine>,
    lang: String,
    part: String,
    text: String,
) -> Reply<MessagePreview> {
    engine.preview_template(&lang, &part, &text).await
}

#[tauri::command]
async fn send_link(engine: State<'_, Engine>, request: SendRequest) -> Reply<DeliveryView> {
    engine.send(request).await
}

#[tauri::command]
async fn list_deliveries(engine: State<'_, Engine>, id: String) -> Reply<Vec<DeliveryView>> {
    engine.deliveries(Some(&id)).await
}

/// Opens a saved PDF in the system viewer (its print dialog is one click away); the
/// path is returned either way so the window can say where the file is.
fn open_for_printing(path: &std::path::Path) -> String {
    if std::env::var_os("PAYDESK_NO_OPEN").is_none() {
        if let Err(e) = tauri_plugin_opener::open_path(path, None::<&str>) {
            tracing::warn!(error = %e, path = %path.display(), "no PDF viewer opened");
        }
    }
    path.display().to_string()
}

/// Opens the data folder (database, logs, saved PDFs) in the file manager.
#[tauri::command]
fn open_data_folder(engine: State<'_, Engine>) -> String {
    open_for_printing(engine.data_dir())
}

#[derive(Serialize)]
struct AppInfo {
    version: &'static str,
    data_dir: String,
}

#[tauri::command]
fn app_info(engine: State<'_, Engine>) -> AppInfo {
    AppInfo {
        version: env!("CARGO_PKG_VERSION"),
        data_dir: engine.data_dir().display().to_string(),
    }
}

/// Said by the window once the invoice list is on screen: background work (sync and
/// provider checks) starts only then, so a launch never waits on the network. With
/// `PAYDESK_STARTUP_MARK=FILE` the moment is appended to FILE (Unix milliseconds) for
/// the start-up benchmark.
#[tauri::command]
fn list_shown(
    first_paint: State<'_, FirstPaint>,
    page_ms: Option<f64>,
    page_phases: Option<String>,
) {
    let phases = format!(
        "engine_open_ms={} window_setup_ms={} list_shown_ms={} page_ms={:.0} ({})",
        STARTUP.engine_opened.get().copied().unwrap_or_default(),
        STARTUP.set_up.get().copied().unwrap_or_default(),
        STARTUP.since_start(),
        page_ms.unwrap_or_default(),
        page_phases.unwrap_or_default()
    );
    tracing::info!(%phases, "invoice list on screen");
    if let Some(path) = std::env::var_os("PAYDESK_STARTUP_MARK") {
        let _ = append_startup_mark(std::path::Path::new(&path), &phases);
    }
    first_paint.0.notify_one();
}

/// Milliseconds from the start of `main` to each step of a launch (for the log and
/// the start-up benchmark).
struct Startup {
    start: std::sync::OnceLock<std::time::Instant>,
    engine_opened: std::sync::OnceLock<u128>,
    set_up: std::sync::OnceLock<u128>,
}

impl Startup {
    fn since_start(&self) -> u128 {
        self.start
            .get()
            .map(|s| s.elapsed().as_millis())
            .unwrap_or_default()
    }
}

static STARTUP: Startup = Startup {
    start: std::sync::OnceLock::new(),
    engine_opened: std::sync::OnceLock::new(),
    set_up: std::sync::OnceLock::new(),
};

fn append_startup_mark(path: &std::path::Path, phases: &str) -> std::io::Result<()> {
    use std::io::Write;
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    writeln!(f, "{ms} {phases}")
}

/// Wakes the background sync after the first paint of the list.
struct FirstPaint(std::sync::Arc<tokio::sync::Notify>);

fn init_logs(data_dir: &std::path::Path) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    use tracing_subscriber::prelude::*;
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    // One file a day, the last 14 kept (the folder made first, or pruning complains).
    let _ = std::fs::create_dir_all(data_dir.join("logs"));
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("paydesk")
        .filename_suffix("log")
        .max_log_files(14)
        .build(data_dir.join("logs"))
        .ok()?;
    let (file, guard) = tracing_appender::non_blocking(appender);
    tracing_subscriber::registry()
        .with(filter)
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(file),
        )
        .try_init()
        .ok()?;
    Some(guard)
}

/// Started as `paydesk` (a link or the installers' `/usr/bin/paydesk` script, which sets
/// `PAYDESK_AS_COMMAND`), this binary is the command: one program for both keeps the
/// Linux installers small.
fn started_as_command() -> bool {
    std::env::var_os("PAYDESK_AS_COMMAND").is_some()
        || std::env::args_os()
            .next()
            .map(std::path::PathBuf::from)
            .and_then(|p| p.file_stem().map(|s| s == "paydesk"))
            .unwrap_or(false)
}

/// On Linux without a GPU (no `/dev/dri`: a VM, a remote desktop, Xvfb) WebKit
/// composites every frame with a software GL renderer, ~180 ms a frame for a full window
/// on the benchmark machine, against 16 ms when it draws without compositing
/// (docs/benchmarks.md). There PayDesk asks WebKit not to composite; a value the merchant
/// set in the environment always wins.
#[cfg(target_os = "linux")]
fn without_gpu_draw_without_compositing() {
    const VAR: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
    if std::env::var_os(VAR).is_none() && !std::path::Path::new("/dev/dri").exists() {
        // Before any thread starts (the log writer, tokio, GTK).
        std::env::set_var(VAR, "1");
    }
}

fn main() -> std::process::ExitCode {
    if started_as_command() {
        return paydesk_cli::main();
    }
    #[cfg(target_os = "linux")]
    without_gpu_draw_without_compositing();
    let _ = STARTUP.start.set(std::time::Instant::now());
    let data_dir = paydesk::default_data_dir();
    let _log_guard = init_logs(&data_dir);
    let engine = match tauri::async_runtime::block_on(Engine::open(&data_dir)) {
        Ok(e) => e,
        Err(e) => {
            eprintln!(
                "PayDesk cannot open its data folder {}: {e}",
                data_dir.display()
            );
            std::process::exit(1);
        }
    };
    let _ = STARTUP.engine_opened.set(STARTUP.since_start());
    // The merchant's `sync_interval` setting, unless a test sets its own.
    let sync_every = std::env::var("PAYDESK_SYNC_INTERVAL_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .map(std::time::Duration::from_secs);
    let first_paint = std::sync::Arc::new(tokio::sync::Notify::new());
    tauri::Builder::default()
        // First: a second launch hands over to the running window and exits 0.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.unminimize();
                let _ = w.show();
                let _ = w.set_focus();
            }
        }))
        // The window opens where and as large as the clerk left it.
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_notification::init())
        .manage(engine.clone())
        .manage(FirstPaint(first_paint.clone()))
        .invoke_handler(tauri::generate_handler![
            list_invoices,
            count_invoices,
            get_invoice,
            create_link,
            issue_cvs,
            add_customer,
            dashboard,
            list_totals,
            diagnostics,
            invoice_qr,
            slip_preview,
            export_csv,
            cancel_link,
            refund_link,
            list_accounts,
            forms,
            set_logo,
            remove_logo,
            store_logo,
            list_customers,
            sync_now,
            print_slips,
            print_invoice,
            list_channels,
            add_account,
            test_account,
            remove_account,
            get_settings,
            set_setting,
            add_channel,
            test_channel,
            remove_channel,
            preview_message,
            preview_new_link,
            preview_template,
            send_link,
            list_deliveries,
            app_info,
            open_data_folder,
            list_shown
        ])
        .setup(move |app| {
            let _ = STARTUP.set_up.set(STARTUP.since_start());
            let handle = app.handle().clone();
            let engine = app.state::<Engine>().inner().clone();
            tauri::async_runtime::spawn(serve_sandbox(engine.clone()));
            let mut changes = engine.subscribe();
            tauri::async_runtime::spawn(async move {
                loop {
                    match changes.recv().await {
                        Ok(view) => {
                            let _ = handle.emit("invoice-changed", view);
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                        Err(_) => break,
                    }
                }
            });
            let mut reports = engine.subscribe_sync();
            let sync_handle = app.handle().clone();
            let notify_engine = engine.clone();
            tauri::async_runtime::spawn(async move {
                while let Ok(report) = reports.recv().await {
                    if notify_engine.notifications_enabled().await {
                        for text in report.changed.iter().filter_map(paydesk::paid_notice) {
                            let _ = sync_handle
                                .notification()
                                .builder()
                                .title("PayDesk")
                                .body(text)
                                .show();
                        }
                    }
                    let _ = sync_handle.emit("sync-report", report);
                }
            });
            tauri::async_runtime::spawn(async move {
                // After the list is on screen (or 10 s at most, should the window fail).
                let _ = tokio::time::timeout(
                    std::time::Duration::from_secs(10),
                    first_paint.notified(),
                )
                .await;
                engine.run_sync(sync_every, std::future::pending()).await
            });
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("PayDesk's window could not start");
    std::process::ExitCode::SUCCESS
}

/// The sandbox's payment pages, served while the app runs (unless `paydesk sandbox
/// serve` already serves them on the same port).
async fn serve_sandbox(engine: Engine) {
    let port = match engine.sandbox_port().await {
        Ok(p) => p,
        Err(e) => return tracing::warn!(error = %e, "no sandbox account"),
    };
    match engine.serve_sandbox(port).await {
        Ok((addr, server)) => {
            tracing::info!(%addr, "sandbox payment pages served");
            if let Err(e) = server.await {
                tracing::warn!(error = %e, "sandbox pages stopped");
            }
        }
        Err(e) => {
            tracing::warn!(port, error = %e, "sandbox pages not served here (another PayDesk may serve them)")
        }
    }
}

#[cfg(test)]
mod tests {
    include!("commands.rs");

    /// The handler, the build script's permission list and the window's capability name
    /// the same commands: one left out of the capability would be refused to the page, one
    /// granted but not handled would be a hole.
    #[test]
    fn the_window_may_call_exactly_the_app_s_commands() {
        let main = include_str!("main.rs");
        let start = main.find("generate_handler![").unwrap() + "generate_handler![".len();
        let end = start + main[start..].find(']').unwrap();
        let handled: Vec<&str> = main[start..end]
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        assert_eq!(
            handled, COMMANDS,
            "generate_handler! vs src-tauri/commands.rs"
        );

        let capability: serde_json::Value =
            serde_json::from_str(include_str!("capabilities/default.json")).unwrap();
        let granted: Vec<String> = capability["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_string())
            .collect();
        let mut wanted: Vec<String> = COMMANDS
            .iter()
            .map(|c| format!("allow-{}", c.replace('_', "-")))
            .collect();
        wanted.extend([
            "core:event:allow-listen".into(),
            "core:event:allow-unlisten".into(),
        ]);
        wanted.sort();
        let mut granted_sorted = granted.clone();
        granted_sorted.sort();
        assert_eq!(granted_sorted, wanted, "capabilities/default.json");
    }
}
