//! Store + secrets + sandbox through the engine, as the shells use it. Secrets go to
//! the real Secret Service (`./x test` starts one), under a service name of the test's.

use chrono::Utc;
use paydesk::{Engine, EngineError, ListQuery, NewAccount, NewLink, Secret};
use paydesk_secrets::SecretStore;

async fn engine() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let secrets = SecretStore::with_service(format!("paydesk-engine-test-{}", std::process::id()));
    let e = Engine::open_with(dir.path(), secrets).await.unwrap();
    (dir, e)
}

fn link(name: &str, amount: &str) -> NewLink {
    NewLink {
        account: "sandbox".into(),
        name: name.into(),
        amount: amount.into(),
        expires_in: Some("1d".into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_link_is_created_paid_and_synced_with_events_and_audit() {
    let (_d, e) = engine().await;
    let mut events = e.subscribe();
    let inv = e.create_link(link("아이스 라떼", "5500")).await.unwrap();
    assert_eq!(inv.status, "open");
    assert!(inv.sandbox);
    assert_eq!(events.recv().await.unwrap().id, inv.id);

    // Nothing to learn yet.
    let report = e.sync_once().await.unwrap();
    assert_eq!((report.checked, report.changed.len()), (1, 0));

    // The customer pays at the sandbox (its own records), PayDesk learns it by sync.
    let pid = inv.provider_id.clone().unwrap();
    e.sandbox()
        .pay(&pid, None, false, Utc::now())
        .await
        .unwrap();
    let report = e.sync_once().await.unwrap();
    assert_eq!(report.changed.len(), 1);
    let changed = events.recv().await.unwrap();
    assert_eq!(
        (changed.id.as_str(), changed.status.as_str()),
        (inv.id.as_str(), "paid")
    );
    let shown = e.invoice(&inv.id).await.unwrap();
    assert_eq!(shown.paid_amount, "5500");
    let tl = shown.timeline.unwrap();
    assert_eq!(
        tl.iter()
            .map(|t| (t.event.as_str(), t.status.as_deref(), t.source.as_str()))
            .collect::<Vec<_>>(),
        vec![
            ("created", Some("draft"), "user"),
            ("status", Some("open"), "user"),
            ("status", Some("paid"), "sync")
        ]
    );
    assert!(tl[2].detail.as_deref().unwrap().contains("sandbox: paid"));
    // A paid invoice is no longer polled (refunds are made from PayDesk itself).
    assert_eq!(e.sync_once().await.unwrap().checked, 0);
}

#[tokio::test]
async fn bad_input_lists_every_wrong_field_and_writes_nothing() {
    let (_d, e) = engine().await;
    let err = e
        .create_link(NewLink {
            account: "nope".into(),
            name: "가".repeat(1_000_000),
            amount: "12.345".into(),
            phone: Some("12".into()),
            email: Some("a@b".into()),
            expires_at: Some("2020-01-01T00:00:00Z".into()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    let EngineError::Input(fields) = &err else {
        panic!("{err}")
    };
    let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(
        names,
        vec!["account", "name", "amount", "expires_at", "phone", "email"]
    );
    assert_eq!(err.exit_code(), 2);
    assert!(e.invoices(&ListQuery::default()).await.unwrap().is_empty());
    assert!(e.customers(None).await.unwrap().is_empty());
}

#[tokio::test]
async fn accounts_keep_keys_in_the_keyring_only() {
    let (dir, e) = engine().await;
    let canary = format!("CANARY-engine-{}", std::process::id());
    let view = e
        .add_account(NewAccount {
            name: "btcpay-shop".into(),
            provider: "btcpay".into(),
            base_url: Some("https://btcpay.example.kr/".into()),
            store_id: Some("store-1".into()),
            secrets: vec![("api_key".into(), Secret::from(canary.clone()))],
            ..Default::default()
        })
        .await
        .expect("the Secret Service answers (run through ./x test)");
    assert_eq!(view.secrets.get("api_key").map(String::as_str), Some("set"));
    assert_eq!(view.settings["base_url"], "https://btcpay.example.kr");
    let json = serde_json::to_string(&e.accounts().await.unwrap()).unwrap();
    assert!(!json.contains(&canary));
    // The store's files never hold it.
    e.store().close().await;
    for f in std::fs::read_dir(dir.path()).unwrap() {
        let p = f.unwrap().path();
        if p.is_file() {
            let bytes = std::fs::read(&p).unwrap();
            assert!(
                !bytes.windows(canary.len()).any(|w| w == canary.as_bytes()),
                "{}",
                p.display()
            );
        }
    }
    let (_d2, e2) = engine().await;
    // A wrong secret name is refused before anything is written.
    let err = e2
        .add_account(NewAccount {
            name: "x".into(),
            provider: "bootpay".into(),
            secrets: vec![("password".into(), Secret::from("p".to_string()))],
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("secret"));
    assert_eq!(e2.accounts().await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_account_without_its_keys_says_so_and_creates_nothing() {
    let (_d, e) = engine().await;
    e.add_account(NewAccount {
        name: "pipe".into(),
        provider: "pipe".into(),
        ..Default::default()
    })
    .await
    .unwrap();
    let err = e
        .create_link(NewLink {
            account: "pipe".into(),
            ..link("x", "1000")
        })
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "provider");
    assert!(e.invoices(&ListQuery::default()).await.unwrap().is_empty());
}
