//! PayDesk's store: one SQLite file in WAL mode in the data directory, or a shared
//! PostgreSQL database for a shop with several counters; forward-only migrations for
//! each embedded in the binary, repositories for accounts, customers, invoices and
//! deliveries, and an append-only audit log.
//!
//! Both backends run the same SQL through sqlx's `Any` driver (`$N` parameters, which
//! SQLite reads too); what differs (pragmas, full-text search, write locks, dates)
//! stays behind [`Backend`] inside this crate, so callers never see which one it is.
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

mod accounts;
mod audit;
mod channels;
mod claims;
mod copy;
mod customers;
mod deliveries;
mod invoices;
mod migrate;
mod rows;
mod search;
mod settings;
mod stats;

pub use accounts::AccountRecord;
pub use channels::ChannelRecord;
pub use claims::Claim;
pub use copy::MoveReport;
pub use deliveries::DeliverySettled;
pub use invoices::{Applied, InvoiceUpdate};
pub use migrate::backup_path;
pub use search::InvoiceFilter;

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use crate::migrate::migrate_with_backup;
use paydesk_core::StatusError;
use sqlx::{any::AnyPoolOptions, AnyPool};

/// The database file's name inside the data directory.
pub const DB_FILE: &str = "paydesk.sqlite";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");
static PG_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations-postgres");

/// Which database holds the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A file in the data folder (one computer).
    Sqlite,
    /// A shared PostgreSQL database (several counters).
    Postgres,
}

/// The one lock every writing transaction on PostgreSQL takes (as SQLite's
/// `BEGIN IMMEDIATE` does for a file): read-then-write steps of two terminals never
/// interleave, so a status change is applied and audited once.
const PG_WRITE_LOCK: i64 = 0x0050_4159_4445_534b; // "PAYDESK"

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database at {path}: {source}")]
    Open { path: PathBuf, source: sqlx::Error },
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot migrate the database from version {from}: {source}; the database as it was is kept at {}", backup.display())]
    MigrationFailed {
        from: i64,
        backup: PathBuf,
        source: sqlx::migrate::MigrateError,
    },
    #[error("database error: {0}")]
    Db(sqlx::Error),
    /// The database did not answer (a shared store's server down or out of reach, a
    /// connection lost): nothing was recorded, and nothing that needs a record was done.
    #[error("the store's database cannot be reached ({0}); nothing was recorded — PayDesk connects again by itself, try again once it answers")]
    Unreachable(sqlx::Error),
    #[error("{what} {key:?} already exists")]
    Exists { what: &'static str, key: String },
    #[error("no {what} {key:?}")]
    NotFound { what: &'static str, key: String },
    #[error(transparent)]
    Transition(#[from] StatusError),
    #[error("the database holds a value PayDesk cannot read ({0}); was it edited by hand?")]
    Corrupt(String),
    /// An answer about another provider invoice than the one this invoice follows: the
    /// first stays, nothing is written.
    #[error("{provider} answered with invoice {other:?} for an order PayDesk follows as {kept:?}; {kept:?} is kept — check {provider}'s console for a second link")]
    OtherProviderId {
        provider: paydesk_core::ProviderKind,
        kept: String,
        other: String,
    },
}

pub type Result<T> = std::result::Result<T, StoreError>;

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => StoreError::Unreachable(e),
            // The server going away under a connection (shut down, restarted, the
            // connection ended by an administrator): 57P01–57P03 admin shutdown,
            // crash shutdown, cannot connect now; 08xxx connection exceptions.
            sqlx::Error::Database(ref d)
                if d.code()
                    .is_some_and(|c| c.starts_with("57P") || c.starts_with("08")) =>
            {
                StoreError::Unreachable(e)
            }
            e => StoreError::Db(e),
        }
    }
}

