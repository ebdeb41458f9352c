//! A shop's counters on one shared PostgreSQL store against the same work on one
//! SQLite terminal: creating links (8 terminals at once, each its own data folder and
//! connection pool, against one terminal with 8 creates in flight), a sync pass over
//! every open invoice (1 in 10 paid at the provider; on the shared store the terminals
//! sync at once and the account's lease lets one of them poll) and the outbox (e-mails
//! to the real SMTP test server, every terminal's outbox at once). The provider is the
//! BTCPay stand-in on 127.0.0.1. Needs a Secret Service and PAYDESK_TEST_POSTGRES: run
//! through `./x bench`.

use std::time::Instant;

use paydesk::core::{Delivery, InvoiceId, Lang, Via};
use paydesk::{Engine, NewAccount, NewChannel, NewLink, Secret};
use paydesk_secrets::SecretStore;
use sqlx::Connection;

const TERMINALS: usize = 8;
const LINKS: usize = 2_000;
const MAILS: usize = 200;

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run());
}

struct Figures {
    creates_per_s: f64,
    sync_per_s: f64,
    mails_per_s: f64,
}

async fn run() {
    let admin = std::env::var("PAYDESK_TEST_POSTGRES")
        .expect("PAYDESK_TEST_POSTGRES (./x bench starts a PostgreSQL server)");
    let smtp = Smtp::start();
    let sqlite = {
        let dir = tempfile::tempdir().unwrap();
        let e = open(dir.path(), "sqlite").await;
        let f = work(&[e], &smtp).await;
        drop(dir);
        f
    };
    println!(
        "one SQLite terminal: {:.0} creates/s, sync {:.0} invoices/s, outbox {:.0} mails/s",
        sqlite.creates_per_s, sqlite.sync_per_s, sqlite.mails_per_s
    );
    let url = fresh_database(&admin).await;
    let dirs: Vec<tempfile::TempDir> = (0..TERMINALS)
        .map(|_| tempfile::tempdir().unwrap())
        .collect();
    let secrets = secrets("shared");
    let mut engines = Vec::new();
    for d in &dirs {
        let shared = paydesk::SharedStoreInput {
            address: url.clone(),
            ..Default::default()
        };
        paydesk::use_shared_store(d.path(), &secrets, &shared)
            .await
            .unwrap();
        engines.push(Engine::open_with(d.path(), secrets.clone()).await.unwrap());
    }
    let shared = work(&engines, &smtp).await;
    println!(
        "{TERMINALS} terminals on one PostgreSQL: {:.0} creates/s, sync {:.0} invoices/s, outbox {:.0} mails/s",
        shared.creates_per_s, shared.sync_per_s, shared.mails_per_s
    );
    println!(
        "ratio shared / SQLite: creates {:.2}, sync {:.2}, outbox {:.2}",
        shared.creates_per_s / sqlite.creates_per_s,
        shared.sync_per_s / sqlite.sync_per_s,
        shared.mails_per_s / sqlite.mails_per_s
    );
}

fn secrets(what: &str) -> SecretStore {
    SecretStore::with_service(format!("paydesk-bench-{what}-{}", std::process::id()))
}

async fn open(dir: &std::path::Path, what: &str) -> Engine {
    Engine::open_with(dir, secrets(what)).await.unwrap()
}

