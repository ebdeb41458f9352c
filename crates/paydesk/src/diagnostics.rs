//! The report for support ("copy diagnostics"): never a secret, never an address or a
//! phone number (errors and log lines quote them; they are masked).

use crate::{error::Result, Engine};
use paydesk_core::{redact::mask_contacts, DeliveryState};

impl Engine {
    /// A plain-text report for support ("copy diagnostics"): versions, the data folder,
    /// the schema, accounts and channels with whether each secret is set (never a
    /// secret), settings, recent provider errors and failed messages (recipients left
    /// out), and the last warnings of today's log.
    #[tracing::instrument(level = "debug", skip(self), err(level = "info"))]
    pub async fn diagnostics(&self, app_version: &str) -> Result<String> {
        use std::fmt::Write;
        let mut out = String::new();
        let store = &self.inner.store;
        let _ = writeln!(
            out,
            "PayDesk {app_version} (engine {})",
            env!("CARGO_PKG_VERSION")
        );
        let _ = writeln!(
            out,
            "OS: {} {}",
            std::env::consts::OS,
            std::env::consts::ARCH
        );
        let _ = writeln!(out, "Data folder: {}", self.inner.data_dir.display());
        let _ = writeln!(out, "Database schema: v{}", store.schema_version().await?);
        let counts = store.count_by_status().await?;
        let _ = writeln!(
            out,
            "Invoices: {}",
            counts
                .iter()
                .map(|(s, n)| format!("{} {n}", s.as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let _ = writeln!(out, "\nAccounts:");
        for a in self.accounts().await? {
            let _ = writeln!(
                out,
                "  {} ({}) {}",
                a.name,
                a.provider,
                a.secrets
                    .iter()
                    .map(|(k, v)| format!("{k}: {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        let _ = writeln!(out, "Channels:");
        for c in self.channels().await? {
            let _ = writeln!(
                out,
                "  {} ({}) {}",
                c.name,
                c.kind,
                c.secrets
                    .iter()
                    .map(|(k, v)| format!("{k}: {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        let _ = writeln!(out, "Settings:");
        for (k, v) in self.settings().await? {
            if !k.starts_with("template.") {
                let _ = writeln!(out, "  {k}: {v}");
            }
        }
        let _ = writeln!(out, "\nRecent problems:");
        for inv in store.needing_attention(20).await? {
            let _ = writeln!(
                out,
                "  {} {} {}: {}",
                paydesk_core::format_instant(inv.updated_at),
                inv.id,
                inv.status.as_str(),
                mask_contacts(inv.last_error.as_deref().unwrap_or("(flagged)"))
            );
        }
        for d in store.deliveries(None).await?.iter().rev().take(200) {
            if matches!(d.state, DeliveryState::Failed | DeliveryState::Unknown) {
                let _ = writeln!(
                    out,
                    "  {} {} {} via {} {}: {}",
                    paydesk_core::format_instant(d.updated_at),
                    d.id,
                    d.channel,
                    d.via,
                    d.state.as_str(),
                    mask_contacts(d.error.as_deref().unwrap_or(""))
                );
            }
        }
        let _ = writeln!(out, "\nLast warnings in the log:");
        let logs = self.inner.data_dir.join("logs");
        let newest = std::fs::read_dir(&logs).ok().and_then(|dir| {
            dir.filter_map(|e| e.ok())
                .max_by_key(|e| e.metadata().and_then(|m| m.modified()).ok())
                .map(|e| e.path())
        });
        if let Some(text) = newest.and_then(|p| std::fs::read_to_string(p).ok()) {
            let lines: Vec<&str> = text
                .lines()
                .filter(|l| l.contains("WARN") || l.contains("ERROR"))
                .collect();
            for l in lines.iter().skip(lines.len().saturating_sub(30)) {
                let _ = writeln!(out, "  {}", mask_contacts(l));
            }
        }
        Ok(out)
    }
}
