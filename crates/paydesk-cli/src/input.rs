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

/// Whether a file can be written at `path` (its folder exists, it is not a folder),
/// checked before anything is done that the file belongs to.
pub(crate) fn check_writable(field: &str, path: &std::path::Path) -> Result<(), EngineError> {
    if path.is_dir() {
        return Err(EngineError::input(
            field,
            format!("{} is a folder, not a file", path.display()),
        ));
    }
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    if !folder.is_dir() {
        return Err(EngineError::input(
            field,
            format!("the folder {} does not exist", folder.display()),
        ));
    }
    if std::fs::metadata(folder).is_ok_and(|m| m.permissions().readonly()) {
        return Err(EngineError::input(
            field,
            format!("the folder {} cannot be written to", folder.display()),
        ));
    }
    Ok(())
}

pub(crate) fn write_pdf(path: &std::path::Path, bytes: &[u8]) -> Result<(), EngineError> {
    std::fs::write(path, bytes)
        .map_err(|e| EngineError::input("out", format!("cannot write {}: {e}", path.display())))
}
