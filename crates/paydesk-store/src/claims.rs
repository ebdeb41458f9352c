//! Claims: "this process is doing that now" for every process that shares the store,
//! let go when the claim is released or dropped, and also when its process ends however
//! it ends (kill -9 too). For a SQLite file, an OS lock on `claims/{key}.lock` beside the
//! database; for a shared PostgreSQL store, a session lock on a kept connection of the
//! store's claims pool (the server sees the connection close).

use std::fs::{File, OpenOptions, TryLockError};
use std::path::PathBuf;

use crate::{Backend, Result, Store, StoreError};

/// A claim this process holds; released when dropped.
pub enum Claim {
    File {
        _file: File,
        path: PathBuf,
    },
    Session {
        conn: Option<sqlx::pool::PoolConnection<sqlx::Any>>,
        key: (i32, i32),
    },
}

impl std::fmt::Debug for Claim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Claim::File { path, .. } => write!(f, "Claim({})", path.display()),
            Claim::Session { key, .. } => write!(f, "Claim({key:?})"),
        }
    }
}

impl Claim {
    /// What it was for is done for good (the draft was created, say): nobody claims it
    /// again, so a file claim's file goes too (a late opener of the old file finds the
    /// work done and does nothing).
    pub fn release(self) {
        if let Claim::File { path, .. } = &self {
            let _ = std::fs::remove_file(path);
        }
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        let Claim::Session { conn, key } = self else {
            return;
        };
        let Some(mut conn) = conn.take() else {
            return;
        };
        let (class, object) = *key;
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    let unlocked = sqlx::query("SELECT pg_advisory_unlock($1, $2)")
                        .bind(class)
                        .bind(object)
                        .execute(&mut *conn)
                        .await
                        .is_ok();
                    if !unlocked {
                        conn.close_on_drop();
                    }
                });
            }
            // No runtime to unlock on: closing the connection lets go of it.
            Err(_) => conn.close_on_drop(),
        }
    }
}

/// PayDesk's namespace of claim keys (two-int advisory locks), apart from the write lock.
const PG_CLAIMS: i32 = 0x5044;

/// A claim's two-int key (FNV-1a of the name: two names that share a hash only wait for
/// each other).
fn session_key(key: &str) -> (i32, i32) {
    let hash = key.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    (PG_CLAIMS, i32::from_ne_bytes(hash.to_ne_bytes()))
}

impl Store {
    /// Takes the claim on `key` for every process of this store, or `None` while
    /// another holds it.
    pub async fn try_claim(&self, key: &str) -> Result<Option<Claim>> {
        let Some(claims) = &self.claims else {
            return self.try_claim_file(key);
        };
        let key = session_key(key);
        let mut conn = claims.acquire().await?;
        let taken: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1, $2)")
            .bind(key.0)
            .bind(key.1)
            .fetch_one(&mut *conn)
            .await?;
        Ok(taken.then_some(Claim::Session {
            conn: Some(conn),
            key,
        }))
    }

    fn try_claim_file(&self, key: &str) -> Result<Option<Claim>> {
        let io = |e: std::io::Error| StoreError::Open {
            path: self.path.clone(),
            source: sqlx::Error::Io(e),
        };
        let dir = self.path.with_file_name("claims");
        std::fs::create_dir_all(&dir).map_err(io)?;
        let name: String = key
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = dir.join(format!("{name}.lock"));
        let file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Claim::File { _file: file, path })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(io(e)),
        }
    }

    /// Whether any process holds the claim on `key` (a shared store; on a file, whose
    /// processes are all on this computer, `false`).
    pub async fn claim_held(&self, key: &str) -> Result<bool> {
        if self.backend != Backend::Postgres {
            return Ok(false);
        }
        let (class, object) = session_key(key);
        let held: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
               AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
               AND classid = $1 AND objid = $2 AND objsubid = 2",
        )
        .bind(class)
        .bind(object)
        .fetch_one(&self.pool)
        .await?;
        Ok(held > 0)
    }
}
