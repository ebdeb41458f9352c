//! A shop with several counters: data folders pointed at one PostgreSQL database (the
//! throw-away server `./x test` starts) see one list; a wrong address or password
//! changes nothing; the password lives in the keyring, never in the data folder.

use paydesk::{Engine, ListQuery, NewLink, SharedStoreInput, StoreLocation};
use paydesk_secrets::SecretStore;

#[path = "../../paydesk-store/tests/common/mod.rs"]
mod common;

fn keyring(what: &str) -> SecretStore {
    SecretStore::with_service(format!("paydesk-shared-{what}-{}", std::process::id()))
}

/// The shared store as typed: an address, and a password beside it.
fn typed(address: &str, password: Option<&str>) -> SharedStoreInput {
    SharedStoreInput {
        address: address.to_string(),
        password: password.map(str::to_string),
        ..Default::default()
    }
}

/// `n` counters' data folders pointed at a fresh shared database, each opened.
async fn counters(secrets: &SecretStore, n: usize) -> (Vec<tempfile::TempDir>, Vec<Engine>) {
    let url = common::fresh_postgres_database().await;
    let (mut dirs, mut engines) = (Vec::new(), Vec::new());
    for _ in 0..n {
        let d = tempfile::tempdir().unwrap();
        paydesk::use_shared_store(d.path(), secrets, &typed(&url, None))
            .await
            .unwrap();
        engines.push(Engine::open_with(d.path(), secrets.clone()).await.unwrap());
        dirs.push(d);
    }
    (dirs, engines)
}

