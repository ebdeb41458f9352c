//! Settled history for the benchmarks: N past invoices (paid, expired, cancelled,
//! refunded over the last two years, spread over 200 customers), inserted in batches of
//! 10,000 per transaction, each with its `created` audit entry like a real invoice.
//! Invoice `i` is `inv_bench_{i:08}`, oldest first, so the newest are the last inserted.
//! Shared by `examples/seed.rs` (the app benchmarks) and `benches/list.rs`.

use std::time::{Duration as Elapsed, Instant};

use chrono::{Duration, Utc};
use paydesk_core::*;
use paydesk_store::*;

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
const SURNAMES: [&str; 10] = ["김", "이", "박", "최", "정", "강", "조", "윤", "장", "임"];
const GIVEN: [&str; 20] = [
    "민준", "서연", "지호", "수아", "도윤", "하은", "예준", "지우", "시우", "서윤", "주원", "지민",
    "하준", "채원", "은우", "수빈", "건우", "지유", "우진", "다은",
];

/// The id of invoice `i` of a seeded history.
pub fn bench_id(i: usize) -> String {
    format!("inv_bench_{i:08}")
}

/// Fills `store` with `n` invoices; how long it took.
pub async fn seed_history(store: &Store, n: usize) -> Elapsed {
    let now = Utc::now();
    let t0 = now - Duration::days(730);
    store.set_setting("store_name", "벤치 상점").await.unwrap();
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
    for i in 0..200usize {
        let c = Customer {
            id: paydesk_core::CustomerId::from_stored(format!("cus_bench_{i:03}")),
            name: format!("{}{}", SURNAMES[i % 10], GIVEN[(i / 10) % 20]),
            phone: Some(format!("+8210{:08}", 10_000_000 + i * 37_171)),
            email: None,
            created_at: t0,
        };
        store.insert_customer(&c).await.unwrap();
        customers.push(c.id);
    }
    let krw = |m| Money::from_minor(m, Currency::Krw).unwrap();
    let start = Instant::now();
    let mut batch = Vec::with_capacity(10_000);
    for i in 0..n {
        // Oldest first, evenly over two years, so the newest are the last inserted.
        let created = t0 + Duration::seconds((730 * 86_400 * i as i64) / n.max(1) as i64);
        let amount = 1_000 + (i as i64 * 7_919 % 500) * 100;
        let (status, paid) = match i % 20 {
            0..=13 => (Status::Paid, amount),
            14..=16 => (Status::Expired, 0),
            17 | 18 => (Status::Cancelled, 0),
            _ => (Status::Refunded, amount),
        };
        batch.push(Invoice {
            id: paydesk_core::InvoiceId::from_stored(bench_id(i)),
            account: "sandbox".into(),
            provider: ProviderKind::Sandbox,
            provider_id: Some(format!("sbx_bench_{i:08}")),
            order_id: paydesk_core::OrderId::from_stored(format!("PDB{i:010}")),
            kind: InvoiceKind::Link,
            name: format!("{} {}", ITEMS[i % ITEMS.len()], i % 97),
            amount: krw(amount),
            tax_free: krw(0),
            paid: krw(paid),
            refunded: krw(0),
            refund_requested: krw(0),
            status,
            flags: PaymentFlags::default(),
            payment_url: None,
            payment_number: None,
            expires_at: created + Duration::hours(24),
            customer_id: Some(customers[i % customers.len()].clone()),
            created_at: created,
            updated_at: created,
            last_checked_at: Some(created),
            last_error: None,
            rest_of: None,
            refund_url: None,
            paid_at: None,
        });
        if batch.len() == 10_000 || i + 1 == n {
            store.insert_invoices(&batch, Source::User).await.unwrap();
            batch.clear();
        }
    }
    start.elapsed()
}
