//! The yardstick for `bench/app.py`: a Tauri v2 window with one line of text, built with
//! PayDesk's release profile. Like PayDesk it appends the moment its page is on screen
//! to `PAYDESK_STARTUP_MARK` (Unix milliseconds) when that is set.
#![cfg_attr(not(test), deny(clippy::unwrap_used))]
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

#[tauri::command]
fn shown() {
    if let Some(path) = std::env::var_os("PAYDESK_STARTUP_MARK") {
        use std::io::Write;
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis();
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            let _ = writeln!(f, "{ms}");
        }
    }
}

fn main() {
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![shown])
        .run(tauri::generate_context!())
        .expect("the window could not start");
}
