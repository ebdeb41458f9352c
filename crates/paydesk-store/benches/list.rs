//! The window's list at 100,000 and 1,000,000 invoices (settled history, see `history`):
//! counting it with and without filters, and a page of 200 at the start, the middle and
//! the end — by OFFSET (what the list did before) and after the last row shown (keyset,
//! what it does now); the floor of each page is the first page of the same run.
//! Run: `./x bench` (or `cargo bench -p paydesk-store --bench list`); figures go to
//! docs/benchmarks.md. `PAYDESK_BENCH_SIZES=100000` runs one size only.

use std::time::{Duration, Instant};

use chrono::{FixedOffset, TimeZone, Utc};
use paydesk_core::{SortBy, Status};
use paydesk_store::*;

mod history;

const PAGE: i64 = 200;

fn main() {
    let sizes: Vec<usize> = std::env::var("PAYDESK_BENCH_SIZES")
        .ok()
        .map(|s| {
            s.split(',')
                .map(|n| n.trim().parse().expect("sizes are counts"))
                .collect()
        })
        .unwrap_or_else(|| vec![100_000, 1_000_000]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    for n in sizes {
        rt.block_on(run(n));
    }
}

/// The median of `runs` timings of `f` (after one run not counted).
async fn median<F, Fut, T>(runs: usize, mut f: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    f().await;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        std::hint::black_box(f().await);
        times.push(t.elapsed());
    }
    times.sort();
    times[runs / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

async fn run(n: usize) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let took = history::seed_history(&store, n).await;
    println!("\n## {n} invoices (seeded in {:.1} s)", took.as_secs_f64());

    // Counting: the filters the window sends. A month is whole days in the store's time
    // zone (+09:00), so both ends fall inside a UTC day.
    let kst = FixedOffset::east_opt(9 * 3600).unwrap();
    let month_from = kst
        .with_ymd_and_hms(2026, 3, 1, 0, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    let month_before = kst
        .with_ymd_and_hms(2026, 4, 1, 0, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    let day_from = kst
        .with_ymd_and_hms(2026, 3, 10, 0, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    let filters: Vec<(&str, InvoiceFilter)> = vec![
        ("whole list", InvoiceFilter::default()),
        (
            "status paid",
            InvoiceFilter {
                status: Some(Status::Paid),
                ..Default::default()
            },
        ),
        (
            "account sandbox",
            InvoiceFilter {
                account: Some("sandbox".into()),
                ..Default::default()
            },
        ),
        (
            "one month (+09:00)",
            InvoiceFilter {
                created_from: Some(month_from),
                created_before: Some(month_before),
                ..Default::default()
            },
        ),
        (
            "expired in one month",
            InvoiceFilter {
                status: Some(Status::Expired),
                created_from: Some(month_from),
                created_before: Some(month_before),
                ..Default::default()
            },
        ),
        (
            "one day (+09:00)",
            InvoiceFilter {
                created_from: Some(day_from),
                created_before: Some(day_from + chrono::Duration::days(1)),
                ..Default::default()
            },
        ),
        (
            "one customer",
            InvoiceFilter {
                customer_id: Some("cus_bench_007".into()),
                ..Default::default()
            },
        ),
        (
            "search 딸기 케이크",
            InvoiceFilter {
                search: Some("딸기 케이크".into()),
                ..Default::default()
            },
        ),
    ];
    println!("\n| count | matches | median of 21 (ms) |\n|---|---:|---:|");
    for (what, f) in &filters {
        let matches = store.count_invoices(f).await.unwrap();
        let t = median(21, || store.count_invoices(f)).await;
        println!("| {what} | {matches} | {} |", ms(t));
    }

    // Pages of 200, newest first. Invoice i is the (n-1-i)-th row of the list.
    let position_id = |k: usize| history::bench_id(n - 1 - k);
    let page = |offset: Option<i64>, after: Option<String>, sort: SortBy| InvoiceFilter {
        limit: Some(PAGE),
        offset,
        after,
        sort,
        ascending: false,
        ..Default::default()
    };
    // Every page timed in turn in each round (the machine's drift hits all alike).
    let mid = n / 2;
    let end = n - PAGE as usize;
    let pages = [
        page(Some(0), None, SortBy::Created),
        page(Some(mid as i64), None, SortBy::Created),
        page(None, Some(position_id(mid - 1)), SortBy::Created),
        page(Some(end as i64), None, SortBy::Created),
        page(None, Some(position_id(end - 1)), SortBy::Created),
    ];
    for (a, b) in [(1, 2), (3, 4)] {
        let ids = |f: &InvoiceFilter| {
            let store = store.clone();
            let f = f.clone();
            async move {
                let rows = store.invoices(&f).await.unwrap();
                rows.into_iter().map(|i| i.id).collect::<Vec<_>>()
            }
        };
        assert_eq!(
            ids(&pages[a]).await,
            ids(&pages[b]).await,
            "both ways give the same page"
        );
    }
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); pages.len()];
    for round in 0..32 {
        for (i, f) in pages.iter().enumerate() {
            let t = Instant::now();
            std::hint::black_box(store.invoices(f).await.unwrap());
            if round > 0 {
                times[i].push(t.elapsed());
            }
        }
    }
    let med: Vec<Duration> = times
        .iter_mut()
        .map(|t| {
            t.sort();
            t[t.len() / 2]
        })
        .collect();
    let r = |d: Duration| d.as_secs_f64() / med[0].as_secs_f64();
    println!("\n| page of 200, newest first (median of 31, interleaved) | OFFSET (ms) | × first | after the row before (ms) | × first |\n|---|---:|---:|---:|---:|");
    println!(
        "| first (offset 0) | {} | 1.00 | {} | 1.00 |",
        ms(med[0]),
        ms(med[0])
    );
    for (what, o, k) in [("middle (50 %)", 1, 2), ("end", 3, 4)] {
        println!(
            "| {what} | {} | {:.2} | {} | {:.2} |",
            ms(med[o]),
            r(med[o]),
            ms(med[k]),
            r(med[k])
        );
    }
    // Another order: by amount (no index serves it: every page sorts what it reads).
    let fa = page(Some(0), None, SortBy::Amount);
    let first_amount = median(5, || store.invoices(&fa)).await;
    let rows = store
        .invoices(&page(Some((n / 2) as i64), None, SortBy::Amount))
        .await
        .unwrap();
    let fm = page(None, Some(rows[0].id.to_string()), SortBy::Amount);
    let mid_amount = median(5, || store.invoices(&fm)).await;
    println!(
        "| sorted by amount: first / middle (keyset) | {} | 1.00 | {} | {:.2} |",
        ms(first_amount),
        ms(mid_amount),
        mid_amount.as_secs_f64() / first_amount.as_secs_f64()
    );
    let size: u64 = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!("\ndata folder: {:.1} MB", size as f64 / 1e6);
    store.close().await;
}
