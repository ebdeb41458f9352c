//! `paydesk settings …`: the store's profile and logo.

use clap::Subcommand;
use paydesk::{Engine, EngineError};

use crate::output::*;

#[derive(Subcommand)]
pub(crate) enum SettingsCmd {
    /// store_name (on messages and slips) or time_zone (+09:00).
    Set { key: String, value: String },
    /// The store's logo on slips, invoice PDFs and e-mails: a PNG or JPEG file (at most
    /// 1 MB, 2,000 pixels a side), or --remove.
    Logo {
        #[arg(required_unless_present = "remove")]
        file: Option<std::path::PathBuf>,
        #[arg(long, conflicts_with = "file")]
        remove: bool,
    },
}

pub(crate) async fn settings(
    engine: &Engine,
    cmd: Option<SettingsCmd>,
    json: bool,
) -> Result<(), EngineError> {
    match cmd {
        Some(SettingsCmd::Set { key, value }) => engine.set_setting(&key, &value).await?,
        Some(SettingsCmd::Logo { remove: true, .. }) => engine.remove_logo()?,
        Some(SettingsCmd::Logo {
            file: Some(file), ..
        }) => {
            // At most one byte more than the largest logo is read: a huge file (or a pipe
            // that never ends) is refused by its size, not read into memory.
            let cannot = |e: std::io::Error| {
                EngineError::input("logo", format!("{} cannot be read ({e})", file.display()))
            };
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(
                &mut std::io::Read::take(
                    std::fs::File::open(&file).map_err(cannot)?,
                    paydesk::LOGO_MAX_BYTES as u64 + 1,
                ),
                &mut bytes,
            )
            .map_err(cannot)?;
            engine.set_logo(&bytes)?;
        }
        _ => {}
    }
    let all = engine.settings().await?;
    if json {
        print_json(&all);
    } else {
        for (k, v) in &all {
            say!("{k}: {v}");
        }
    }
    Ok(())
}
