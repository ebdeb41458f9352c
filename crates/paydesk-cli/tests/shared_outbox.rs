//! The outbox on a shared PostgreSQL store: four `paydesk sync` processes, two at each
//! of two counters' data folders, work one queue of 60 e-mails against the real SMTP
//! test server while processes are SIGKILLed and started again (24 rounds). Every
//! message is taken by one process only: no recipient gets a mail twice, every
//! delivery ends `sent` (its mail arrived once) or `unknown` (a process died while
//! sending; never resent), none is left queued, and every sent one has one audit entry.

mod support;

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chrono::Utc;
use paydesk::core::{Delivery, Lang, Via};
use support::{ok, run_env, smtp::SmtpServer, BIN};

#[path = "../../paydesk-store/tests/common/mod.rs"]
mod common;

struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn sync_loop(dir: &std::path::Path) -> Child {
    Command::new(BIN)
        .arg("--data-dir")
        .arg(dir)
        .args(["sync", "--interval", "1"])
        .env("PAYDESK_DELIVERY_LEASE_SECS", "2")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn four_processes_at_two_counters_send_each_message_at_most_once() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let url = rt.block_on(common::fresh_postgres_database());
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for d in [&a, &b] {
        ok(d.path(), &["store", "use", &url]);
    }
    let server = SmtpServer::start("none", None, &[]);
    let port = server.port.to_string();
    ok(
        a.path(),
        &[
            "channel",
            "add",
            "mail",
            "--kind",
            "smtp",
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--tls",
            "none",
            "--from",
            "shop@hana.kr",
        ],
    );
    // 60 links made at counter A, each with one e-mail queued for the outbox.
    let engine = rt.block_on(paydesk::Engine::open(a.path())).unwrap();
    let mut queued = Vec::new();
    rt.block_on(async {
        for i in 0..60 {
            let v = engine
                .create_link(paydesk::NewLink {
                    account: "sandbox".into(),
                    name: format!("상품 {i}"),
                    amount: "10000".into(),
                    expires_in: Some("1d".into()),
                    ..Default::default()
                })
                .await
                .unwrap();
            queued.push(Delivery::queued(
                paydesk::core::InvoiceId::from_stored(v.id.clone()),
                "mail".into(),
                Via::Email,
                format!("r{i}@example.kr"),
                Lang::Ko,
                Default::default(),
                Utc::now(),
            ));
        }
        engine.store().insert_deliveries(&queued).await.unwrap();
    });
    drop(engine);

    let dirs = [a.path(), b.path(), a.path(), b.path()];
    let mut procs: Vec<Child> = dirs.iter().map(|d| sync_loop(d)).collect();
    let mut rng = Lcg(std::process::id() as u64);
    for _ in 0..24 {
        std::thread::sleep(Duration::from_millis(100 + rng.next(400)));
        let i = rng.next(4) as usize;
        let _ = procs[i].kill(); // SIGKILL
        let _ = procs[i].wait();
        procs[i] = sync_loop(dirs[i]);
    }
    std::thread::sleep(Duration::from_millis(1500));
    for mut p in procs {
        let _ = p.kill();
        let _ = p.wait();
    }
    // Past the lease, one pass at each counter settles what the killed ones left.
    std::thread::sleep(Duration::from_secs(3));
    for d in [a.path(), b.path()] {
        let o = run_env(
            d,
            &["--json", "sync", "--once"],
            None,
            &[("PAYDESK_DELIVERY_LEASE_SECS", "2")],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }

    let mut mails: BTreeMap<String, usize> = BTreeMap::new();
    for m in server.messages() {
        let text = String::from_utf8_lossy(&m).into_owned();
        let to = text
            .lines()
            .find_map(|l| l.strip_prefix("To: "))
            .unwrap_or_default()
            .trim()
            .to_string();
        *mails.entry(to).or_default() += 1;
    }
    let all = ok(b.path(), &["deliveries"]);
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 60);
    let mut sent = 0;
    for d in all {
        let to = d["to"].as_str().unwrap();
        let got = mails.get(to).copied().unwrap_or(0);
        match d["state"].as_str().unwrap() {
            "sent" => {
                sent += 1;
                assert_eq!(got, 1, "{to}: sent once, arrived once");
                let inv = ok(
                    a.path(),
                    &["link", "show", d["invoice_id"].as_str().unwrap()],
                );
                let entries = inv["timeline"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|e| {
                        e["event"] == "delivery"
                            && e["detail"].as_str().is_some_and(|t| t.contains(": sent"))
                    })
                    .count();
                assert_eq!(entries, 1, "{to}: one audit entry for the send: {inv}");
            }
            "unknown" => assert!(got <= 1, "{to}: never resent"),
            other => panic!("{to} ended {other}: {d}"),
        }
    }
    assert!(
        mails.values().all(|&n| n == 1),
        "a mail arrived twice: {mails:?}"
    );
    eprintln!(
        "{sent} sent, {} unknown (a process died while sending them)",
        60 - sent
    );
    assert!(sent >= 40, "most went out: {sent} of 60");
}
