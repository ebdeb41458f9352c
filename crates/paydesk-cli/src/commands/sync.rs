//! `paydesk sync` and `paydesk sandbox …`.

use std::io::Write;

use clap::Subcommand;
use paydesk::{Engine, EngineError};
use serde_json::json;

use crate::output::*;

pub(crate) async fn sync(
    engine: &Engine,
    once: bool,
    interval: u64,
    json: bool,
) -> Result<(), EngineError> {
    if once {
        let report = engine.sync_once().await?;
        answer(json, &report);
        return Ok(());
    }
    let mut changes = engine.subscribe();
    let printer = tokio::spawn(async move {
        while let Ok(c) = changes.recv().await {
            if json {
                say!("{}", serde_json::to_string(&c).unwrap_or_default());
            } else {
                say!("{}  {}  {}  {}", c.updated_at, c.id, c.status, c.name);
            }
        }
    });
    if !json {
        eprintln!("Syncing every {interval}s; press Ctrl-C to stop.");
    }
    engine
        .run_sync(
            Some(std::time::Duration::from_secs(interval.max(1))),
            async {
                let _ = tokio::signal::ctrl_c().await;
            },
        )
        .await;
    printer.abort();
    Ok(())
}

#[derive(Subcommand)]
pub(crate) enum SandboxCmd {
    /// Serve the sandbox's payment pages on 127.0.0.1.
    Serve {
        #[arg(long)]
        port: Option<u16>,
    },
    /// What the page's Pay button does.
    Pay {
        id: String,
        #[arg(long)]
        amount: Option<String>,
        /// The money arrives after the deadline.
        #[arg(long)]
        late: bool,
    },
    /// What the page's Expire button does.
    Expire { id: String },
}

pub(crate) async fn sandbox(
    engine: &Engine,
    cmd: SandboxCmd,
    json: bool,
) -> Result<(), EngineError> {
    match cmd {
        SandboxCmd::Serve { port } => {
            let port = match port {
                Some(p) => p,
                None => engine.sandbox_port().await?,
            };
            let (addr, server) = engine.serve_sandbox(port).await.map_err(|e| {
                EngineError::input("port", format!("cannot listen on 127.0.0.1:{port}: {e}"))
            })?;
            if json {
                say!("{}", json!({ "serving": format!("http://{addr}") }));
            } else {
                say!("Sandbox payment pages on http://{addr} — press Ctrl-C to stop.");
            }
            let _ = std::io::stdout().flush();
            tokio::select! {
                r = server => r.map_err(|e| EngineError::Internal(e.to_string()))?,
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        SandboxCmd::Pay { id, amount, late } => {
            let p = engine.sandbox_pay(&id, amount.as_deref(), late).await?;
            if json {
                print_json(&p);
            } else {
                say!("Sandbox payment {} is now {} (received {} {}). Run `paydesk sync --once` to see it in PayDesk.", p.id, p.state, p.paid_amount, p.currency);
            }
        }
        SandboxCmd::Expire { id } => {
            let p = engine.sandbox_expire(&id).await?;
            if json {
                print_json(&p);
            } else {
                say!("Sandbox payment {} is now {}.", p.id, p.state);
            }
        }
    }
    Ok(())
}
