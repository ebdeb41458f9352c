//! Forward-only migrations, with a copy of the database kept until they all succeed.

use std::path::{Path, PathBuf};

use crate::{Result, StoreError, MIGRATOR};
use sqlx::AnyPool;

/// Migrates the database forward. When a database made by an earlier version is about
/// to change, a consistent copy of it is written first (`paydesk.sqlite.before-vN`, by
/// `VACUUM INTO`) and kept until every migration has succeeded; if one fails, the copy
/// stays and the error says where it is.
pub(crate) async fn migrate_with_backup(pool: &AnyPool, path: &Path) -> Result<()> {
    let latest = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
    let has_table: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_one(pool)
    .await?;
    let current: i64 = if has_table > 0 {
        sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success")
            .fetch_one(pool)
            .await?
    } else {
        0
    };
    if current == 0 || current >= latest {
        MIGRATOR.run(pool).await?;
        return Ok(());
    }
    let backup = backup_path(path, latest);
    let _ = std::fs::remove_file(&backup);
    sqlx::query("VACUUM INTO $1")
        .bind(backup.to_string_lossy().to_string())
        .execute(pool)
        .await?;
    tracing::info!(from = current, to = latest, backup = %backup.display(), "migrating the database");
    match MIGRATOR.run(pool).await {
        Ok(()) => {
            let _ = std::fs::remove_file(&backup);
            Ok(())
        }
        Err(e) => Err(StoreError::MigrationFailed {
            from: current,
            backup,
            source: e,
        }),
    }
}

/// Where the copy of a database is kept while it is migrated to `version`.
pub fn backup_path(db: &Path, version: i64) -> PathBuf {
    let mut name = db.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(format!(".before-v{version}"));
    db.with_file_name(name)
}
