//! Upgrading keeps every row: a database is made at every earlier schema version with
//! data in every table, opened by this version (which migrates it forward), and every
//! row of every earlier column is compared. A failing migration keeps a copy of the
//! database as it was.

use std::collections::BTreeMap;
use std::path::Path;

use paydesk_store::{backup_path, InvoiceFilter, Store, DB_FILE};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{Row, SqlitePool};

static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

async fn pool(path: &Path) -> SqlitePool {
    SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true),
        )
        .await
        .unwrap()
}

/// Rows written with the SQL every schema version accepts (version 1's columns).
async fn seed(p: &SqlitePool, version: i64) {
    let sql = r#"
        INSERT INTO accounts (name, provider, settings, created_at) VALUES
            ('sandbox', 'sandbox', '{"base_url":"http://127.0.0.1:8787"}', '2026-11-01T00:00:00.000Z'),
            ('shop', 'portone', '{"channel_key":"ck-1"}', '2026-11-01T00:00:01.000Z');
        INSERT INTO customers (id, name, phone, email, created_at) VALUES
            ('cus_1', '김민준', '+821012345678', 'kim@example.kr', '2026-11-02T00:00:00.000Z');
        INSERT INTO invoices (id, account, provider, provider_id, order_id, kind, name, currency, amount_minor,
            tax_free_minor, paid_minor, status, paid_late, underpaid, overpaid, payment_url, payment_number,
            expires_at, customer_id, created_at, updated_at, last_checked_at, last_error, search_text) VALUES
            ('inv_1', 'sandbox', 'sandbox', 'sbx_1', 'PD-1', 'link', '테스트 상품', 'KRW', 29900, 1000, 29900, 'paid',
             1, 0, 0, 'http://127.0.0.1:8787/pay/sbx_1', NULL, '2026-11-05T00:00:00.000Z', 'cus_1',
             '2026-11-02T00:00:00.000Z', '2026-11-03T00:00:00.000Z', '2026-11-03T00:00:00.000Z', NULL, '테스트 상품 김민준 PD-1'),
            ('inv_2', 'shop', 'portone', 'imp_2', 'PD-2', 'cvs', '편의점 상품', 'KRW', 5000, 0, 0, 'open',
             0, 0, 0, NULL, '12345678901234', '2026-12-01T00:00:00.000Z', NULL,
             '2026-11-02T00:00:01.000Z', '2026-11-02T00:00:01.000Z', NULL, 'portone is unreachable', '편의점 상품 PD-2'),
            ('inv_3', 'shop', 'portone', NULL, 'PD-3', 'cvs', '초안', 'KRW', 7000, 0, 0, 'draft',
             0, 0, 0, NULL, NULL, '2026-12-01T00:00:00.000Z', NULL,
             '2026-11-02T00:00:02.000Z', '2026-11-02T00:00:02.000Z', NULL, NULL, '초안 PD-3');
        INSERT INTO audit_log (invoice_id, at, event, from_status, to_status, source, detail) VALUES
            ('inv_1', '2026-11-02T00:00:00.000Z', 'created', NULL, 'draft', 'user', 'created by the clerk'),
            ('inv_1', '2026-11-03T00:00:00.000Z', 'status', 'open', 'paid', 'sync', 'sandbox: paid'),
            ('inv_2', '2026-11-02T00:00:01.000Z', 'created', NULL, 'open', 'user', NULL);
        INSERT INTO deliveries (id, invoice_id, channel, via, recipient, state, attempts, channel_message_id,
            error, created_at, updated_at) VALUES
            ('dlv_1', 'inv_1', 'mail', 'email', 'kim@example.kr', 'sent', 1, '<dlv_1@hana.kr>', NULL,
             '2026-11-02T00:00:00.000Z', '2026-11-02T00:00:01.000Z');
    "#;
    sqlx::raw_sql(sql).execute(p).await.unwrap();
    if version >= 2 {
        sqlx::query("UPDATE invoices SET create_attempted_at = '2026-11-02T00:00:02.500Z' WHERE id = 'inv_3'")
            .execute(p)
            .await
            .unwrap();
    }
}

/// Every row of `table`, each column as its SQL literal, for the columns it had.
async fn rows(p: &SqlitePool, table: &str, columns: &[String]) -> Vec<Vec<String>> {
    let select = columns
        .iter()
        .map(|c| format!("quote({c})"))
        .collect::<Vec<_>>()
        .join(", ");
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {select} FROM {table} ORDER BY rowid"
    )))
    .fetch_all(p)
    .await
    .unwrap()
    .iter()
    .map(|r| (0..columns.len()).map(|i| r.get::<String, _>(i)).collect())
    .collect()
}

async fn columns(p: &SqlitePool, table: &str) -> Vec<String> {
    sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA table_info({table})")))
        .fetch_all(p)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>("name"))
        .collect()
}

const TABLES: [&str; 5] = [
    "accounts",
    "customers",
    "invoices",
    "audit_log",
    "deliveries",
];

