//! Running the `paydesk` command in tests: one data directory per test, optional stdin
//! and environment, JSON out.

#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

pub mod smtp;

pub const BIN: &str = env!("CARGO_BIN_EXE_paydesk");

/// `paydesk --data-dir DIR ARGS…` with `stdin` fed in and `env` set.
pub fn run_env(dir: &Path, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.arg("--data-dir").arg(dir).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("paydesk starts");
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

pub fn run(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    run_env(dir, args, stdin, &[])
}

/// The JSON document a successful run printed.
pub fn json(o: &Output) -> Value {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).expect("one JSON document on stdout")
}

/// `paydesk --json ARGS…`, which must succeed.
pub fn ok(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let o = run(dir, &all, None);
    assert!(
        o.status.success(),
        "paydesk {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("one JSON document on stdout")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A provider stand-in, serving on a runtime of its own thread for the test's lifetime.
pub fn standin<F, Fut>(make: F) -> (String, paydesk_standins::Standin)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = (String, paydesk_standins::Standin)>,
{
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async move {
            tx.send(make().await).unwrap();
            std::future::pending::<()>().await;
        });
    });
    rx.recv().unwrap()
}
