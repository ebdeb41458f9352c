//! Store + secrets + sandbox through the engine, as the shells use it. Secrets go to
//! the real Secret Service (`./x test` starts one), under a service name of the test's.

use chrono::Utc;
use paydesk::core::{Lang, Status};
use paydesk::{Engine, EngineError, ListQuery, NewAccount, NewLink, Secret, SyncErrorKind};
use paydesk_secrets::SecretStore;

async fn engine() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let secrets = SecretStore::with_service(format!("paydesk-engine-test-{}", std::process::id()));
    let e = Engine::open_with(dir.path(), secrets).await.unwrap();
    (dir, e)
}

/// A BTCPay account at `url` with its key in the keyring.
async fn add_btcpay(e: &Engine, name: &str, url: impl Into<String>) {
    e.add_account(NewAccount {
        name: name.into(),
        provider: "btcpay".into(),
        base_url: Some(url.into()),
        store_id: Some("S1".into()),
        secrets: vec![("api_key".into(), Secret::from("k".to_string()))],
        ..Default::default()
    })
    .await
    .unwrap();
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
    assert_eq!(inv.status, Status::Open);
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
            .map(|t| (
                t.event.as_str(),
                t.status.map(Status::as_str),
                t.source.as_str()
            ))
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
async fn an_order_id_clashes_only_with_another_order_id() {
    let (_d, e) = engine().await;
    let first = e.create_link(link("first", "1000")).await.unwrap();
    // The merchant's own order id may be any text another invoice's provider uses.
    let provider_ref = first.provider_id.clone().unwrap();
    let mut second = link("second", "2000");
    second.order_id = Some(provider_ref.clone());
    let made = e.create_link(second).await.unwrap();
    assert_eq!(made.order_id, provider_ref);
    // The same order id twice is refused, naming the field, and nothing is written.
    let mut third = link("third", "3000");
    third.order_id = Some(first.order_id.clone());
    let err = e.create_link(third).await.unwrap_err();
    assert_eq!(err.field(), Some("order_id"), "{err}");
    assert_eq!(e.count_invoices(&ListQuery::default()).await.unwrap(), 2);
}

/// Makes the local database refuse every status change (as a full disk or a broken file
/// would) until `heal` drops the trigger.
async fn break_status_updates(dir: &std::path::Path) -> sqlx::SqlitePool {
    let url = format!("sqlite://{}", dir.join("paydesk.sqlite").display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::query(
        "CREATE TRIGGER broken BEFORE UPDATE OF status ON invoices
         BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool
}

#[tokio::test]
async fn a_local_database_failure_during_sync_is_not_blamed_on_the_provider() {
    let (d, e) = engine().await;
    let inv = e.create_link(link("local fault", "5500")).await.unwrap();
    let mut events = e.subscribe();
    e.sandbox()
        .pay(inv.provider_id.as_deref().unwrap(), None, false, Utc::now())
        .await
        .unwrap();
    let pool = break_status_updates(d.path()).await;
    let report = e.sync_once().await.unwrap();
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    let err = &report.errors[0];
    assert_eq!(err.kind, SyncErrorKind::Local, "{err:?}");
    assert!(
        !err.message.contains("sandbox") && err.message.contains("disk is full"),
        "the message names the local fault, not the provider: {}",
        err.message
    );
    assert!(report.changed.is_empty());
    assert_eq!(e.invoice(&inv.id).await.unwrap().status, Status::Open);
    // No back-off was started for the provider: the next pass asks it again at once
    // and, with the database mended, records the payment.
    sqlx::query("DROP TRIGGER broken")
        .execute(&pool)
        .await
        .unwrap();
    let report = e.sync_once().await.unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.changed.len(), 1);
    assert_eq!(events.recv().await.unwrap().status, Status::Paid);
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
    assert_eq!(view.secrets.get("api_key").map(|s| s.as_str()), Some("set"));
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
        callback_url: Some("https://shop.example/pipe/callback".into()),
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

/// A BTCPay stand-in that takes the first create, keeps the invoice, and drops the
/// connection without answering (what a network fault looks like from the client);
/// afterwards it answers lookups by order id with what it keeps.
async fn dropping_btcpay(garble: bool) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let creates = std::sync::Arc::new(AtomicUsize::new(0));
    let seen = creates.clone();
    tokio::spawn(async move {
        let mut order_id = String::new();
        loop {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = vec![0u8; 64 * 1024];
            let mut len = 0;
            // Read until the headers and the announced body are in.
            loop {
                let n = s.read(&mut buf[len..]).await.unwrap_or(0);
                len += n;
                let text = String::from_utf8_lossy(&buf[..len]).to_string();
                if let Some(end) = text.find("\r\n\r\n") {
                    let body_len = text
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if len >= end + 4 + body_len || n == 0 {
                        break;
                    }
                } else if n == 0 {
                    break;
                }
            }
            let text = String::from_utf8_lossy(&buf[..len]).to_string();
            if text.starts_with("POST ") {
                seen.fetch_add(1, Ordering::SeqCst);
                let body = &text[text.find("\r\n\r\n").unwrap() + 4..];
                let v: serde_json::Value = serde_json::from_str(body).unwrap();
                order_id = v["metadata"]["orderId"].as_str().unwrap().to_string();
                if garble {
                    // Accepted, and answered with something no one can read.
                    let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 9\r\nConnection: close\r\n\r\n{\"id\": 4}").await;
                }
                drop(s); // accepted, never answered properly
                continue;
            }
            let list = if order_id.is_empty() {
                serde_json::json!([])
            } else {
                serde_json::json!([{ "id": "BTCPAY-INV-1", "status": "New", "additionalStatus": "None", "amount": "5.00",
                    "currency": "USD", "checkoutLink": "https://btcpay.example/i/BTCPAY-INV-1", "metadata": { "orderId": order_id } }])
            };
            let body = if text.starts_with("GET /api/v1/stores/") {
                list.to_string()
            } else {
                list[0].to_string()
            };
            let resp = format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
            let _ = s.write_all(resp.as_bytes()).await;
        }
    });
    (format!("http://{addr}"), creates)
}

#[tokio::test]
async fn an_unknown_outcome_is_reconciled_by_order_id_never_created_twice() {
    for garble in [false, true] {
        unknown_outcome(garble).await;
    }
}

async fn unknown_outcome(garble: bool) {
    use std::sync::atomic::Ordering;
    let (_d, e) = engine().await;
    let (url, creates) = dropping_btcpay(garble).await;
    add_btcpay(&e, "shop", url).await;
    let err = e
        .create_link(NewLink {
            account: "shop".into(),
            currency: Some("USD".into()),
            ..link("Coffee", "5.00")
        })
        .await
        .unwrap_err();
    let EngineError::Provider { created, .. } = &err else {
        panic!("{err}")
    };
    assert!(created, "the draft is kept: {err}");
    let expected = if garble { "malformed" } else { "unreachable" };
    assert!(err.to_string().contains(expected), "{err}");
    let drafts = e.invoices(&ListQuery::default()).await.unwrap();
    assert_eq!((drafts.len(), drafts[0].status.as_str()), (1, "draft"));
    assert!(drafts[0].last_error.is_some());
    // Sync looks the order id up first and adopts what the provider made.
    let report = e.sync_once().await.unwrap();
    assert_eq!(report.errors.len(), 0, "{:?}", report.errors);
    let adopted = e.invoice(&drafts[0].id).await.unwrap();
    assert_eq!(adopted.status, Status::Open);
    assert_eq!(adopted.provider_id.as_deref(), Some("BTCPAY-INV-1"));
    assert_eq!(
        creates.load(Ordering::SeqCst),
        1,
        "one create ever reached the provider"
    );
    e.sync_once().await.unwrap();
    assert_eq!(creates.load(Ordering::SeqCst), 1);
    e.remove_account("shop").await.ok();
}

#[tokio::test]
async fn the_actions_offered_follow_state_and_provider() {
    let (_d, e) = engine().await;
    let inv = e.create_link(link("x", "1000")).await.unwrap();
    assert!(inv.actions.cancel && !inv.actions.refund);
    e.sandbox()
        .pay(inv.provider_id.as_deref().unwrap(), None, false, Utc::now())
        .await
        .unwrap();
    e.sync_once().await.unwrap();
    let paid = e.invoice(&inv.id).await.unwrap();
    assert!(!paid.actions.cancel && paid.actions.refund && paid.actions.partial_refund);
}

/// Which providers send the link to the customer themselves is the engine's answer (the
/// window offers "by provider" from it): Bootpay does, the sandbox does not.
#[tokio::test]
async fn only_a_provider_that_notifies_customers_offers_to_send_by_provider() {
    let (_d, e) = engine().await;
    e.add_account(NewAccount {
        name: "boot".into(),
        provider: "bootpay".into(),
        secrets: vec![
            ("client_key".into(), Secret::from("c".to_string())),
            ("secret_key".into(), Secret::from("s".to_string())),
        ],
        ..Default::default()
    })
    .await
    .unwrap();
    let by_provider = |name: &str| {
        let name = name.to_string();
        let e = e.clone();
        async move {
            e.accounts()
                .await
                .unwrap()
                .into_iter()
                .find(|a| a.name == name)
                .unwrap()
                .capabilities
                .notify_customer
        }
    };
    assert!(by_provider("boot").await);
    assert!(!by_provider("sandbox").await);
    let inv = e.create_link(link("x", "1000")).await.unwrap();
    assert!(!inv.actions.notify_customer);
    let refused = e
        .send(paydesk::SendRequest {
            invoice: inv.id.clone(),
            via: "provider".into(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(refused.field(), Some("via"), "{refused}");
    e.remove_account("boot").await.unwrap();
}

/// The shells ask for documents without choosing their layout, language or store name:
/// the engine's defaults (A4, Korean, the store's own name) apply.
#[tokio::test]
async fn documents_take_the_engine_s_defaults() {
    let (_d, e) = engine().await;
    e.set_setting("store_name", "하나상회").await.unwrap();
    let inv = e.create_link(link("x", "1000")).await.unwrap();
    let pdf = e.invoice_pdf(&inv.id, None, None).await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let mut cvs = link("slip", "2000");
    cvs.customer_name = Some("김민준".into());
    let slip = e.issue_cvs(cvs).await.unwrap();
    let path = e.print_slips(&[], None).await.unwrap();
    assert!(std::fs::read(&path).unwrap().starts_with(b"%PDF"));
    let preview = e.slip_preview(&slip.id, "ko").await.unwrap();
    assert_eq!(preview.store, "하나상회");
    let err = e
        .slips(std::slice::from_ref(&slip.id), Some("a5"), None, None)
        .await
        .unwrap_err();
    assert_eq!(err.field(), Some("layout"));
}

#[tokio::test]
async fn without_an_order_lookup_an_unknown_create_waits_for_the_clerk() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    // A PIPE that takes every request and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = std::sync::Arc::new(AtomicUsize::new(0));
    let seen = hits.clone();
    tokio::spawn(async move {
        loop {
            let (mut s, _) = listener.accept().await.unwrap();
            seen.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 8192];
            let _ = tokio::io::AsyncReadExt::read(&mut s, &mut buf).await;
        }
    });
    let (_d, e) = engine().await;
    e.add_account(NewAccount {
        name: "pipe".into(),
        provider: "pipe".into(),
        callback_url: Some("https://shop.example/pipe/callback".into()),
        base_url: Some(format!("http://{addr}")),
        secrets: vec![("api_key".into(), Secret::from("k".to_string()))],
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
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    let report = e.sync_once().await.unwrap();
    assert!(
        report.errors[0].message.contains("cannot look orders up"),
        "{:?}",
        report.errors
    );
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "never sent a second time on a guess"
    );
    // The clerk checks PIPE's console and drops the draft.
    let id = &e.invoices(&ListQuery::default()).await.unwrap()[0].id;
    assert_eq!(e.cancel(id).await.unwrap().status, Status::Cancelled);
    e.remove_account("pipe").await.ok();
}

#[tokio::test]
async fn an_unreachable_provider_is_reported_as_such_after_every_pass() {
    let (_d, e) = engine().await;
    let mut passes = e.subscribe_sync();
    add_btcpay(&e, "down", "http://127.0.0.1:9").await;
    let err = e
        .create_link(NewLink {
            account: "down".into(),
            currency: Some("USD".into()),
            ..link("x", "5.00")
        })
        .await
        .unwrap_err();
    assert!(err.to_string().contains("unreachable"), "{err}");
    let report = e.sync_once().await.unwrap();
    assert_eq!(report.errors.len(), 1);
    assert_eq!(
        (report.errors[0].kind, report.errors[0].account.as_str()),
        (SyncErrorKind::Unreachable, "down")
    );
    let seen = passes.recv().await.unwrap();
    assert_eq!(seen.errors[0].kind, SyncErrorKind::Unreachable);
    // The draft is still there, waiting, with the reason on it.
    let drafts = e.invoices(&ListQuery::default()).await.unwrap();
    assert_eq!(drafts[0].status, Status::Draft);
    assert!(drafts[0]
        .last_error
        .as_deref()
        .unwrap()
        .contains("unreachable"));
    e.remove_account("down").await.ok();
}

#[tokio::test]
async fn sync_checks_an_account_in_batches_a_few_at_a_time() {
    let (url, provider) = paydesk_standins::btcpay().await;
    let (_d, e) = engine().await;
    add_btcpay(&e, "shop", url).await;
    let mut orders = vec![];
    for i in 0..120 {
        let l = e
            .create_link(NewLink {
                account: "shop".into(),
                currency: Some("USD".into()),
                ..link(&format!("item {i}"), "5.00")
            })
            .await
            .unwrap();
        orders.push(l.order_id);
    }
    provider.slow(60);
    for o in orders.iter().step_by(10) {
        provider.pay(o);
    }
    let lists_before = provider.calls("list");
    let report = e.sync_once().await.unwrap();
    assert_eq!(
        (report.checked, report.changed.len(), report.errors.len()),
        (120, 12, 0)
    );
    // BTCPay lists up to 50 orders in one request: three requests for 120 invoices.
    assert_eq!(
        provider.calls("list") - lists_before,
        120usize.div_ceil(paydesk::BATCH)
    );
    let most = provider.max_in_flight();
    assert!(
        most <= paydesk::PER_ACCOUNT_CONCURRENCY,
        "at most the limit in flight: {most}"
    );
    assert!(most >= 2, "batches are asked side by side: {most}");
    // The unchanged ones were recorded as checked too (in one write per batch).
    let all = e
        .invoices(&ListQuery {
            limit: Some(500),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(all.len(), 120);
    assert!(all.iter().all(|i| i.last_checked_at.is_some()));
    assert_eq!(all.iter().filter(|i| i.status == Status::Paid).count(), 12);
    e.remove_account("shop").await.ok();
}

#[tokio::test]
async fn one_provider_token_serves_every_call_of_the_app() {
    let (url, provider) = paydesk_standins::portone().await;
    let (_d, e) = engine().await;
    e.add_account(NewAccount {
        name: "po".into(),
        provider: "portone".into(),
        base_url: Some(url),
        channel_key: Some("ch".into()),
        secrets: vec![
            ("imp_key".into(), Secret::from("k".to_string())),
            ("imp_secret".into(), Secret::from("s".to_string())),
        ],
        ..Default::default()
    })
    .await
    .unwrap();
    for i in 0..3 {
        e.issue_cvs(NewLink {
            account: "po".into(),
            ..link(&format!("cvs {i}"), "5000")
        })
        .await
        .unwrap();
    }
    e.sync_once().await.unwrap();
    assert_eq!(provider.calls("create"), 3);
    assert_eq!(
        provider.calls("token"),
        1,
        "the adapter (and its token) is kept per account"
    );
    e.remove_account("po").await.unwrap_err(); // it has invoices: kept
}

#[tokio::test]
async fn the_dashboard_counts_today_s_money_and_lists_what_needs_the_clerk() {
    let (_d, e) = engine().await;
    let paid = e.create_link(link("커피", "4500")).await.unwrap();
    let short = e.create_link(link("케이크", "32000")).await.unwrap();
    let gone = e.create_link(link("쿠키", "3000")).await.unwrap();
    let _waiting = e.create_link(link("빵", "2500")).await.unwrap();
    e.sandbox_pay(&paid.id, None, false).await.unwrap();
    e.sandbox_pay(&short.id, Some("30000"), false)
        .await
        .unwrap();
    e.sandbox_expire(&gone.id).await.unwrap();
    e.sync_once().await.unwrap();

    let d = e.dashboard().await.unwrap();
    let today = &d.periods[0];
    assert_eq!(today.period, "today");
    assert_eq!(today.paid.len(), 1, "{:?}", today.paid);
    let krw = &today.paid[0];
    assert_eq!(
        (krw.currency.as_str(), krw.count, krw.amount.as_str()),
        ("KRW", 1, "4500")
    );
    assert_eq!(krw.amount_display, "₩4,500");
    // The short payment leaves its invoice open (and flagged), with the untouched one.
    assert_eq!(e.invoice(&short.id).await.unwrap().status, Status::Open);
    assert_eq!((today.open, today.expired), (2, 1));
    // The week and the month include today.
    assert!(d.periods[1..].iter().all(|p| p.paid[0].count == 1));
    assert_eq!(d.daily.len(), 14);
    assert_eq!(d.daily.last().unwrap().paid, 1);
    assert_eq!(d.daily.iter().map(|x| x.paid).sum::<i64>(), 1);
    let flagged: Vec<(&str, &Vec<String>)> = d
        .attention
        .iter()
        .map(|a| (a.invoice.name.as_str(), &a.reasons))
        .collect();
    assert_eq!(flagged, vec![("케이크", &vec!["underpaid".to_string()])]);

    // The line above the list: open now (the short one and the untouched one), and
    // today's money, the same as the overview's.
    let line = e.list_totals().await.unwrap();
    assert_eq!(line.open, 2);
    assert_eq!(
        line.paid_today
            .iter()
            .map(|m| m.amount.as_str())
            .collect::<Vec<_>>(),
        vec!["4500"]
    );
}

#[tokio::test]
async fn the_list_is_counted_and_paged_in_the_backend() {
    let (_d, e) = engine().await;
    for i in 0..25 {
        e.create_link(link(&format!("상품 {i:02}"), "1000"))
            .await
            .unwrap();
    }
    let q = ListQuery {
        limit: Some(10),
        ..Default::default()
    };
    assert_eq!(e.count_invoices(&q).await.unwrap(), 25);
    let first = e.invoices(&q).await.unwrap();
    let third = e
        .invoices(&ListQuery {
            offset: Some(20),
            ..q.clone()
        })
        .await
        .unwrap();
    assert_eq!((first.len(), third.len()), (10, 5));
    assert_eq!(first[0].name, "상품 24", "newest first");
    assert_eq!(third[4].name, "상품 00");
    let searched = ListQuery {
        search: Some("상품 1".into()),
        ..Default::default()
    };
    assert_eq!(e.count_invoices(&searched).await.unwrap(), 10);
}

#[tokio::test]
async fn the_list_sorts_by_any_column_and_pages_stably() {
    let (_d, e) = engine().await;
    for (name, amount, customer, email) in [
        ("나 상품", "3000", Some("김하나"), Some("kim@example.kr")),
        ("가 상품", "1000", None, None),
        ("다 상품", "2000", Some("박두리"), Some("park@example.kr")),
        ("라 상품", "2000", Some("이세나"), Some("lee@example.kr")),
    ] {
        e.create_link(NewLink {
            customer_name: customer.map(str::to_string),
            email: email.map(str::to_string),
            ..link(name, amount)
        })
        .await
        .unwrap();
    }
    let names = |sort: &str, descending: Option<bool>| {
        let e = e.clone();
        let sort = sort.to_string();
        async move {
            let q = ListQuery {
                sort: Some(sort),
                descending,
                ..Default::default()
            };
            let all: Vec<String> = e
                .invoices(&q)
                .await
                .unwrap()
                .into_iter()
                .map(|i| i.name)
                .collect();
            // Page by page, the same order: nothing repeated, nothing skipped.
            let mut paged = Vec::new();
            for offset in 0..4 {
                let page = e
                    .invoices(&ListQuery {
                        limit: Some(1),
                        offset: Some(offset),
                        ..q.clone()
                    })
                    .await
                    .unwrap();
                paged.extend(page.into_iter().map(|i| i.name));
            }
            assert_eq!(all, paged);
            // And after the last row shown (keyset), the same order again.
            let mut after: Option<String> = None;
            let mut keyset = Vec::new();
            loop {
                let page = e
                    .invoices(&ListQuery {
                        limit: Some(1),
                        after: after.clone(),
                        ..q.clone()
                    })
                    .await
                    .unwrap();
                let Some(last) = page.last() else { break };
                after = Some(last.id.clone());
                keyset.extend(page.into_iter().map(|i| i.name));
            }
            assert_eq!(all, keyset);
            all.iter()
                .map(|n| n.chars().next().unwrap())
                .collect::<String>()
        }
    };
    assert_eq!(names("created", None).await, "라다가나", "newest first");
    assert_eq!(names("name", None).await, "가나다라");
    assert_eq!(names("name", Some(true)).await, "라다나가");
    // Largest first; equal amounts newest first.
    assert_eq!(names("amount", None).await, "나라다가");
    assert_eq!(names("amount", Some(false)).await, "가라다나");
    // By customer name (김, 박, 이), the one without a customer last.
    assert_eq!(names("customer", None).await, "나다라가");
    assert_eq!(names("customer", Some(true)).await, "라다나가");
    let bad = e
        .invoices(&ListQuery {
            sort: Some("price".into()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(bad.to_string().contains("sort"), "{bad}");
    let unknown = e
        .invoices(&ListQuery {
            after: Some("inv_nothere".into()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(unknown.to_string().contains("after"), "{unknown}");
}

#[tokio::test]
async fn the_list_filters_by_account_and_by_day_in_the_store_s_time_zone() {
    let (_d, e) = engine().await;
    e.create_link(link("오늘", "1000")).await.unwrap();
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(9 * 3600).unwrap())
        .format("%Y-%m-%d")
        .to_string();
    let q = |from: Option<&str>, to: Option<&str>, account: Option<&str>| ListQuery {
        from: from.map(str::to_string),
        to: to.map(str::to_string),
        account: account.map(str::to_string),
        ..Default::default()
    };
    assert_eq!(
        e.count_invoices(&q(Some(&today), Some(&today), None))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        e.count_invoices(&q(Some("2099-01-01"), None, None))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        e.count_invoices(&q(None, Some("2000-01-01"), None))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        e.count_invoices(&q(None, None, Some("sandbox")))
            .await
            .unwrap(),
        1
    );
    let bad = e
        .count_invoices(&q(Some("today"), None, None))
        .await
        .unwrap_err();
    assert_eq!(bad.field(), Some("from"));
    let backwards = e
        .count_invoices(&q(Some("2026-12-02"), Some("2026-12-01"), None))
        .await
        .unwrap_err();
    assert_eq!(backwards.field(), Some("to"));
    let unknown = e
        .count_invoices(&q(None, None, Some("nobody")))
        .await
        .unwrap_err();
    assert_eq!(unknown.field(), Some("account"));
}

#[tokio::test]
async fn diagnostics_say_whether_keys_are_set_never_what_they_are() {
    let (_d, e) = engine().await;
    e.add_account(NewAccount {
        name: "coin".into(),
        provider: "btcpay".into(),
        base_url: Some("http://127.0.0.1:9".into()),
        store_id: Some("S1".into()),
        secrets: vec![(
            "api_key".into(),
            Secret::from("DIAG-CANARY-KEY".to_string()),
        )],
        ..Default::default()
    })
    .await
    .unwrap();
    let _ = e
        .create_link(NewLink {
            account: "coin".into(),
            currency: Some("USD".into()),
            ..link("x", "5.00")
        })
        .await;
    let text = e.diagnostics("9.9.9").await.unwrap();
    assert!(text.starts_with("PayDesk 9.9.9"), "{text}");
    assert!(text.contains("coin (btcpay) api_key: set"), "{text}");
    assert!(text.contains("Database schema: v"), "{text}");
    assert!(
        text.contains("unreachable"),
        "the provider error is listed: {text}"
    );
    assert!(!text.contains("DIAG-CANARY-KEY"));
    e.remove_account("coin").await.ok();
}

#[tokio::test]
async fn the_create_form_previews_the_message_before_the_link_exists() {
    let (_d, e) = engine().await;
    e.set_setting("store_name", "하나상회").await.unwrap();
    let mut l = link("딸기 케이크", "29900");
    l.customer_name = Some("김민준".into());
    l.phone = Some("010-1234-5678".into());
    let p = e.preview_new_link(&l, "sms").await.unwrap();
    // (A Korean SMS writes won as 원 and fits one SMS; the greeting is the e-mail's.)
    for part in [
        "하나상회",
        "딸기 케이크",
        "29,900원",
        "https://pay.example/",
    ] {
        assert!(p.text.contains(part), "{part} in {:?}", p.text);
    }
    assert_eq!(p.lang, Lang::Ko);
    assert!(p.bytes.unwrap() <= 90, "{:?}", p.bytes);
    let mail = e.preview_new_link(&l, "email").await.unwrap();
    assert!(
        mail.text.contains("김민준") && mail.text.contains("₩29,900"),
        "{}",
        mail.text
    );

    // A Japanese number gets the Japanese text; e-mail has a subject.
    l.phone = Some("+81 90-1234-5678".into());
    assert_eq!(e.preview_new_link(&l, "sms").await.unwrap().lang, Lang::Ja);
    let mail = e
        .preview_new_link(&link("x", "1000"), "email")
        .await
        .unwrap();
    assert!(mail.subject.is_some_and(|s| !s.is_empty()));

    // The same input errors as creating the link, naming the field; nothing is made.
    let err = e
        .preview_new_link(&link("x", "12.5"), "sms")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, EngineError::Input(f) if f[0].field == "amount"),
        "{err:?}"
    );
    assert_eq!(e.count_invoices(&ListQuery::default()).await.unwrap(), 0);
}

#[tokio::test]
async fn payments_that_add_up_past_any_amount_are_refused_and_the_invoice_stays_readable() {
    let (_d, e) = engine().await;
    let inv = e.create_link(link("큰 돈", "29900")).await.unwrap();
    let pid = inv.provider_id.clone().unwrap();
    let most = paydesk::core::Money::from_minor(
        paydesk::core::money::MAX_MINOR,
        paydesk::core::Currency::Krw,
    )
    .unwrap();
    e.sandbox()
        .pay(&pid, Some(most), false, Utc::now())
        .await
        .unwrap();
    let again = e.sandbox().pay(&pid, Some(most), false, Utc::now()).await;
    assert!(
        again.is_err(),
        "the sum would be more than any invoice holds"
    );
    let report = e.sync_once().await.unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let shown = e.invoice(&inv.id).await.unwrap();
    assert_eq!(shown.status, Status::Paid);
    assert!(shown.overpaid);
    // Still listed and readable afterwards.
    assert_eq!(e.invoices(&ListQuery::default()).await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_invoice_is_duplicated_with_its_item_amount_customer_and_deadline_only() {
    let (_d, e) = engine().await;
    let first = e
        .create_link(NewLink {
            customer_name: Some("김하나".into()),
            email: Some("hana@example.kr".into()),
            phone: Some("010-2345-6789".into()),
            tax_free: Some("1000".into()),
            expires_in: Some("3d".into()),
            ..link("원두 1kg", "32000")
        })
        .await
        .unwrap();
    let form = e.duplicate_form(&first.order_id).await.unwrap();
    assert_eq!(form.kind, paydesk::core::InvoiceKind::Link);
    let l = &form.link;
    assert_eq!(
        (l.account.as_str(), l.name.as_str(), l.amount.as_str()),
        ("sandbox", "원두 1kg", "32000")
    );
    assert_eq!(l.currency.as_deref(), Some("KRW"));
    assert_eq!(l.tax_free.as_deref(), Some("1000"));
    assert_eq!(l.expires_in.as_deref(), Some("3d"));
    assert_eq!(l.customer_name.as_deref(), Some("김하나"));
    assert_eq!(l.email.as_deref(), Some("hana@example.kr"));
    assert_eq!(l.phone.as_deref(), Some("+821023456789"));
    assert!(l.order_id.is_none() && l.send.is_empty(), "{l:?}");
    // Nothing was written by the form.
    assert_eq!(e.count_invoices(&ListQuery::default()).await.unwrap(), 1);

    let second = e.duplicate(&first.id).await.unwrap();
    assert_ne!(second.id, first.id);
    assert_ne!(second.order_id, first.order_id);
    assert_ne!(second.payment_url, first.payment_url);
    assert_eq!(
        (second.name.as_str(), second.amount_minor, second.status),
        ("원두 1kg", 32000, paydesk::core::Status::Open)
    );
    assert_eq!(second.tax_free, first.tax_free);
    assert_eq!(
        second.customer.as_ref().map(|c| &c.id),
        first.customer.as_ref().map(|c| &c.id),
        "the same customer, not a new one"
    );
    assert!(first.customer.is_some());

    // A convenience-store payment number is copied as one; a deadline no one picks is not kept.
    let mut cvs = link("slip", "2000");
    cvs.expires_in = Some("5h".into());
    let slip = e.issue_cvs(cvs).await.unwrap();
    let form = e.duplicate_form(&slip.id).await.unwrap();
    assert_eq!(form.kind, paydesk::core::InvoiceKind::Cvs);
    assert_eq!(form.link.expires_in, None);
    let again = e.duplicate(&slip.id).await.unwrap();
    assert_eq!(again.kind, paydesk::core::InvoiceKind::Cvs);
    assert!(again.payment_number.is_some());

    let unknown = e.duplicate_form("inv_nothere").await.unwrap_err();
    assert!(unknown.to_string().contains("id"), "{unknown}");
}

/// What a clerk can get wrong in the window comes back with a code the window has its
/// own words for, never only the engine's English (`invalid`).
#[tokio::test]
async fn refusals_a_clerk_meets_carry_a_code_the_window_translates() {
    use paydesk::core::InputCode;
    use paydesk::NewChannel;
    let (_d, e) = engine().await;
    let codes = |r: EngineError| match r {
        EngineError::Input(v) => v
            .iter()
            .map(|f| (f.field.clone(), f.code))
            .collect::<Vec<_>>(),
        other => panic!("not an input error: {other:?}"),
    };
    assert_eq!(
        codes(e.invoice("inv_nothing").await.unwrap_err()),
        [("id".to_string(), InputCode::NotFound)]
    );
    let inv = e.create_link(link("케이크", "32000")).await.unwrap();
    // Open: nothing paid to refund, nothing owed to ask for.
    assert_eq!(
        codes(e.refund(inv.id.as_str(), None).await.unwrap_err()),
        [("id".to_string(), InputCode::NotNow)]
    );
    assert_eq!(
        codes(e.request_rest(inv.id.as_str()).await.unwrap_err()),
        [("id".to_string(), InputCode::NotNow)]
    );
    e.cancel(inv.id.as_str()).await.unwrap();
    assert_eq!(
        codes(e.cancel(inv.id.as_str()).await.unwrap_err()),
        [("id".to_string(), InputCode::NotNow)]
    );
    assert_eq!(
        codes(e.remove_account("sandbox").await.unwrap_err()),
        [("account".to_string(), InputCode::BuiltIn)]
    );
    assert_eq!(
        codes(e.set_setting("sync_interval", "0").await.unwrap_err()),
        [("sync_interval".to_string(), InputCode::CheckInterval)]
    );
    assert_eq!(
        codes(e.print_slips(&[], None).await.unwrap_err()),
        [("id".to_string(), InputCode::NothingToPrint)]
    );
    let bad = e
        .add_account(NewAccount {
            name: "coin".into(),
            provider: "btcpay".into(),
            base_url: Some("btcpay.hana.kr".into()),
            store_id: Some("S1".into()),
            secrets: vec![("api_key".into(), Secret::from("k".to_string()))],
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(
        codes(bad),
        [("base_url".to_string(), InputCode::NotAWebAddress)]
    );
    let bad = e
        .add_channel(NewChannel {
            name: "mail".into(),
            kind: "smtp".into(),
            host: Some("smtp host".into()),
            port: Some(0),
            tls: Some("none".into()),
            username: Some("shop".into()),
            from: Some("not an address".into()),
            secrets: vec![("password".into(), Secret::from("pw".to_string()))],
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(
        codes(bad),
        [
            ("host".to_string(), InputCode::NotAHost),
            ("port".to_string(), InputCode::NotAPort),
            ("tls".to_string(), InputCode::Unencrypted),
            ("from".to_string(), InputCode::NotASender),
        ]
    );
    assert_eq!(
        codes(
            e.set_setting("template.ko.sms", "[{store}] {amount}")
                .await
                .unwrap_err()
        ),
        [("template.ko.sms".to_string(), InputCode::NeedsLink)]
    );
}
