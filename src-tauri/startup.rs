//! A launch's first steps: logs, the start-up timings (for the log and the start-up
//! benchmark), whether this program was started as the `paydesk` command, and WebKit's
//! drawing mode on machines without a GPU.

/// Milliseconds from the start of `main` to each step of a launch (for the log and
/// the start-up benchmark).
pub(crate) struct Startup {
    pub(crate) start: std::sync::OnceLock<std::time::Instant>,
    pub(crate) engine_opened: std::sync::OnceLock<u128>,
    pub(crate) set_up: std::sync::OnceLock<u128>,
}

impl Startup {
    pub(crate) fn since_start(&self) -> u128 {
        self.start
            .get()
            .map(|s| s.elapsed().as_millis())
            .unwrap_or_default()
    }
}

pub(crate) static STARTUP: Startup = Startup {
    start: std::sync::OnceLock::new(),
    engine_opened: std::sync::OnceLock::new(),
    set_up: std::sync::OnceLock::new(),
};

pub(crate) fn append_startup_mark(path: &std::path::Path, phases: &str) -> std::io::Result<()> {
    use std::io::Write;
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    writeln!(f, "{ms} {phases}")
}

/// Wakes the background sync after the first paint of the list.
pub(crate) struct FirstPaint(pub(crate) std::sync::Arc<tokio::sync::Notify>);

pub(crate) fn init_logs(
    data_dir: &std::path::Path,
) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    use tracing_subscriber::prelude::*;
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    // One file a day, the last 14 kept (the folder made first, or pruning complains).
    let _ = std::fs::create_dir_all(data_dir.join("logs"));
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("paydesk")
        .filename_suffix("log")
        .max_log_files(14)
        .build(data_dir.join("logs"))
        .ok()?;
    let (file, guard) = tracing_appender::non_blocking(appender);
    tracing_subscriber::registry()
        .with(filter)
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(file),
        )
        .try_init()
        .ok()?;
    Some(guard)
}

/// Started as `paydesk` (a link or the installers' `/usr/bin/paydesk` script, which sets
/// `PAYDESK_AS_COMMAND`), this binary is the command: one program for both keeps the
/// Linux installers small.
pub(crate) fn started_as_command() -> bool {
    std::env::var_os("PAYDESK_AS_COMMAND").is_some()
        || std::env::args_os()
            .next()
            .map(std::path::PathBuf::from)
            .and_then(|p| p.file_stem().map(|s| s == "paydesk"))
            .unwrap_or(false)
}

/// On Linux without a GPU (no `/dev/dri`: a VM, a remote desktop, Xvfb) WebKit
/// composites every frame with a software GL renderer, ~180 ms a frame for a full window
/// on the benchmark machine, against 16 ms when it draws without compositing
/// (docs/benchmarks.md). There PayDesk asks WebKit not to composite; a value the merchant
/// set in the environment always wins.
#[cfg(target_os = "linux")]
pub(crate) fn without_gpu_draw_without_compositing() {
    const VAR: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
    if std::env::var_os(VAR).is_none() && !std::path::Path::new("/dev/dri").exists() {
        // Before any thread starts (the log writer, tokio, GTK).
        std::env::set_var(VAR, "1");
    }
}
