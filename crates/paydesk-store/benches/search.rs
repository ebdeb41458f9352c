//! Invoice search over 100,000 invoices: FTS5 trigram (what the store uses for 3+
//! characters) against a LIKE scan (its fallback for 1–2 characters), and the plain
//! newest-first page the list shows. Run: `./x bench` (or
//! `cargo bench -p paydesk-store --bench search`). Figures go to docs/benchmarks.md.

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use paydesk_core::*;
use paydesk_store::*;

const N: usize = 100_000;
const ITEMS: [&str; 8] = [
    "아메리카노",
    "카페 라떼",
    "딸기 케이크",
    "抹茶ラテ",
    "cotton shirt",
    "gift card",
    "꽃다발",
    "ランチセット",
];
const NAMES: [&str; 6] = [
    "김민준",
    "이서연",
    "박지호",
    "최수아",
    "佐藤 花子",
    "John Smith",
];

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(run());
}

async fn run() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let t0 = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    store
        .ensure_account(&AccountRecord {
            name: "sandbox".into(),
            provider: ProviderKind::Sandbox,
            settings: Default::default(),
            created_at: t0,
        })
        .await
        .unwrap();
    let mut customers = Vec::new();
    for (i, n) in NAMES.iter().enumerate() {
        let c = Customer {
            id: paydesk_core::CustomerId::from_stored(format!("cus_{i}")),
            name: n.to_string(),
            phone: Some(format!("+8210{:08}", i * 1111)),
            email: None,
            created_at: t0,
        };
        store.insert_customer(&c).await.unwrap();
        customers.push(c.id);
    }
    let start = Instant::now();
    for i in 0..N {
        let krw = |m| Money::from_minor(m, Currency::Krw).unwrap();
        let inv = Invoice {
            id: paydesk_core::InvoiceId::from_stored(format!("inv_{i:08}")),
            account: "sandbox".into(),
            provider: ProviderKind::Sandbox,
            provider_id: Some(format!("sbx_{i:08}")),
            order_id: paydesk_core::OrderId::from_stored(format!("PD{i:010}")),
            kind: InvoiceKind::Link,
            name: format!("{} {}", ITEMS[i % ITEMS.len()], i % 97),
            amount: krw(1000 + (i as i64 % 500) * 100),
            tax_free: krw(0),
            paid: krw(0),
            refunded: krw(0),
            refund_requested: krw(0),
            status: Status::Open,
            flags: PaymentFlags::default(),
            payment_url: None,
            payment_number: None,
            expires_at: t0 + chrono::Duration::minutes(i as i64),
            customer_id: Some(customers[i % customers.len()].clone()),
            created_at: t0,
            updated_at: t0,
            last_checked_at: None,
            last_error: None,
            rest_of: None,
            refund_url: None,
            paid_at: None,
        };
        store
            .insert_invoice(&inv, Source::User, None)
            .await
            .unwrap();
    }
    let load = start.elapsed();
    let size = std::fs::metadata(dir.path().join(DB_FILE)).unwrap().len()
        + std::fs::metadata(dir.path().join(format!("{DB_FILE}-wal")))
            .map(|m| m.len())
            .unwrap_or(0);
    println!(
        "loaded {N} invoices in {:.1} s ({:.0} inserts/s, one transaction each); file {:.1} MB",
        load.as_secs_f64(),
        N as f64 / load.as_secs_f64(),
        size as f64 / 1e6
    );

    // The same file through a second connection, to compare both methods on equal terms.
    let pool =
        sqlx::SqlitePool::connect(&format!("sqlite://{}", dir.path().join(DB_FILE).display()))
            .await
            .unwrap();
    let queries = [
        "딸기 케",
        "김민준",
        "抹茶ラ",
        "PD0000099999",
        "shirt 42",
        "없는상품",
    ];
    println!(
        "\n{:<14} {:>8} {:>14} {:>14} {:>16}",
        "query", "matches", "FTS5 count ms", "LIKE count ms", "store page ms"
    );
    for q in queries {
        let phrase = format!("\"{}\"", q.replace('"', "\"\""));
        let (fts, n_fts) = time(|| count(&pool, "SELECT COUNT(*) FROM invoices WHERE seq IN (SELECT rowid FROM invoices_fts WHERE invoices_fts MATCH ?)", phrase.clone())).await;
        let (like, n_like) = time(|| {
            count(
                &pool,
                "SELECT COUNT(*) FROM invoices WHERE search_text LIKE ?",
                format!("%{q}%"),
            )
        })
        .await;
        assert_eq!(n_fts, n_like, "both methods find the same invoices for {q}");
        let (page, _) = time(|| search(&store, q)).await;
        println!(
            "{:<14} {:>8} {:>14.2} {:>14.2} {:>16.2}",
            q,
            n_fts,
            ms(fts),
            ms(like),
            ms(page)
        );
    }
    let (short, n) = time(|| search(&store, "김")).await;
    println!(
        "{:<14} {:>8} {:>14} {:>14} {:>16.2}",
        "김 (LIKE path)",
        n,
        "-",
        "-",
        ms(short)
    );
    let (page, n) = time(|| async {
        store
            .invoices(&InvoiceFilter {
                limit: Some(500),
                ..Default::default()
            })
            .await
            .unwrap()
            .len()
    })
    .await;
    println!("\nnewest 500 (list page): {n} rows in {:.2} ms", ms(page));
    // What the window's list does with 100,000 invoices: count them, then fetch pages
    // of 200 as the clerk scrolls (near the top, in the middle, at the very end).
    let (counted, n) = time(|| async {
        store
            .count_invoices(&InvoiceFilter::default())
            .await
            .unwrap() as usize
    })
    .await;
    println!("count of the whole list: {n} in {:.2} ms", ms(counted));
    for offset in [0i64, 50_000, 99_800] {
        let (page, n) = time(|| async {
            store
                .invoices(&InvoiceFilter {
                    limit: Some(200),
                    offset: Some(offset),
                    ..Default::default()
                })
                .await
                .unwrap()
                .len()
        })
        .await;
        println!(
            "list page of 200 at offset {offset}: {n} rows in {:.2} ms",
            ms(page)
        );
    }
    let (due, n) = time(|| async {
        store
            .invoices_to_sync(
                t0,
                &paydesk_store::SyncWindow {
                    late_grace: chrono::Duration::days(7),
                    settled_every: chrono::Duration::hours(6),
                    refund_window: chrono::Duration::days(90),
                },
                1000,
            )
            .await
            .unwrap()
            .len()
    })
    .await;
    println!(
        "sync candidates (1000 soonest due): {n} rows in {:.2} ms",
        ms(due)
    );
}

async fn search(store: &Store, q: &str) -> usize {
    store
        .invoices(&InvoiceFilter {
            search: Some(q.into()),
            limit: Some(500),
            ..Default::default()
        })
        .await
        .unwrap()
        .len()
}

async fn count(pool: &sqlx::SqlitePool, sql: &'static str, arg: String) -> usize {
    let n: i64 = sqlx::query_scalar(sql)
        .bind(arg)
        .fetch_one(pool)
        .await
        .unwrap();
    n as usize
}

async fn time<F, Fut>(mut f: F) -> (Duration, usize)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    let _ = f().await;
    let mut best = Duration::MAX;
    let mut n = 0;
    for _ in 0..5 {
        let s = Instant::now();
        n = f().await;
        best = best.min(s.elapsed());
    }
    (best, n)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