async fn fresh_database(admin: &str) -> String {
    let name = format!("pd_bench_{}", std::process::id());
    let mut conn = sqlx::postgres::PgConnection::connect(admin).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap();
    let (base, _) = admin.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

/// The same work on `terminals` (one, or several sharing a store): LINKS creates split
/// between them (8 in flight in all), a sync pass at every terminal until each invoice
/// was checked once, and MAILS e-mails through every terminal's outbox at once.
async fn work(terminals: &[Engine], smtp: &Smtp) -> Figures {
    let (url, standin) = paydesk_standins::btcpay().await;
    let first = &terminals[0];
    first
        .add_account(NewAccount {
            name: "shop".into(),
            provider: "btcpay".into(),
            base_url: Some(url),
            store_id: Some("S1".into()),
            secrets: vec![("api_key".into(), Secret::from("bench".to_string()))],
            ..Default::default()
        })
        .await
        .unwrap();
    first.set_setting("sync_rate_limit", "0").await.unwrap();
    first
        .add_channel(NewChannel {
            name: "mail".into(),
            kind: "smtp".into(),
            host: Some("127.0.0.1".into()),
            port: Some(smtp.port),
            tls: Some("none".into()),
            from: Some("shop@hana.kr".into()),
            ..Default::default()
        })
        .await
        .unwrap();

    // Creates: 8 in flight, spread over the terminals.
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..8 {
        let e = terminals[w % terminals.len()].clone();
        tasks.spawn(async move {
            let mut made = Vec::new();
            for i in (w..LINKS).step_by(8) {
                let v = e
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
                made.push((v.id, v.order_id));
            }
            made
        });
    }
    let mut made = Vec::new();
    while let Some(m) = tasks.join_next().await {
        made.extend(m.unwrap());
    }
    let creates_per_s = LINKS as f64 / start.elapsed().as_secs_f64();
    for (_, order) in made.iter().step_by(10) {
        standin.pay(order);
    }

    // Sync: every terminal's passes at once until every invoice was checked once.
    let start = Instant::now();
    let mut checked = 0;
    while checked < LINKS {
        let mut passes = tokio::task::JoinSet::new();
        for e in terminals {
            let e = e.clone();
            passes.spawn(async move { e.sync_once().await.unwrap().checked });
        }
        while let Some(n) = passes.join_next().await {
            checked += n.unwrap();
        }
    }
    let sync_per_s = checked as f64 / start.elapsed().as_secs_f64();

    // Outbox: MAILS queued at once, every terminal's outbox working the one queue.
    let now = chrono::Utc::now();
    let queued: Vec<Delivery> = made
        .iter()
        .take(MAILS)
        .enumerate()
        .map(|(i, (id, _))| {
            Delivery::queued(
                InvoiceId::from_stored(id.clone()),
                "mail".into(),
                Via::Email,
                format!("r{i}@example.kr"),
                Lang::Ko,
                Default::default(),
                now,
            )
        })
        .collect();
    first.store().insert_deliveries(&queued).await.unwrap();
    let before = smtp.count();
    let start = Instant::now();
    let (mut failed, mut unknown) = (0, 0);
    loop {
        let mut outboxes = tokio::task::JoinSet::new();
        for e in terminals {
            let e = e.clone();
            outboxes.spawn(async move { e.process_outbox().await.unwrap() });
        }
        let mut moved = 0;
        while let Some(r) = outboxes.join_next().await {
            let r = r.unwrap();
            moved += r.sent + r.failed + r.unknown;
            failed += r.failed;
            unknown += r.unknown;
        }
        if moved == 0 && smtp.count() - before + failed + unknown >= MAILS {
            break;
        }
        assert!(start.elapsed().as_secs() < 600, "the outbox stalled");
    }
    let delivered = smtp.count() - before;
    println!("outbox: {delivered} delivered, {failed} failed, {unknown} unknown");
    let mails_per_s = delivered as f64 / start.elapsed().as_secs_f64();
    Figures {
        creates_per_s,
        sync_per_s,
        mails_per_s,
    }
}

/// The real SMTP test server (tests/smtp/smtp_server.py), counting what it keeps.
struct Smtp {
    child: std::process::Child,
    port: u16,
    maildir: tempfile::TempDir,
}

impl Smtp {
    fn start() -> Smtp {
        let maildir = tempfile::tempdir().unwrap();
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/smtp/smtp_server.py");
        let mut child = std::process::Command::new("/usr/bin/python3")
            .arg(script)
            .args(["--mode", "none", "--maildir"])
            .arg(maildir.path())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("python3 with aiosmtpd");
        let mut ready = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().unwrap()),
            &mut ready,
        )
        .unwrap();
        let port = ready.trim().trim_start_matches("READY ").parse().unwrap();
        Smtp {
            child,
            port,
            maildir,
        }
    }

    fn count(&self) -> usize {
        std::fs::read_dir(self.maildir.path()).unwrap().count()
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