#[tokio::test]
async fn databases_of_every_earlier_version_migrate_with_every_row_kept() {
    let latest = MIGRATOR.iter().map(|m| m.version).max().unwrap();
    assert!(latest >= 4);
    for version in 1..latest {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        let old = pool(&path).await;
        MIGRATOR.run_to(version, &old).await.unwrap();
        seed(&old, version).await;
        let mut before = BTreeMap::new();
        for t in TABLES {
            let cols = columns(&old, t).await;
            before.insert(t, (rows(&old, t, &cols).await, cols));
        }
        old.close().await;

        let store = Store::open(dir.path()).await.unwrap();
        assert_eq!(
            store.schema_version().await.unwrap(),
            latest,
            "from version {version}"
        );
        assert!(
            !backup_path(&path, latest).exists(),
            "the copy is dropped once the migration succeeded"
        );
        store.close().await;
        let new = pool(&path).await;
        for (t, (rows_before, cols)) in &before {
            assert_eq!(
                &rows(&new, t, cols).await,
                rows_before,
                "table {t} from version {version}"
            );
        }
        new.close().await;
        // And this version reads them through its own code.
        let store = Store::open(dir.path()).await.unwrap();
        let inv = store.invoice("inv_1").await.unwrap();
        assert_eq!((inv.amount.minor(), inv.flags.paid_late), (29900, true));
        assert_eq!(store.timeline("inv_1").await.unwrap().len(), 2);
        // The list's kept counts start from the invoices already there.
        assert_eq!(
            store
                .count_invoices(&InvoiceFilter::default())
                .await
                .unwrap(),
            3,
            "from version {version}"
        );
        let d = store.deliveries(None).await.unwrap();
        assert_eq!((d[0].id.as_str(), d[0].lang.as_str()), ("dlv_1", "ko"));
        assert_eq!(
            store.create_attempted_at("inv_3").await.unwrap().is_some(),
            version >= 2,
            "from version {version}"
        );
        store.close().await;
    }
}

#[tokio::test]
async fn a_failing_migration_keeps_the_database_as_it_was() {
    let latest = MIGRATOR.iter().map(|m| m.version).max().unwrap();
    // The version before the latest (the file has no 7: that one is the shared store's).
    let previous = MIGRATOR
        .iter()
        .map(|m| m.version)
        .filter(|v| *v < latest)
        .max()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    let old = pool(&path).await;
    MIGRATOR.run_to(previous, &old).await.unwrap();
    seed(&old, previous).await;
    // Something in the way of the latest migration (a table it adds; change this
    // line with each new migration).
    sqlx::query("CREATE TABLE invoice_counts (n INTEGER)")
        .execute(&old)
        .await
        .unwrap();
    old.close().await;

    let err = Store::open(dir.path()).await.unwrap_err().to_string();
    let backup = backup_path(&path, latest);
    assert!(err.contains(&backup.display().to_string()), "{err}");
    let kept = pool(&backup).await;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM invoices")
        .fetch_one(&kept)
        .await
        .unwrap();
    assert_eq!(n, 3, "the copy holds the data as it was");
    let v: i64 = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(&kept)
        .await
        .unwrap();
    assert_eq!(v, previous);
}

/// Opens the store from `n` threads at once, each with a runtime and connections of its
/// own (as separate processes would), and returns every outcome.
fn open_at_once(dir: &Path, n: usize) -> Vec<Result<i64, String>> {
    let start = std::sync::Arc::new(std::sync::Barrier::new(n));
    let threads: Vec<_> = (0..n)
        .map(|_| {
            let (dir, start) = (dir.to_path_buf(), start.clone());
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                start.wait();
                rt.block_on(async {
                    let s = Store::open(&dir).await.map_err(|e| e.to_string())?;
                    let v = s.schema_version().await.map_err(|e| e.to_string());
                    s.close().await;
                    v
                })
            })
        })
        .collect();
    threads.into_iter().map(|t| t.join().unwrap()).collect()
}

#[test]
fn many_openers_of_a_new_or_older_folder_all_open_it_and_one_migrates() {
    let latest = MIGRATOR.iter().map(|m| m.version).max().unwrap();
    for round in 0..5 {
        // A new folder.
        let dir = tempfile::tempdir().unwrap();
        let outcomes = open_at_once(dir.path(), 8);
        assert!(
            outcomes.iter().all(|o| o == &Ok(latest)),
            "new folder, round {round}: {outcomes:?}"
        );
        // A folder of version 1, with data.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let old = pool(&path).await;
            MIGRATOR.run_to(1, &old).await.unwrap();
            seed(&old, 1).await;
            old.close().await;
        });
        let outcomes = open_at_once(dir.path(), 8);
        assert!(
            outcomes.iter().all(|o| o == &Ok(latest)),
            "older folder, round {round}: {outcomes:?}"
        );
        assert!(!backup_path(&path, latest).exists());
        let rows = rt.block_on(async {
            let s = Store::open(dir.path()).await.unwrap();
            s.timeline("inv_1").await.unwrap().len()
        });
        assert_eq!(rows, 2, "every row kept once");
    }
}