/// How far back sync looks ([`Store::invoices_to_sync`]).
#[derive(Debug, Clone, Copy)]
pub struct SyncWindow {
    /// How long after their deadline expired and failed invoices are still asked about.
    pub late_grace: chrono::Duration,
    /// How often a paid or partly refunded invoice is asked about again.
    pub settled_every: chrono::Duration,
    /// For how long after its last change a paid invoice is still asked about.
    pub refund_window: chrono::Duration,
}

/// A provider account's non-secret settings.

#[derive(Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    pub(crate) backend: Backend,
    /// The SQLite file, or for PostgreSQL the server and database (no password).
    pub(crate) path: PathBuf,
    /// For PostgreSQL, the address it was opened with (password included): for the
    /// change listener's own connection. Never shown.
    pub(crate) listen_url: Option<std::sync::Arc<str>>,
    /// For PostgreSQL, the connections claims hold their session locks on (apart from
    /// the pool the queries use, so a long create never starves them).
    pub(crate) claims: Option<AnyPool>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .field("path", &self.path)
            .finish()
    }
}

/// `$1, $2, …, $n`: the parameters of an `IN (…)` list.
pub(crate) fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A file path as an `sqlite:` URL (everything but unreserved characters and `/`
/// percent-encoded, so spaces, `?`, `#` and Windows drive letters survive).
fn sqlite_url(path: &Path) -> String {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~')
        .remove(b'/');
    let path = path.to_string_lossy();
    format!(
        "sqlite:{}?mode=rwc",
        percent_encoding::utf8_percent_encode(&path, KEEP)
    )
}

/// The server and database of a PostgreSQL URL, without user or password (for
/// messages and logs).
pub fn postgres_display(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => format!(
            "postgres://{}{}{}",
            u.host_str().unwrap_or("localhost"),
            u.port().map(|p| format!(":{p}")).unwrap_or_default(),
            u.path()
        ),
        Err(_) => "postgres://(unreadable address)".into(),
    }
}

impl Store {
    /// Opens (creating when missing) the database in `data_dir` and migrates it forward.
    pub async fn open(data_dir: &Path) -> Result<Store> {
        let io = |e: std::io::Error| StoreError::Open {
            path: data_dir.to_path_buf(),
            source: sqlx::Error::Io(e),
        };
        std::fs::create_dir_all(data_dir).map_err(io)?;
        owner_only(data_dir, 0o700).map_err(io)?;
        let db = data_dir.join(DB_FILE);
        let store = Self::open_file(&db).await?;
        owner_only(&db, 0o600).map_err(io)?;
        Ok(store)
    }

    pub async fn open_file(path: &Path) -> Result<Store> {
        // One opener at a time creates, sets up and migrates the file, across processes
        // (an OS lock on `paydesk.sqlite.lock`, let go when the opener is done or gone);
        // the others wait, then find it ready.
        let _only_me = open_lock(path).await?;
        sqlx::any::install_default_drivers();
        let pool = AnyPoolOptions::new()
            .max_connections(4)
            .after_connect(|conn, _| {
                Box::pin(async move {
                    sqlx::raw_sql(
                        "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL;
                         PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
                    )
                    .execute(conn)
                    .await?;
                    Ok(())
                })
            })
            .connect(&sqlite_url(path))
            .await
            .map_err(|source| StoreError::Open {
                path: path.to_path_buf(),
                source,
            })?;
        migrate_with_backup(&pool, path).await?;
        Ok(Store {
            pool,
            backend: Backend::Sqlite,
            path: path.to_path_buf(),
            listen_url: None,
            claims: None,
        })
    }

    /// Connects to a shared PostgreSQL store (`url` with its password, e.g.
    /// `postgres://paydesk:…@db.shop.lan/paydesk?sslmode=verify-full&sslrootcert=ca.pem`)
    /// and migrates it forward, each migration in its own transaction (sqlx holds an
    /// advisory lock meanwhile, so two terminals starting together migrate once).
    pub async fn connect_postgres(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let shown = PathBuf::from(postgres_display(url));
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await
            .map_err(|source| StoreError::Open {
                path: shown.clone(),
                source: redact(source, url),
            })?;
        PG_MIGRATOR.run(&pool).await?;
        let claims = AnyPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_lazy(url)
            .map_err(|source| StoreError::Open {
                path: shown.clone(),
                source: redact(source, url),
            })?;
        Ok(Store {
            pool,
            backend: Backend::Postgres,
            path: shown,
            listen_url: Some(url.into()),
            claims: Some(claims),
        })
    }

