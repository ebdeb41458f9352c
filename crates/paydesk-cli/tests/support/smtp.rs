//! A real SMTP server (tests/smtp/smtp_server.py on Debian's python3-aiosmtpd) on
//! 127.0.0.1, started and stopped by the test; every message it accepts is a file.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

pub struct SmtpServer {
    child: Child,
    pub port: u16,
    pub maildir: tempfile::TempDir,
}

impl SmtpServer {
    /// `mode`: starttls, tls or none; `extra`: fault flags (`--fail-first 2`, …).
    pub fn start(mode: &str, auth: Option<(&str, &str)>, extra: &[&str]) -> SmtpServer {
        let maildir = tempfile::tempdir().unwrap();
        let script = manifest_dir().join("../../tests/smtp/smtp_server.py");
        let mut cmd = Command::new("/usr/bin/python3");
        cmd.arg(script)
            .args(["--mode", mode, "--maildir"])
            .arg(maildir.path());
        if let Some((u, p)) = auth {
            cmd.args(["--user", u, "--password", p]);
        }
        cmd.args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = cmd
            .spawn()
            .expect("python3 with aiosmtpd (apt install python3-aiosmtpd)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("READY ")
            .unwrap_or_else(|| panic!("the SMTP server did not start: {line:?}"))
            .parse()
            .unwrap();
        SmtpServer {
            child,
            port,
            maildir,
        }
    }

    /// The certificate authority the server's certificate is signed by.
    pub fn ca(&self) -> String {
        self.maildir.path().join("ca.pem").display().to_string()
    }

    /// Every message received, oldest first.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.maildir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        names.sort();
        names.iter().map(|p| std::fs::read(p).unwrap()).collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// This package's folder, as cargo tells the running test (a test binary built in another
/// clone that shares the target directory keeps that clone's compile-time path).
fn manifest_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}
