//! What the command reads besides its arguments: secrets from stdin, files it writes.

use std::io::{BufRead, IsTerminal};

use paydesk::{EngineError, Secret};

/// Reads `KEY=VALUE` lines; a malformed line is reported by number, never echoed.
pub(crate) fn read_secrets() -> Result<Vec<(String, Secret)>, EngineError> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!("Type KEY=VALUE lines (e.g. secret_key=…), then Ctrl-D:");
    }
    let mut out = Vec::new();
    for (n, line) in stdin.lock().lines().enumerate() {
        let line =
            line.map_err(|e| EngineError::input("secret", format!("cannot read stdin: {e}")))?;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            return Err(EngineError::input(
                "secret",
                format!("line {} is not KEY=VALUE", n + 1),
            ));
        };
        out.push((k.trim().to_string(), Secret::from(v.trim().to_string())));
    }
    Ok(out)
}

pub(crate) fn write_pdf(path: &std::path::Path, bytes: &[u8]) -> Result<(), EngineError> {
    std::fs::write(path, bytes)
        .map_err(|e| EngineError::input("out", format!("cannot write {}: {e}", path.display())))
}