    /// Which database holds this store.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A transaction for read-then-write steps: one writer at a time (SQLite's
    /// `BEGIN IMMEDIATE`; on PostgreSQL the shop-wide write lock, held to commit).
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        match self.backend {
            Backend::Sqlite => Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?),
            Backend::Postgres => {
                let mut tx = self.pool.begin().await?;
                sqlx::query("SELECT COUNT(*) FROM (SELECT pg_advisory_xact_lock($1)) AS l")
                    .bind(PG_WRITE_LOCK)
                    .execute(&mut *tx)
                    .await?;
                Ok(tx)
            }
        }
    }

    /// `LIKE` that ignores case on both backends (SQLite's does for ASCII already).
    pub(crate) fn like(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "LIKE",
            Backend::Postgres => "ILIKE",
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version (the newest migration applied).
    pub async fn schema_version(&self) -> Result<i64> {
        let v: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(&self.pool)
                .await?;
        Ok(v.unwrap_or(0))
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A connection error never carries the password of the URL it was made with.
fn redact(e: sqlx::Error, url: &str) -> sqlx::Error {
    let password = url::Url::parse(url)
        .ok()
        .and_then(|u| u.password().map(str::to_string))
        .filter(|p| !p.is_empty());
    match password {
        Some(p) if e.to_string().contains(&p) => {
            sqlx::Error::Configuration(e.to_string().replace(&p, "***").into())
        }
        _ => e,
    }
}

/// Waits for the exclusive lock on opening the database at `db` (off the async threads).
async fn open_lock(db: &Path) -> Result<std::fs::File> {
    let mut name = db.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".lock");
    let lock = db.with_file_name(name);
    let err = |e: std::io::Error| StoreError::Open {
        path: lock.clone(),
        source: sqlx::Error::Io(e),
    };
    let path = lock.clone();
    tokio::task::spawn_blocking(move || {
        let f = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(false)
            .open(&path)?;
        f.lock()?;
        Ok(f)
    })
    .await
    .map_err(|e| err(std::io::Error::other(e)))?
    .map_err(err)
}

/// Keeps the data folder and its database to their owner: customers' names and phone
/// numbers are nobody else's business on a shared computer. On Unix, `mode` (0700 for
/// the folder, which also closes every file in it; 0600 for the database). On Windows
/// the folder is in the user's own profile, which other users cannot read.
fn owner_only(path: &Path, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let current = std::fs::metadata(path)?.permissions().mode() & 0o777;
        if current & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(current & mode))?;
        }
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

/// The ids of invoices other processes change in a shared store, as they commit.
pub struct ChangeListener {
    listener: sqlx::postgres::PgListener,
}

impl ChangeListener {
    /// The next changed invoice's id. After a lost connection the listener connects
    /// again by itself; what changed meanwhile is not replayed (`None` says so once:
    /// read the list again).
    pub async fn next(&mut self) -> Result<Option<String>> {
        Ok(self
            .listener
            .try_recv()
            .await?
            .map(|n| n.payload().to_string()))
    }
}

impl Store {
    /// Listens for other processes' changes (PostgreSQL; `None` for a SQLite file,
    /// whose other processes are on this computer and found by the next read).
    pub async fn listen_changes(&self) -> Result<Option<ChangeListener>> {
        let Some(url) = &self.listen_url else {
            return Ok(None);
        };
        let mut listener = sqlx::postgres::PgListener::connect(url)
            .await
            .map_err(|e| redact(e, url))?;
        listener.listen("paydesk_invoices").await?;
        Ok(Some(ChangeListener { listener }))
    }
}
