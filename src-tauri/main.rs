//! PayDesk's desktop shell: Tauri commands of a few lines each over the engine, the
//! sandbox's payment pages while the app runs, a background sync, and an event to the
//! window for every invoice change. No business rule lives here.
#![cfg_attr(not(test), deny(clippy::unwrap_used))]
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod background;
mod commands;
mod startup;

use paydesk::Engine;
use tauri::Manager;

#[cfg(target_os = "linux")]
use startup::without_gpu_draw_without_compositing;
use startup::{init_logs, started_as_command, FirstPaint, STARTUP};

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
        .invoke_handler(commands::handler())
        .setup(move |app| {
            background::start(app, first_paint, sync_every);
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("PayDesk's window could not start");
    std::process::ExitCode::SUCCESS
}
