//! Prism (pinned in tests/contracts/package.json) serving one of `../shared/specs` on
//! 127.0.0.1, started and stopped by the test itself.

#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn repo() -> PathBuf {
    manifest_dir().join("../..").canonicalize().unwrap()
}

pub fn spec(name: &str) -> PathBuf {
    let p = std::env::var_os("PAYDESK_SPECS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("tests/contracts/specs"))
        .join(name);
    assert!(p.exists(), "contract {} is missing", p.display());
    p
}

pub struct Prism {
    child: Child,
    pub url: String,
    log: PathBuf,
}

impl Prism {
    /// `dynamic`: answers generated from the schemas (every enum value and optional
    /// shape over many calls) instead of the files' examples.
    pub fn start(spec_file: &str, dynamic: bool) -> Prism {
        let mut args = vec!["mock".to_string()];
        if dynamic {
            args.push("-d".into());
        }
        Self::launch(spec_file, args, None)
    }

    /// Prism in front of a stateful stand-in: every request and every answer is checked
    /// against the contract, and a violation is an error response (`--errors`).
    pub fn proxy(spec_file: &str, upstream: &str) -> Prism {
        Self::launch(
            spec_file,
            vec!["proxy".into(), "--errors".into()],
            Some(upstream),
        )
    }

    fn launch(spec_file: &str, args: Vec<String>, upstream: Option<&str>) -> Prism {
        let bin = std::env::var_os("PRISM_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|| repo().join("tests/contracts/node_modules/.bin/prism"));
        assert!(
            bin.exists(),
            "Prism is missing at {}: run `npm ci` in tests/contracts (./x test does)",
            bin.display()
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = std::env::temp_dir().join(format!("prism-{}-{port}.log", std::process::id()));
        let mut cmd = Command::new(bin);
        cmd.args(&args)
            .args(["-h", "127.0.0.1", "-p", &port.to_string()])
            .arg(spec(spec_file));
        if let Some(u) = upstream {
            cmd.arg(u);
        }
        cmd.stdout(Stdio::from(std::fs::File::create(&log).unwrap()))
            .stderr(Stdio::null());
        let child = cmd.spawn().expect("Prism starts");
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "Prism did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(150));
        }
        Prism {
            child,
            url: format!("http://127.0.0.1:{port}"),
            log,
        }
    }

    /// Requests Prism found to break the contract (its validator's errors about our
    /// requests; its own generated answers are not ours to judge), at most 5.
    pub fn violations(&self) -> Vec<String> {
        self.log_lines("Violation: request")
    }

    /// Answers (of a proxied stand-in) that broke the contract, at most 5.
    pub fn answer_violations(&self) -> Vec<String> {
        self.log_lines("Violation: response")
    }

    fn log_lines(&self, needle: &str) -> Vec<String> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        text.lines()
            .filter(|l| l.contains(needle))
            .take(5)
            .map(str::to_string)
            .collect()
    }

    /// How many requests Prism answered (to prove the test did reach it).
    pub fn requests(&self) -> usize {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        text.lines()
            .filter(|l| {
                l.contains("[HTTP SERVER]") && l.contains("info") && l.contains("Request received")
            })
            .count()
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::env::var_os("PRISM_KEEP_LOG").is_none() {
            let _ = std::fs::remove_file(&self.log);
        } else {
            eprintln!("Prism log kept: {}", self.log.display());
        }
    }
}

/// This package's folder, as cargo tells the running test (a test binary built in another
/// clone that shares the target directory keeps that clone's compile-time path).
fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}
