//! A shop with several counters: data folders pointed at one PostgreSQL database (the
//! throw-away server `./x test` starts) see one list; a wrong address or password
//! changes nothing; the password lives in the keyring, never in the data folder.

use paydesk::{Engine, ListQuery, NewLink, StoreLocation};
use paydesk_secrets::SecretStore;

#[path = "../../paydesk-store/tests/common/mod.rs"]
mod common;

fn without_password(url: &str) -> (String, String) {
    let mut u = url::Url::parse(url).unwrap();
    let password = u.password().unwrap_or_default().to_string();
    u.set_password(None).unwrap();
    (u.to_string(), password)
}

#[tokio::test]
async fn two_counters_on_one_shared_store_see_one_list() {
    let secrets = SecretStore::with_service(format!("paydesk-shared-test-{}", std::process::id()));
    let (address, password) = without_password(&common::fresh_postgres_database().await);
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());

    // A wrong password: refused, nothing kept.
    let err = paydesk::use_shared_store(
        a.path(),
        &secrets,
        &address,
        Some(paydesk::Secret::from("wrong".to_string())),
    )
    .await
    .unwrap_err();
    assert!(!err.to_string().contains(&password), "{err}");
    assert!(!a.path().join(paydesk::LOCATION_FILE).exists());
    assert!(matches!(
        paydesk::store_location(a.path()).unwrap(),
        StoreLocation::Local { .. }
    ));

    // Counter A is given the password; counter B (same database) finds it in the keyring.
    let at_a = paydesk::use_shared_store(
        a.path(),
        &secrets,
        &address,
        Some(paydesk::Secret::from(password.clone())),
    )
    .await
    .unwrap();
    assert_eq!(
        at_a,
        StoreLocation::Postgres {
            url: address.clone()
        }
    );
    paydesk::use_shared_store(b.path(), &secrets, &address, None)
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
    let secrets = SecretStore::with_service(format!("paydesk-shared-down-{}", std::process::id()));
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let err = paydesk::use_shared_store(
        dir.path(),
        &secrets,
        &format!("postgres://pd@127.0.0.1:{port}/paydesk"),
        None,
    )
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
    let secrets = SecretStore::with_service(format!("paydesk-shared-lease-{}", std::process::id()));
    let url = common::fresh_postgres_database().await;
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for d in [&a, &b] {
        paydesk::use_shared_store(d.path(), &secrets, &url, None)
            .await
            .unwrap();
    }
    let ea = Engine::open_with(a.path(), secrets.clone()).await.unwrap();
    let eb = Engine::open_with(b.path(), secrets.clone()).await.unwrap();
    let (base, btcpay) = paydesk_standins::btcpay().await;
    ea.add_account(paydesk::NewAccount {
        name: "shop".into(),
        provider: "btcpay".into(),
        base_url: Some(base),
        store_id: Some("S1".into()),
        secrets: vec![("api_key".into(), paydesk::Secret::from("k".to_string()))],
        ..Default::default()
    })
    .await
    .unwrap();
    let made = ea
        .create_link(NewLink {
            account: "shop".into(),
            name: "리스".into(),
            amount: "5.00".into(),
            currency: Some("USD".into()),
            expires_in: Some("1d".into()),
            ..Default::default()
        })
        .await
        .unwrap();
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
    let mut checked = 0;
    for _ in 0..50 {
        checked = eb.sync_once().await.unwrap().checked;
        if checked > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(checked, 1, "counter B took the lease over");
    assert_eq!(eb.invoice(&made.id).await.unwrap().status.as_str(), "paid");
}

#[tokio::test]
async fn a_counter_hears_what_another_changes_as_it_commits() {
    let secrets = SecretStore::with_service(format!("paydesk-shared-live-{}", std::process::id()));
    let url = common::fresh_postgres_database().await;
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for d in [&a, &b] {
        paydesk::use_shared_store(d.path(), &secrets, &url, None)
            .await
            .unwrap();
    }
    let ea = Engine::open_with(a.path(), secrets.clone()).await.unwrap();
    let eb = Engine::open_with(b.path(), secrets.clone()).await.unwrap();
    eb.follow_other_counters().await.unwrap();
    let mut heard = eb.subscribe();
    let made = ea
        .create_link(NewLink {
            account: "sandbox".into(),
            name: "실시간".into(),
            amount: "3000".into(),
            expires_in: Some("1d".into()),
            ..Default::default()
        })
        .await
        .unwrap();
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
