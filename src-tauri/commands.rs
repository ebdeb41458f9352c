//! The window's commands: a few lines each over the engine, no business rule. The list
//! of their names is `command_names.rs` (it feeds the build script's permissions and the
//! capability check); `handler` is the one `generate_handler!` of them.

use std::collections::BTreeMap;

use paydesk::core::MessageKind;
use paydesk::{
    AccountView, ChannelView, CustomerMatch, CustomerView, DashboardView, DeliveryView, Engine,
    EngineError, InvoiceView, LinkCopy, ListQuery, MessagePreview, NewAccount, NewChannel,
    NewCustomer, NewLink, PrintOutcome, PrinterView, RefundInput, Secret, SendRequest,
    SharedStoreInput, StoreView, SyncReport,
};
use serde::Serialize;
use tauri::State;

use crate::startup::{append_startup_mark, FirstPaint, STARTUP};

type Reply<T> = Result<T, EngineError>;

/// Every command the window may call (each also has a permission, see `command_names.rs`).
pub(crate) fn handler<R: tauri::Runtime>(
) -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
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
        request_rest,
        duplicate_form,
        list_accounts,
        forms,
        set_logo,
        remove_logo,
        store_logo,
        list_customers,
        match_customer,
        sync_now,
        print_slips,
        print_invoice,
        list_printers,
        list_channels,
        add_account,
        test_account,
        remove_account,
        get_settings,
        set_setting,
        add_channel,
        edit_channel,
        test_channel,
        remove_channel,
        preview_message,
        preview_new_link,
        preview_template,
        send_link,
        resend_link,
        list_deliveries,
        app_info,
        open_data_folder,
        list_shown,
        store_view,
        use_shared_store,
        move_to_shared_store,
        use_local_store,
        restart_app,
    ]
}

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

/// Saves every invoice as CSV for a spreadsheet (headers in `lang`, the window's
/// language) under the data folder's `exports/` and returns the path.
#[tauri::command]
async fn export_csv(engine: State<'_, Engine>, lang: paydesk::core::Lang) -> Reply<String> {
    let bytes = engine
        .export_csv(None, None, paydesk::CsvForm::Spreadsheet(lang))
        .await?;
    let path = engine
        .save_file("exports", "invoices", "csv", &bytes)
        .await?;
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

/// A new link for what an under-paid invoice still lacks.
#[tauri::command]
async fn request_rest(engine: State<'_, Engine>, id: String) -> Reply<InvoiceView> {
    engine.request_rest(&id).await
}

/// The create form filled like an earlier invoice (nothing is written).
#[tauri::command]
async fn duplicate_form(engine: State<'_, Engine>, id: String) -> Reply<LinkCopy> {
    engine.duplicate_form(&id).await
}

/// Refunds a paid invoice, all of it or `amount` (in the currency's major unit).
#[tauri::command]
async fn refund_link(
    engine: State<'_, Engine>,
    id: String,
    refund: RefundInput,
) -> Reply<InvoiceView> {
    engine.refund_with(&id, &refund).await
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

/// The saved customer the typed details belong to, and what differs from it.
#[tauri::command]
async fn match_customer(engine: State<'_, Engine>, link: NewLink) -> Reply<Option<CustomerMatch>> {
    engine.customer_match(link).await
}

#[tauri::command]
async fn sync_now(engine: State<'_, Engine>) -> Reply<SyncReport> {
    engine.sync_once().await
}

/// Saves the slips (all open ones when `ids` is empty) and prints them as the store
/// chose: to the printer, or opened in the PDF viewer.
#[tauri::command]
async fn print_slips(engine: State<'_, Engine>, ids: Vec<String>) -> Reply<PrintOutcome> {
    let path = engine.print_slips(&ids, None).await?;
    print_saved(&engine, &path, "PayDesk slips").await
}

/// Saves a one-page invoice PDF for a link and prints it as the store chose.
#[tauri::command]
async fn print_invoice(engine: State<'_, Engine>, id: String) -> Reply<PrintOutcome> {
    let bytes = engine.invoice_pdf(&id, None, None).await?;
    let path = engine.save_print("invoice", &bytes).await?;
    print_saved(&engine, &path, "PayDesk invoice").await
}

/// The printers the print system knows (Settings' choice).
#[tauri::command]
async fn list_printers(engine: State<'_, Engine>) -> Reply<Vec<PrinterView>> {
    engine.printers().await
}

/// The engine prints or leaves the file for the viewer, which is opened here.
async fn print_saved(engine: &Engine, path: &std::path::Path, title: &str) -> Reply<PrintOutcome> {
    let out = engine.print_saved(path, title).await?;
    if out.printer.is_none() {
        open_for_printing(path);
    }
    Ok(out)
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
async fn edit_channel(
    engine: State<'_, Engine>,
    mut channel: NewChannel,
    secrets: BTreeMap<String, String>,
) -> Reply<ChannelView> {
    channel.secrets = typed_secrets(secrets);
    engine.edit_channel(channel).await
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
    what: Option<MessageKind>,
) -> Reply<MessagePreview> {
    engine
        .preview_message_of(&id, what.unwrap_or_default(), &via, lang.as_deref())
        .await
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
async fn resend_link(engine: State<'_, Engine>, id: String) -> Reply<DeliveryView> {
    engine.resend(&id).await
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

#[tauri::command]
fn store_view(engine: State<'_, Engine>) -> Reply<StoreView> {
    engine.store_view()
}

#[tauri::command]
async fn use_shared_store(engine: State<'_, Engine>, input: SharedStoreInput) -> Reply<StoreView> {
    engine.use_shared_store(&input).await
}

#[tauri::command]
async fn move_to_shared_store(
    engine: State<'_, Engine>,
    input: SharedStoreInput,
) -> Reply<StoreView> {
    engine.move_to_shared_store(&input).await
}

#[tauri::command]
fn use_local_store(engine: State<'_, Engine>) -> Reply<StoreView> {
    engine.use_local_store()
}

/// Starts PayDesk again (to open the store database just chosen).
#[tauri::command]
fn restart_app<R: tauri::Runtime>(app: tauri::AppHandle<R>) {
    app.restart()
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

#[cfg(test)]
mod tests {
    include!("command_names.rs");

    /// The handler, the build script's permission list and the window's capability name
    /// the same commands: one left out of the capability would be refused to the page, one
    /// granted but not handled would be a hole.
    #[test]
    fn the_window_may_call_exactly_the_app_s_commands() {
        let main = include_str!("commands.rs");
        let start = main.find("generate_handler![").unwrap() + "generate_handler![".len();
        let end = start + main[start..].find(']').unwrap();
        let handled: Vec<&str> = main[start..end]
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        assert_eq!(
            handled, COMMANDS,
            "generate_handler! vs src-tauri/command_names.rs"
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