/// The account `shop` on a fresh BTCPay stand-in, and a 5 USD link on it.
async fn shop_with_a_link(
    e: &Engine,
    name: &str,
) -> (paydesk_standins::Standin, paydesk::InvoiceView) {
    let (base, btcpay) = paydesk_standins::btcpay().await;
    e.add_account(paydesk::NewAccount {
        name: "shop".into(),
        provider: "btcpay".into(),
        base_url: Some(base),
        store_id: Some("S1".into()),
        secrets: vec![("api_key".into(), paydesk::Secret::from("k".to_string()))],
        ..Default::default()
    })
    .await
    .unwrap();
    let made = e
        .create_link(NewLink {
            account: "shop".into(),
            name: name.into(),
            amount: "5.00".into(),
            currency: Some("USD".into()),
            expires_in: Some("1d".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    (btcpay, made)
}

/// How many invoices the first of `e`'s sync passes that polls at all (within 5 s: a
/// lease let go by a stopped process moves as its connection closes) checked.
async fn first_pass_that_polls(e: &Engine) -> usize {
    for _ in 0..50 {
        let checked = e.sync_once().await.unwrap().checked;
        if checked > 0 {
            return checked;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    0
}

/// A sandbox link for 4,000 won.
fn sandbox_link(name: &str) -> NewLink {
    NewLink {
        account: "sandbox".into(),
        name: name.into(),
        amount: "4000".into(),
        expires_in: Some("1d".into()),
        ..Default::default()
    }
}

fn without_password(url: &str) -> (String, String) {
    let mut u = url::Url::parse(url).unwrap();
    let password = u.password().unwrap_or_default().to_string();
    u.set_password(None).unwrap();
    (u.to_string(), password)
}

#[tokio::test]
async fn two_counters_on_one_shared_store_see_one_list() {
    let secrets = keyring("test");
    let (address, password) = without_password(&common::fresh_postgres_database().await);
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());

    // A wrong password: refused, nothing kept.
    let err = paydesk::use_shared_store(a.path(), &secrets, &typed(&address, Some("wrong")))
        .await
        .unwrap_err();
    assert!(!err.to_string().contains(&password), "{err}");
    assert!(!a.path().join(paydesk::LOCATION_FILE).exists());
    assert!(matches!(
        paydesk::store_location(a.path()).unwrap(),
        StoreLocation::Local { .. }
    ));

    // Counter A is given the password; counter B (same database) finds it in the keyring.
    let at_a = paydesk::use_shared_store(a.path(), &secrets, &typed(&address, Some(&password)))
        .await
        .unwrap();
    assert_eq!(
        at_a,
        StoreLocation::Postgres {
            url: address.clone()
        }
    );
    paydesk::use_shared_store(b.path(), &secrets, &typed(&address, None))
        .await
        .unwrap();
    let kept = std::fs::read_to_string(a.path().join(paydesk::LOCATION_FILE)).unwrap();
    assert!(
        !kept.contains(&password),
        "no password in the data folder: {kept}"
    );

    let ea = Engine::open_with(a.path(), secrets.clone()).await.unwrap();
    let eb = Engine::open_with(b.path(), secrets.clone()).await.unwrap();
    let made = ea
        .create_link(NewLink {
            account: "sandbox".into(),
            name: "카운터 1 아메리카노".into(),
            amount: "4500".into(),
            expires_in: Some("1d".into()),
            customer_name: Some("김민준".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let seen = eb.invoices(&ListQuery::default()).await.unwrap();
    assert_eq!(
        seen.iter().map(|i| &i.id).collect::<Vec<_>>(),
        vec![&made.id],
        "counter B lists counter A's link"
    );
    assert_eq!(eb.invoice(&made.id).await.unwrap().name, made.name);
    // Counter B's sandbox does not know counter A's pretend payment: its sync leaves the
    // link alone (no error on it), counter A's follows it.
    let at_b = eb.sync_once().await.unwrap();
    assert!(at_b.errors.is_empty(), "{:?}", at_b.errors);
    assert_eq!(eb.invoice(&made.id).await.unwrap().last_error, None);
    assert!(ea.sync_once().await.unwrap().errors.is_empty());
    // Nothing went into either counter's own file.
    assert!(!a.path().join(paydesk_store::DB_FILE).exists());

    // Back to its own file: counter A's list is its own again (empty), the shared
    // database keeps what it has.
    drop(ea);
    paydesk::use_local_store(a.path()).unwrap();
    let local = Engine::open_with(a.path(), secrets.clone()).await.unwrap();
    assert!(local
        .invoices(&ListQuery::default())
        .await
        .unwrap()
        .is_empty());
    assert_eq!(eb.invoices(&ListQuery::default()).await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_unreachable_shared_store_is_a_clear_error() {
    let secrets = keyring("down");
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let address = format!("postgres://pd@127.0.0.1:{port}/paydesk");
    let err = paydesk::use_shared_store(dir.path(), &secrets, &typed(&address, None))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains(&format!("127.0.0.1:{port}")),
        "{err}"
    );
    assert!(!dir.path().join(paydesk::LOCATION_FILE).exists());
}

#[tokio::test]
async fn one_counter_polls_each_account_until_it_stops() {
    let (_dirs, mut counters) = counters(&keyring("lease"), 2).await;
    let (ea, eb) = (counters.remove(0), counters.remove(0));
    let (btcpay, made) = shop_with_a_link(&ea, "리스").await;
    // Counter A's pass takes the account's lease; counter B's leaves the account alone.
    assert_eq!(ea.sync_once().await.unwrap().checked, 1);
    btcpay.pay(&made.order_id);
    assert_eq!(
        eb.sync_once().await.unwrap().checked,
        0,
        "polled by counter A"
    );
    assert_eq!(eb.invoice(&made.id).await.unwrap().status.as_str(), "open");
    // Counter A stops: the lease moves, counter B polls and sees the payment.
    drop(ea);
    assert_eq!(
        first_pass_that_polls(&eb).await,
        1,
        "counter B took the lease over"
    );
    assert_eq!(eb.invoice(&made.id).await.unwrap().status.as_str(), "paid");
}

#[tokio::test]
async fn a_counter_hears_what_another_changes_as_it_commits() {
    let (_dirs, mut counters) = counters(&keyring("live"), 2).await;
    let (ea, eb) = (counters.remove(0), counters.remove(0));
    eb.follow_other_counters().await.unwrap();
    let mut heard = eb.subscribe();
    let made = ea.create_link(sandbox_link("실시간")).await.unwrap();
    let view = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            let v = heard.recv().await.unwrap();
            if v.id == made.id && v.status == made.status {
                break v;
            }
        }
    })
    .await
    .expect("counter B hears counter A's link");
    assert_eq!(view.name, "실시간");
    // Cancelled at counter A: counter B hears that too.
    ea.cancel(&made.id).await.unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while heard.recv().await.unwrap().status.as_str() != "cancelled" {}
    })
    .await
    .expect("counter B hears the cancel");
}

/// A TCP relay to the test PostgreSQL server on its own port: the shared store "out of
/// reach" when it stops (its connections cut, new ones refused), back when it starts.
struct Relay {
    port: u16,
    task: tokio::task::JoinHandle<()>,
}

impl Relay {
    async fn start(port: u16, to: u16) -> Relay {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap();
        let port = listener.local_addr().unwrap().port();
        let task = tokio::spawn(async move {
            let mut conns = tokio::task::JoinSet::new();
            while let Ok((mut client, _)) = listener.accept().await {
                conns.spawn(async move {
                    if let Ok(mut server) = tokio::net::TcpStream::connect(("127.0.0.1", to)).await
                    {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        });
        Relay { port, task }
    }

    /// Stops listening and cuts every connection (the JoinSet goes with the task).
    async fn stop(self) {
        self.task.abort();
        let _ = self.task.await;
    }
}

/// How many pretend payments the counter's sandbox holds (its own SQLite file).
fn sandbox_payments(dir: &std::path::Path) -> i64 {
    tokio::task::block_in_place(|| {
        tokio::runtime::Handle::current().block_on(async {
            let url = format!(
                "sqlite:{}?mode=ro",
                dir.join(paydesk_providers::sandbox::SANDBOX_FILE).display()
            );
            let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sandbox_payments")
                .fetch_one(&pool)
                .await
                .unwrap();
            pool.close().await;
            n
        })
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_shared_store_records_nothing_and_is_found_again() {
    let secrets = keyring("relay");
    let direct = url::Url::parse(&common::fresh_postgres_database().await).unwrap();
    let relay = Relay::start(0, direct.port().unwrap()).await;
    let port = relay.port;
    let mut via = direct.clone();
    via.set_port(Some(port)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    paydesk::use_shared_store(dir.path(), &secrets, &typed(via.as_str(), None))
        .await
        .unwrap();
    let e = Engine::open_with(dir.path(), secrets.clone())
        .await
        .unwrap();
    e.create_link(sandbox_link("첫 링크")).await.unwrap();
    assert_eq!(sandbox_payments(dir.path()), 1);

    relay.stop().await;
    let err = e
        .create_link(sandbox_link("닿지 않는 링크"))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("cannot be reached"), "{text}");
    assert!(!text.contains(direct.password().unwrap()), "{text}");
    assert_eq!(
        sandbox_payments(dir.path()),
        1,
        "no payment made at the provider"
    );
    assert!(e.sync_once().await.is_err(), "a pass says so too");
    // The background sync tells the window which failure it is (its own banner).
    let mut reports = e.subscribe_sync();
    let looping = e.clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        looping
            .run_sync(Some(std::time::Duration::from_millis(100)), async {
                let _ = stopped.await;
            })
            .await
    });
    let report = tokio::time::timeout(std::time::Duration::from_secs(30), reports.recv())
        .await
        .expect("a report")
        .unwrap();
    assert!(report.store_unreachable, "{:?}", report.failure);
    let _ = stop.send(());
    task.await.unwrap();

    // The server is back: the same engine connects again by itself.
    let _back = Relay::start(port, direct.port().unwrap()).await;
    let mut again = None;
    for _ in 0..20 {
        match e.create_link(sandbox_link("다시 링크")).await {
            Ok(v) => {
                again = Some(v);
                break;
            }
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(250)).await,
        }
    }
    again.expect("the store is found again");
    let names: Vec<String> = e
        .invoices(&ListQuery::default())
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.name)
        .collect();
    assert_eq!(names, vec!["다시 링크", "첫 링크"], "nothing half-written");
    assert_eq!(sandbox_payments(dir.path()), 2);
}

#[tokio::test]
async fn a_store_server_polls_for_the_shop_while_it_runs() {
    let secrets = keyring("server");
    let (dirs, mut counters) = counters(&secrets, 2).await;
    let counter = counters.remove(0);
    // The store server runs at the second data folder (two engines: one is refused).
    let (server, other) = (
        counters.remove(0),
        Engine::open_with(dirs[1].path(), secrets.clone())
            .await
            .unwrap(),
    );
    let (_btcpay, _) = shop_with_a_link(&counter, "서버").await;
    // The counter polls first and holds the account's lease.
    assert_eq!(counter.sync_once().await.unwrap().checked, 1);
    assert!(server.become_store_server().await.unwrap());
    assert!(
        !other.become_store_server().await.unwrap(),
        "one server at a time"
    );
    assert_eq!(
        server.sync_once().await.unwrap().checked,
        0,
        "still the counter's"
    );
    // The counter sees the server and lets go; the server polls from then on.
    assert_eq!(counter.sync_once().await.unwrap().checked, 0);
    assert_eq!(server.sync_once().await.unwrap().checked, 1);
    assert_eq!(counter.sync_once().await.unwrap().checked, 0);
    // The server stops: the counter polls again.
    drop(other);
    drop(server);
    assert_eq!(first_pass_that_polls(&counter).await, 1);
}
