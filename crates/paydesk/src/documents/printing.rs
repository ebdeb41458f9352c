//! Printing a saved PDF as the store chose (`print_to`): opened in the system's PDF
//! viewer, whose print dialog is one click away, or sent straight to a printer through
//! the print system (CUPS's `lp`, on Linux and macOS; `printer` names one, the system's
//! default otherwise).

use std::{path::Path, process::Command, str::FromStr};

use serde::Serialize;

use crate::{error::Result, Engine, EngineError};

/// Where "Print" sends a PDF (`print_to`).
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    strum::EnumString,
    strum::Display,
    strum::IntoStaticStr,
    Serialize,
    ts_rs::TS,
)]
#[strum(serialize_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum PrintTo {
    /// The system's PDF viewer opens it (its print dialog is one click away).
    #[default]
    Viewer,
    /// The print system prints it at once, without a dialog.
    Printer,
}

/// What became of a print.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct PrintOutcome {
    /// The saved PDF (kept whatever happened to the print).
    pub path: String,
    /// The printer it went to; none when it is for the viewer.
    pub printer: Option<String>,
    /// The print system's job (CUPS: `counter-12`).
    pub job: Option<String>,
}

/// A printer the print system knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct PrinterView {
    /// Its name in the print system.
    pub name: String,
    /// Whether it is the system's default printer.
    pub default: bool,
}

/// Why a print did not reach a printer (the error's `code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum PrintFailure {
    /// No print system here (no CUPS `lp`; Windows).
    NoPrintSystem,
    /// No printer named and no default printer.
    NoDefaultPrinter,
    /// The named printer does not exist.
    UnknownPrinter,
    /// The print system refused for another reason (its words in the message).
    Refused,
}

impl Engine {
    /// Where "Print" sends a PDF (`print_to`; the viewer unless set).
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn print_to(&self) -> Result<PrintTo> {
        Ok(self
            .inner
            .store
            .setting("print_to")
            .await?
            .and_then(|v| PrintTo::from_str(&v).ok())
            .unwrap_or_default())
    }

    /// Prints a saved PDF as the store chose: for the viewer (the shell opens it), or
    /// sent to the chosen printer, the system's default otherwise. The file is kept
    /// either way; a printer's refusal is an error naming the printer.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn print_saved(&self, path: &Path, title: &str) -> Result<PrintOutcome> {
        let shown = path.display().to_string();
        if self.print_to().await? == PrintTo::Viewer {
            return Ok(PrintOutcome {
                path: shown,
                printer: None,
                job: None,
            });
        }
        let printer = self
            .inner
            .store
            .setting("printer")
            .await?
            .filter(|p| !p.is_empty());
        let (path, title) = (path.to_path_buf(), title.to_string());
        let (printer, job) =
            tokio::task::spawn_blocking(move || lp(&path, printer.as_deref(), &title))
                .await
                .map_err(|e| EngineError::Internal(format!("the print task stopped: {e}")))??;
        tracing::info!(printer = %printer, job = %job, "sent to the printer");
        Ok(PrintOutcome {
            path: shown,
            printer: Some(printer),
            job: Some(job),
        })
    }

    /// The printers the print system knows (none without one), the default marked.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn printers(&self) -> Result<Vec<PrinterView>> {
        tokio::task::spawn_blocking(printers)
            .await
            .map_err(|e| EngineError::Internal(format!("the print task stopped: {e}")))
    }
}

fn printer_error(printer: Option<&str>, failure: PrintFailure, message: String) -> EngineError {
    EngineError::Printer {
        printer: printer.map(str::to_string),
        code: failure,
        message,
    }
}

/// CUPS's commands, their words in English whatever the system's language.
fn cups(program: &str) -> Command {
    let mut c = Command::new(program);
    c.env("LC_ALL", "C").env("LANG", "C");
    c
}

/// Sends `path` to `printer` (the default when none) with `lp`; the printer and job.
fn lp(path: &Path, printer: Option<&str>, title: &str) -> Result<(String, String)> {
    if cfg!(windows) {
        return Err(printer_error(
            printer,
            PrintFailure::NoPrintSystem,
            "printing without the viewer needs CUPS (Linux, macOS); on Windows choose the PDF viewer"
                .into(),
        ));
    }
    let mut c = cups("lp");
    c.arg("-t").arg(title);
    if let Some(p) = printer {
        c.arg("-d").arg(p);
    }
    let out = c.arg("--").arg(path).output().map_err(|e| {
        printer_error(
            printer,
            PrintFailure::NoPrintSystem,
            format!("no print system (CUPS's lp) on this computer: {e}"),
        )
    })?;
    let said = String::from_utf8_lossy(&out.stderr).trim().to_string();
    if !out.status.success() {
        let failure = if said.contains("No default destination") {
            PrintFailure::NoDefaultPrinter
        } else if said.contains("does not exist") {
            PrintFailure::UnknownPrinter
        } else {
            PrintFailure::Refused
        };
        let said = if said.is_empty() {
            format!("lp ended with {}", out.status)
        } else {
            said
        };
        return Err(printer_error(printer, failure, said));
    }
    // "request id is counter-12 (1 file(s))"
    let stdout = String::from_utf8_lossy(&out.stdout);
    let job = stdout
        .split_whitespace()
        .skip_while(|w| *w != "is")
        .nth(1)
        .unwrap_or_default()
        .to_string();
    let printer = match printer {
        Some(p) => p.to_string(),
        None => job
            .rsplit_once('-')
            .map(|(p, _)| p.to_string())
            .unwrap_or_default(),
    };
    Ok((printer, job))
}

/// `lpstat -e` (every destination) and `lpstat -d` (the default); none without CUPS.
fn printers() -> Vec<PrinterView> {
    if cfg!(windows) {
        return vec![];
    }
    let read = |arg: &str| {
        cups("lpstat")
            .arg(arg)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
            .unwrap_or_default()
    };
    // "system default destination: counter"
    let default = read("-d")
        .split_once(": ")
        .map(|(_, d)| d.trim().to_string());
    read("-e")
        .lines()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|name| PrinterView {
            default: default.as_deref() == Some(name),
            name: name.to_string(),
        })
        .collect()
}
