//! Creates racing syncs: `paydesk link create` processes beside two `paydesk sync`
//! loops (as the window's background sync and a script's `paydesk sync` run beside the
//! create form), against a slow provider (a BTCPay stand-in whose creates answer 1.5 s
//! after the invoice exists) and a fast one (the sandbox, which refuses a second invoice
//! for an order id), with creates and syncs killed (SIGKILL) along the way. At the end
//! every PayDesk invoice has exactly one provider invoice and every payment is seen,
//! each with exactly one audit entry. Run on one data folder (SQLite) and on two
//! counters' data folders sharing one PostgreSQL store, each with its own processes.

mod support;

#[path = "../../paydesk-store/tests/common/mod.rs"]
mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use support::{ok, run, standin, BIN};

fn spawn(dir: &std::path::Path, args: &[&str]) -> Child {
    Command::new(BIN)
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn kill(mut c: Child) {
    let _ = c.kill(); // SIGKILL
    let _ = c.wait();
}

#[test]
fn creates_beside_two_syncs_make_one_provider_invoice_each() {
    let dir = tempfile::tempdir().unwrap();
    races(&[dir.path()], true, 6);
    // The file is whole after the kills: pages, indexes and references.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let url = format!(
            "sqlite:{}?mode=ro",
            dir.path().join("paydesk.sqlite").display()
        );
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        let whole: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(whole, "ok");
        let dangling: Vec<(String,)> = sqlx::query_as("PRAGMA foreign_key_check")
            .fetch_all(&pool)
            .await
            .unwrap();
        assert!(dangling.is_empty(), "{dangling:?}");
    });
}

#[test]
fn two_counters_on_one_postgres_store_make_one_provider_invoice_each() {
    let url = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(common::fresh_postgres_database());
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for d in [&a, &b] {
        ok(d.path(), &["store", "use", &url]);
    }
    // The sandbox's pretend payments live in each counter's own folder: BTCPay only.
    races(&[a.path(), b.path()], false, 20);
    // The shared database is whole after the kills: pg_amcheck checks every table's
    // heap and every B-tree index (installing the amcheck extension in the test server).
    let bin = std::fs::read_dir("/usr/lib/postgresql")
        .expect("Debian's postgresql package")
        .filter_map(|e| e.ok().map(|e| e.path().join("bin/pg_amcheck")))
        .find(|p| p.exists())
        .expect("pg_amcheck");
    let out = Command::new(bin)
        .args(["--install-missing", "--heapallindexed"])
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        out.status.success() && out.stdout.is_empty(),
        "pg_amcheck: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Creates spread over `dirs` beside a sync loop in each of the first two (one folder:
/// both there), killed along the way for `rounds` rounds; then every invoice is checked.
fn races(dirs: &[&std::path::Path], sandbox: bool, rounds: usize) {
    let (url, btcpay) = standin(paydesk_standins::btcpay);
    btcpay.slow_create(1500);
    let dir = dirs[0];
    let at = |i: usize| dirs[i % dirs.len()];
    let name = format!("slow-{}-{}", std::process::id(), dirs.len());
    let add = run(
        dir,
        &[
            "account",
            "add",
            &name,
            "--provider",
            "btcpay",
            "--base-url",
            &url,
            "--store-id",
            "S1",
            "--secret-stdin",
        ],
        Some("api_key=race-key\n"),
    );
    assert!(
        add.status.success(),
        "{}",
        String::from_utf8_lossy(&add.stderr)
    );

    let sync = |dir: &std::path::Path| spawn(dir, &["sync", "--interval", "1"]);
    let mut syncs = vec![sync(at(0)), sync(at(1))];
    for round in 0..rounds {
        let mut creates = Vec::new();
        for i in 0..4 {
            let (account, amount, currency) = if i % 2 == 0 || !sandbox {
                (name.as_str(), "5.00", "USD")
            } else {
                ("sandbox", "5000", "KRW")
            };
            let order = format!("RACE-{round}-{i}");
            creates.push(spawn(
                at(i + round),
                &[
                    "--json",
                    "link",
                    "create",
                    "--account",
                    account,
                    "--name",
                    &order,
                    "--amount",
                    amount,
                    "--currency",
                    currency,
                    "--order-id",
                    &order,
                ],
            ));
        }
        // Every other round, a slow create is killed while its answer is on the way.
        std::thread::sleep(Duration::from_millis(700));
        if round % 2 == 1 {
            kill(creates.remove(0));
        }
        // And one of the syncs dies and is started again.
        let i = round % 2;
        kill(std::mem::replace(&mut syncs[i], sync(at(i))));
        for mut c in creates {
            c.wait().unwrap();
        }
    }
    std::thread::sleep(Duration::from_millis(1200));
    for s in syncs {
        kill(s);
    }
    for _ in 0..2 {
        let report = ok(dir, &["sync", "--once"]);
        assert_eq!(report["errors"], Value::Array(vec![]), "{report}");
    }

    let all = ok(at(1), &["link", "list"]);
    let all = all.as_array().unwrap();
    assert!(
        all.len() >= rounds * 4 - rounds / 2,
        "{} invoices",
        all.len()
    );
    let mut followed: BTreeMap<String, String> = BTreeMap::new();
    for inv in all {
        assert_eq!(inv["status"], "open", "{inv}");
        if inv["provider"] == "btcpay" {
            followed.insert(
                inv["order_id"].as_str().unwrap().into(),
                inv["provider_id"].as_str().unwrap().into(),
            );
        }
    }
    // One provider invoice per PayDesk invoice: none twice, none PayDesk does not follow.
    let held = btcpay.order_ids();
    let unique: BTreeSet<&String> = held.iter().collect();
    assert_eq!(unique.len(), held.len(), "an order created twice: {held:?}");
    assert_eq!(
        unique.into_iter().cloned().collect::<Vec<_>>(),
        followed.keys().cloned().collect::<Vec<_>>(),
        "every provider invoice is followed"
    );

    // Every payment is seen, on the invoice PayDesk follows.
    for order in followed.keys() {
        btcpay.pay(order);
    }
    for inv in all.iter().filter(|i| i["provider"] == "sandbox") {
        ok(dir, &["sandbox", "pay", inv["id"].as_str().unwrap()]);
    }
    // Both counters sync at the same moment: each payment applied and audited once.
    let both: Vec<Child> = (0..2).map(|i| spawn(at(i), &["sync", "--once"])).collect();
    for mut c in both {
        c.wait().unwrap();
    }
    let report = ok(at(1), &["sync", "--once"]);
    assert_eq!(report["errors"], Value::Array(vec![]), "{report}");
    let all = ok(dir, &["link", "list"]);
    for inv in all.as_array().unwrap() {
        assert_eq!(inv["status"], "paid", "{inv}");
        let shown = ok(dir, &["link", "show", inv["id"].as_str().unwrap()]);
        let paid_entries = shown["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["status"] == "paid")
            .count();
        assert_eq!(paid_entries, 1, "one audit entry for the payment: {shown}");
    }
    run(dir, &["account", "remove", &name], None);
}
