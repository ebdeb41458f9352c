//! What runs behind the window: the sandbox's payment pages, an event to the window for
//! every invoice change and every sync pass (with a desktop notification of payments),
//! and the background sync, started once the list is on screen.

use paydesk::Engine;
use tauri::{Emitter, Manager};
use tauri_plugin_notification::NotificationExt;

use crate::startup::STARTUP;

/// Starts the background work of the app's window.
pub(crate) fn start(
    app: &tauri::App,
    first_paint: std::sync::Arc<tokio::sync::Notify>,
    sync_every: Option<std::time::Duration>,
) {
    let _ = STARTUP.set_up.set(STARTUP.since_start());
    let handle = app.handle().clone();
    let engine = app.state::<Engine>().inner().clone();
    tauri::async_runtime::spawn(serve_sandbox(engine.clone()));
    let mut changes = engine.subscribe();
    let follower = engine.clone();
    tauri::async_runtime::spawn(async move {
        // A shared store: the other counters' changes reach this window live.
        if let Err(e) = follower.follow_other_counters().await {
            tracing::warn!(error = %e, "the other counters' changes cannot be followed");
        }
    });
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
        let _ =
            tokio::time::timeout(std::time::Duration::from_secs(10), first_paint.notified()).await;
        engine.run_sync(sync_every, std::future::pending()).await
    });
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
