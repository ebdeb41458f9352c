//! Sync throughput: 10,000 open BTCPay invoices reconciled against a loopback stand-in,
//! compared in the same run with the stand-in's raw capacity at the same concurrency
//! (a plain HTTP loop of the same lookups). Needs a Secret Service for the account's key:
//! run through `./x bench`.

use std::sync::Arc;
use std::time::Instant;

use paydesk::{Engine, NewAccount, NewLink, Secret, PER_ACCOUNT_CONCURRENCY};
use paydesk_secrets::SecretStore;

const N: usize = 10_000;

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_string)
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|v| v.parse::<f64>().ok())
        })
        .unwrap_or(0.0)
        / 1024.0
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run());
}

async fn run() {
    let (url, standin) = paydesk_standins::btcpay().await;
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open_with(
        dir.path(),
        SecretStore::with_service(format!("paydesk-bench-{}", std::process::id())),
    )
    .await
    .unwrap();
    engine
        .add_account(NewAccount {
            name: "shop".into(),
            provider: "btcpay".into(),
            base_url: Some(url.clone()),
            store_id: Some("S1".into()),
            secrets: vec![("api_key".into(), Secret::from("bench".to_string()))],
            ..Default::default()
        })
        .await
        .expect("a Secret Service (run through ./x bench)");
    // The stand-in is ours: no request-rate limit (the default, 20/s per account, is
    // for real providers and would measure the limit instead of PayDesk).
    engine.set_setting("sync_rate_limit", "0").await.unwrap();
    let start = Instant::now();
    let mut orders = Vec::with_capacity(N);
    let create_start = start;
    for i in 0..N {
        let v = engine
            .create_link(NewLink {
                account: "shop".into(),
                name: format!("item {i}"),
                amount: "5.00".into(),
                currency: Some("USD".into()),
                expires_in: Some("3d".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        orders.push((v.order_id, v.provider_id.unwrap()));
    }
    let create_secs = create_start.elapsed().as_secs_f64();
    println!("created {N} links in {create_secs:.1} s");
    for (o, _) in orders.iter().step_by(10) {
        standin.pay(o);
    }

    // PayDesk: passes of up to 1,000 until every invoice was checked once.
    let start = Instant::now();
    let (mut checked, mut changed) = (0, 0);
    while checked < N {
        let r = engine.sync_once().await.unwrap();
        assert!(r.errors.is_empty(), "{:?}", r.errors.first());
        checked += r.checked;
        changed += r.changed.len();
    }
    let sync_secs = start.elapsed().as_secs_f64();
    let sync_rate = checked as f64 / sync_secs;
    println!("sync: {checked} invoices checked ({changed} changed) in {sync_secs:.2} s = {sync_rate:.0} invoices/s");

    // The stand-in alone: the same lookups, same concurrency, nothing else.
    let client = reqwest::Client::new();
    let limit = Arc::new(tokio::sync::Semaphore::new(PER_ACCOUNT_CONCURRENCY));
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (_, id) in &orders {
        let (client, limit, u) = (
            client.clone(),
            limit.clone(),
            format!("{url}/api/v1/invoices/{id}"),
        );
        tasks.spawn(async move {
            let _p = limit.acquire_owned().await.unwrap();
            let r = client
                .get(&u)
                .header("Authorization", "token bench")
                .send()
                .await
                .unwrap();
            r.bytes().await.unwrap().len()
        });
    }
    while tasks.join_next().await.is_some() {}
    let raw_secs = start.elapsed().as_secs_f64();
    let raw_rate = N as f64 / raw_secs;
    println!("stand-in alone: {N} lookups in {raw_secs:.2} s = {raw_rate:.0} lookups/s");
    println!(
        "ratio (PayDesk / raw single lookups): {:.2}",
        sync_rate / raw_rate
    );

    // The stand-in alone, asked the way PayDesk asks it: lists of BATCH order ids.
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for chunk in orders.chunks(paydesk::BATCH) {
        let query: Vec<(String, String)> = chunk
            .iter()
            .map(|(o, _)| ("orderId".to_string(), o.clone()))
            .collect();
        let (client, limit, u) = (
            client.clone(),
            limit.clone(),
            format!("{url}/api/v1/stores/S1/invoices"),
        );
        tasks.spawn(async move {
            let _p = limit.acquire_owned().await.unwrap();
            let r = client
                .get(&u)
                .query(&query)
                .header("Authorization", "token bench")
                .send()
                .await
                .unwrap();
            r.bytes().await.unwrap().len()
        });
    }
    while tasks.join_next().await.is_some() {}
    let list_secs = start.elapsed().as_secs_f64();
    let list_rate = N as f64 / list_secs;
    println!(
        "stand-in alone, lists of {}: {N} invoices in {list_secs:.2} s = {list_rate:.0} invoices/s",
        paydesk::BATCH
    );
    println!("ratio (PayDesk / raw lists): {:.2}", sync_rate / list_rate);

    // The stand-in alone, creating as PayDesk did: one after the other (last, so that
    // the lists above were asked of the same invoices).
    let start = Instant::now();
    for i in 0..N {
        let r = client
            .post(format!("{url}/api/v1/stores/S1/invoices"))
            .header("Authorization", "token bench")
            .json(&serde_json::json!({
                "amount": "5.00",
                "currency": "USD",
                "metadata": { "orderId": format!("RAW{i:08}"), "itemDesc": format!("item {i}") },
            }))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        r.bytes().await.unwrap();
    }
    let raw_create_secs = start.elapsed().as_secs_f64();
    println!(
        "stand-in alone: {N} creates one after the other in {raw_create_secs:.2} s = {:.0} creates/s",
        N as f64 / raw_create_secs
    );
    println!(
        "ratio creating (PayDesk / raw creates): {:.2}",
        raw_create_secs / create_secs
    );
    println!(
        "peak memory (VmHWM) of the process (engine + stand-in): {:.1} MB",
        peak_rss_mb()
    );
}
