//! What the end-to-end tests share: ports, binaries, Xvfb, a WebDriver session with an
//! app, and waiting for the window (a timed-out wait prints what the window showed).

#![allow(dead_code)]

/// The test's own CUPS scheduler (shared with the engine's tests).
#[path = "../../../../crates/paydesk-standins/src/cups.rs"]
pub mod cups;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use thirtyfour::prelude::*;

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

pub fn binary(env: &str, name: &str) -> PathBuf {
    let p = std::env::var_os(env)
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("debug").join(name));
    assert!(
        p.exists(),
        "{} is missing: build it first (./x test does)",
        p.display()
    );
    p.canonicalize().unwrap()
}

pub fn wait_port(port: u16, what: &str) {
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{what} did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Kills its child with SIGTERM when dropped (tauri-driver must not be SIGKILLed, or
/// its WebKitWebDriver child is orphaned and keeps the output pipe open).
pub struct Guard(pub Child);
impl Drop for Guard {
    fn drop(&mut self) {
        unsafe { libc_kill(self.0.id() as i32, 15) };
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, sig: i32) -> i32;
}

pub fn start_xvfb_if_needed() -> Option<(Guard, String)> {
    if std::env::var_os("DISPLAY").is_some() {
        return None;
    }
    let display = format!(":{}", 90 + std::process::id() % 100);
    let child = Command::new("Xvfb")
        .args([
            display.as_str(),
            "-screen",
            "0",
            "1400x900x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb (package xvfb) is needed when DISPLAY is unset");
    std::thread::sleep(Duration::from_millis(800));
    Some((Guard(child), display))
}

pub async fn wait_for<F, Fut, T>(what: &str, timeout: Duration, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = f().await {
            return v;
        }
        if start.elapsed() >= timeout {
            panic!(
                "timed out after {timeout:?} waiting for {what}; the window showed:\n{}",
                window_text().await
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The driver, kept so that a timed-out wait can say what the window showed.
pub static DRIVER: std::sync::OnceLock<WebDriver> = std::sync::OnceLock::new();

pub async fn window_text() -> String {
    let Some(driver) = DRIVER.get() else {
        return "(no window)".into();
    };
    match driver
        .execute("return document.body.innerText;", Vec::new())
        .await
    {
        Ok(ret) => ret.json().as_str().map(str::to_owned).unwrap_or_default(),
        Err(e) => format!("(could not read the window: {e})"),
    }
}

pub async fn row_status(driver: &WebDriver, name: &str) -> Option<(String, String)> {
    let rows = driver.find_all(By::Css("tr.invoice-row")).await.ok()?;
    for r in rows {
        let text = r.text().await.ok()?;
        if text.contains(name) {
            let status = r.attr("data-status").await.ok()??;
            let id = r.attr("data-id").await.ok()??;
            return Some((id, status));
        }
    }
    None
}

/// Starts `tauri-driver` (with its `WebKitWebDriver`) and opens a WebDriver session
/// with `app`, which gets `env` and a home of its own under `home`.
pub async fn open_app(
    app: &Path,
    home: &Path,
    env: &[(&str, String)],
    display: Option<&str>,
) -> (Guard, WebDriver) {
    let driver_port = free_port();
    let native_port = free_port();
    let mut cmd = Command::new("tauri-driver");
    cmd.args([
        "--port",
        &driver_port.to_string(),
        "--native-port",
        &native_port.to_string(),
    ])
    .env("XDG_DATA_HOME", home.join("xdg-data"))
    .env("XDG_CONFIG_HOME", home.join("xdg-config"))
    .env("XDG_CACHE_HOME", home.join("xdg-cache"))
    .stdout(Stdio::null())
    .stderr(Stdio::inherit());
    for (k, v) in env {
        cmd.env(k, v);
    }
    if let Some(display) = display {
        cmd.env("DISPLAY", display);
    }
    let guard = Guard(
        cmd.spawn()
            .expect("tauri-driver is needed (cargo install tauri-driver --locked)"),
    );
    wait_port(driver_port, "tauri-driver");
    wait_port(native_port, "WebKitWebDriver");
    let mut caps = thirtyfour::Capabilities::new();
    caps.set("browserName", json!("wry")).unwrap();
    caps.set(
        "tauri:options",
        json!({ "application": app.display().to_string() }),
    )
    .unwrap();
    let driver = WebDriver::new(format!("http://127.0.0.1:{driver_port}"), caps)
        .await
        .expect("a WebDriver session with the app");
    let _ = DRIVER.set(driver.clone());
    (guard, driver)
}

/// `paydesk --json ARGS…` on `data_dir`, which must succeed; what it printed.
pub fn paydesk(cli: &Path, data_dir: &Path, args: &[&str]) -> serde_json::Value {
    let out = Command::new(cli)
        .env("PAYDESK_DATA_DIR", data_dir)
        .arg("--json")
        .args(args)
        .output()
        .expect("paydesk runs");
    assert!(
        out.status.success(),
        "paydesk {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null)
}

/// A new database `pd_e2e_{what}_{pid}` on the test PostgreSQL server `./x test` starts
/// (made with psql); its address, password included.
pub fn fresh_database(what: &str) -> String {
    let admin = std::env::var("PAYDESK_TEST_POSTGRES")
        .expect("PAYDESK_TEST_POSTGRES: run the tests with ./x test, which starts PostgreSQL");
    let name = format!("pd_e2e_{what}_{}", std::process::id());
    let made = Command::new("psql")
        .arg(&admin)
        .args(["-q", "-c", &format!("CREATE DATABASE {name}")])
        .status()
        .expect("psql (Debian's postgresql-client) runs");
    assert!(made.success(), "the test database is made");
    let (base, _) = admin.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}
