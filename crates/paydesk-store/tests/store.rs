use chrono::{Duration, TimeZone, Utc};
use paydesk_core::*;
use paydesk_store::*;

fn t0() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap()
}

mod common;

async fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).await.unwrap();
    with_account(s, dir).await
}

/// A store on `backend` with the sandbox account (and its temp folder, for SQLite).
async fn store_on(backend: Backend) -> (tempfile::TempDir, Store) {
    match backend {
        Backend::Sqlite => store().await,
        Backend::Postgres => {
            let url = common::fresh_postgres_database().await;
            let s = Store::connect_postgres(&url).await.unwrap();
            with_account(s, tempfile::tempdir().unwrap()).await
        }
    }
}

/// Each test in it, once on a SQLite file and once on PostgreSQL.
macro_rules! on_both_backends {
    (async fn $name:ident($s:ident: Store) $body:block) => {
        mod $name {
            use super::*;
            async fn run($s: Store) $body
            #[tokio::test]
            async fn sqlite() {
                let (_d, s) = store_on(Backend::Sqlite).await;
                run(s).await
            }
            #[tokio::test]
            async fn postgres() {
                let (_d, s) = store_on(Backend::Postgres).await;
                run(s).await
            }
        }
    };
}

async fn with_account(s: Store, dir: tempfile::TempDir) -> (tempfile::TempDir, Store) {
    s.ensure_account(&AccountRecord {
        name: "sandbox".into(),
        provider: ProviderKind::Sandbox,
        settings: Default::default(),
        created_at: t0(),
    })
    .await
    .unwrap();
    (dir, s)
}

fn invoice(name: &str, customer: Option<&str>) -> Invoice {
    let krw = |m| Money::from_minor(m, Currency::Krw).unwrap();
    Invoice {
        id: paydesk_core::InvoiceId::generate(),
        account: "sandbox".into(),
        provider: ProviderKind::Sandbox,
        provider_id: None,
        order_id: paydesk_core::OrderId::generate(),
        kind: InvoiceKind::Link,
        name: name.into(),
        amount: krw(29900),
        tax_free: krw(0),
        paid: krw(0),
        refunded: krw(0),
        refund_requested: krw(0),
        status: Status::Draft,
        flags: PaymentFlags::default(),
        payment_url: None,
        payment_number: None,
        expires_at: t0() + Duration::days(1),
        customer_id: customer.map(paydesk_core::CustomerId::from_stored),
        created_at: t0(),
        updated_at: t0(),
        last_checked_at: None,
        last_error: None,
        rest_of: None,
        refund_url: None,
        paid_at: None,
    }
}

fn window() -> SyncWindow {
    SyncWindow {
        late_grace: Duration::days(7),
        settled_every: Duration::hours(6),
        refund_window: Duration::days(90),
    }
}

fn update(status: Status, paid: i64, source: Source) -> InvoiceUpdate {
    InvoiceUpdate {
        status,
        flags: PaymentFlags::default(),
        paid_minor: paid,
        refunded_minor: 0,
        provider_id: Some("sbx_1".into()),
        payment_url: Some("http://127.0.0.1:8787/pay/sbx_1".into()),
        payment_number: None,
        refund_url: None,
        source,
        detail: Some("raw: test".into()),
        at: t0() + Duration::minutes(1),
    }
}

#[tokio::test]
async fn opens_in_wal_mode_and_migrates() {
    let (dir, s) = store().await;
    assert_eq!(s.schema_version().await.unwrap(), 8);
    assert!(dir.path().join(DB_FILE).exists());
    assert!(
        dir.path().join(format!("{DB_FILE}-wal")).exists(),
        "WAL file is present"
    );
    // Opening again runs no migration twice and keeps the data.
    let inv = invoice("커피", None);
    s.insert_invoice(&inv, Source::User, None).await.unwrap();
    s.close().await;
    let s2 = Store::open(dir.path()).await.unwrap();
    assert_eq!(s2.invoice(&inv.id).await.unwrap(), inv);
}

on_both_backends! {
    async fn another_provider_invoice_never_silently_replaces_the_one_followed(s: Store) {
        let inv = invoice("두 번", None);
        s.insert_invoice(&inv, Source::User, None).await.unwrap();
        s.apply_update(&inv.id, &update(Status::Open, 0, Source::User))
            .await
            .unwrap();
        let mut other = update(Status::Paid, 29900, Source::Sync);
        other.provider_id = Some("sbx_2".into());
        let err = s.apply_update(&inv.id, &other).await.unwrap_err();
        assert!(
            matches!(err, StoreError::OtherProviderId { ref kept, ref other, .. } if kept == "sbx_1" && other == "sbx_2"),
            "{err}"
        );
        let kept = s.invoice(&inv.id).await.unwrap();
        assert_eq!(
            (kept.provider_id.as_deref(), kept.status),
            (Some("sbx_1"), Status::Open),
            "nothing written"
        );
    }
}

on_both_backends! {
    async fn accounts_are_unique_and_kept_while_used(s: Store) {
        let again = AccountRecord {
            name: "sandbox".into(),
            provider: ProviderKind::Sandbox,
            settings: Default::default(),
            created_at: t0(),
        };
        assert!(matches!(
            s.insert_account(&again).await,
            Err(StoreError::Exists { .. })
        ));
        s.insert_invoice(&invoice("x", None), Source::User, None)
            .await
            .unwrap();
        assert!(s.delete_account("sandbox").await.is_err());
        assert!(matches!(
            s.delete_account("nope").await,
            Err(StoreError::NotFound { .. })
        ));
    }
}

on_both_backends! {
    async fn every_status_change_has_its_audit_entry(s: Store) {
        let inv = invoice("테스트 상품", None);
        s.insert_invoice(&inv, Source::User, Some("sandbox link"))
            .await
            .unwrap();
        let a = s
            .apply_update(&inv.id, &update(Status::Open, 0, Source::User))
            .await
            .unwrap();
        assert!(a.changed);
        assert_eq!(a.after.provider_id.as_deref(), Some("sbx_1"));
        // Nothing new: no audit entry.
        let a = s
            .apply_update(&inv.id, &update(Status::Open, 0, Source::Sync))
            .await
            .unwrap();
        assert!(!a.changed);
        let a = s
            .apply_update(&inv.id, &update(Status::Paid, 29900, Source::Sync))
            .await
            .unwrap();
        assert_eq!(a.after.status, Status::Paid);
        assert_eq!(a.after.paid.minor(), 29900);
        // Forbidden: paid → open. Nothing is written.
        let err = s
            .apply_update(&inv.id, &update(Status::Open, 0, Source::Sync))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Transition(_)), "{err}");
        assert_eq!(s.invoice(&inv.id).await.unwrap().status, Status::Paid);

        let tl = s.timeline(&inv.id).await.unwrap();
        let events: Vec<_> = tl.iter().map(|e| (e.event, e.status, e.source)).collect();
        assert_eq!(
            events,
            vec![
                (TimelineEvent::Created, Some(Status::Draft), Source::User),
                (TimelineEvent::Status, Some(Status::Open), Source::User),
                (TimelineEvent::Status, Some(Status::Paid), Source::Sync),
            ]
        );
        assert!(tl[2].detail.as_deref().unwrap().contains("open → paid"));
    }
}

#[tokio::test]
async fn the_audit_log_is_append_only() {
    let (dir, s) = store().await;
    let inv = invoice("x", None);
    s.insert_invoice(&inv, Source::User, None).await.unwrap();
    s.close().await;
    let pool =
        sqlx::SqlitePool::connect(&format!("sqlite://{}", dir.path().join(DB_FILE).display()))
            .await
            .unwrap();
    let upd = sqlx::query("UPDATE audit_log SET detail = 'forged'")
        .execute(&pool)
        .await;
    assert!(upd.unwrap_err().to_string().contains("append-only"));
    let del = sqlx::query("DELETE FROM audit_log").execute(&pool).await;
    assert!(del.unwrap_err().to_string().contains("append-only"));
}

on_both_backends! {
    async fn search_by_name_customer_and_order_id(s: Store) {
        let kim = Customer {
            id: paydesk_core::CustomerId::generate(),
            name: "김민준".into(),
            phone: Some("+821012345678".into()),
            email: Some("minjun@example.kr".into()),
            created_at: t0(),
        };
        s.insert_customer(&kim).await.unwrap();
        let a = invoice("아메리카노 두 잔", Some(&kim.id));
        let b = invoice("抹茶ラテ", None);
        let c = invoice("100% cotton_shirt", None);
        for i in [&a, &b, &c] {
            s.insert_invoice(i, Source::User, None).await.unwrap();
        }
        let find = |q: &str| {
            let s = s.clone();
            let q = q.to_string();
            async move {
                let mut ids: Vec<String> = s
                    .invoices(&InvoiceFilter {
                        search: Some(q),
                        ..Default::default()
                    })
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|i| i.id.into())
                    .collect();
                ids.sort();
                ids
            }
        };
        assert_eq!(find("메리카").await, vec![a.id.clone()]);
        // The customer's phone in every form a clerk types it, and the e-mail.
        for q in [
            "010-1234-5678",
            "01012345678",
            "+82 10-1234-5678",
            "+821012345678",
            "1234-5678",
            "minjun@example.kr",
        ] {
            assert_eq!(find(q).await, vec![a.id.clone()], "{q}");
        }
        assert!(find("010-9999-0000").await.is_empty());
        for q in [
            "010-1234-5678",
            "01012345678",
            "+82 10 1234 5678",
            "minjun@",
        ] {
            let found = s.customers(Some(q), 10).await.unwrap();
            assert_eq!(found.len(), 1, "{q}");
        }
        assert_eq!(find("김민준").await, vec![a.id.clone()]);
        assert_eq!(
            find("김").await,
            vec![a.id.clone()],
            "short queries fall back to LIKE"
        );
        assert_eq!(find("minjun@").await, vec![a.id.clone()]);
        assert_eq!(find("ラテ").await, vec![b.id.clone()]);
        assert_eq!(find(&b.order_id).await, vec![b.id.clone()]);
        assert_eq!(find("100%").await, vec![c.id.clone()]);
        assert_eq!(
            find("%").await,
            vec![c.id.clone()],
            "LIKE wildcards are literal"
        );
        assert_eq!(find("\"quoted\" OR x").await, Vec::<String>::new());
        assert_eq!(find("없는상품").await, Vec::<String>::new());
    }
}

on_both_backends! {
    async fn sync_picks_open_and_recently_expired_soonest_first(s: Store) {
        let mut late = invoice("late", None);
        late.expires_at = t0() + Duration::days(3);
        let mut soon = invoice("soon", None);
        soon.expires_at = t0() + Duration::hours(1);
        let mut old_expired = invoice("old", None);
        old_expired.expires_at = t0() - Duration::days(30);
        for i in [&late, &soon, &old_expired] {
            s.insert_invoice(i, Source::User, None).await.unwrap();
            s.apply_update(&i.id, &update(Status::Open, 0, Source::User))
                .await
                .unwrap();
        }
        s.apply_update(&old_expired.id, &update(Status::Expired, 0, Source::Sync))
            .await
            .unwrap();
        let picked: Vec<String> = s
            .invoices_to_sync(t0(), &window(), 100)
            .await
            .unwrap()
            .into_iter()
            .map(|i| i.name)
            .collect();
        assert_eq!(picked, vec!["soon", "late"]);
    }
}

on_both_backends! {
    async fn passes_limited_in_size_still_reach_every_invoice(s: Store) {
        let mut ids = vec![];
        for i in 0..5 {
            let mut inv = invoice(&format!("i{i}"), None);
            inv.expires_at = t0() + Duration::hours(1 + i);
            s.insert_invoice(&inv, Source::User, None).await.unwrap();
            ids.push(inv.id);
        }
        let mut seen = std::collections::BTreeSet::new();
        for pass in 0..3 {
            let due = s.invoices_to_sync(t0(), &window(), 2).await.unwrap();
            for inv in due {
                seen.insert(inv.id.clone());
                s.mark_checked_many(&[inv.id.to_string()], t0() + Duration::minutes(pass))
                    .await
                    .unwrap();
            }
        }
        assert_eq!(seen.len(), 5, "three passes of two reach all five");
    }
}

on_both_backends! {
    async fn many_invoices_are_saved_in_one_transaction_all_or_none(s: Store) {
        s.insert_customer(&Customer {
            id: paydesk_core::CustomerId::from_stored("cus_1"),
            name: "김민준".into(),
            phone: None,
            email: None,
            created_at: t0(),
        })
        .await
        .unwrap();
        let batch: Vec<Invoice> = (0..3)
            .map(|i| invoice(&format!("상품 {i}"), Some("cus_1")))
            .collect();
        s.insert_invoices(&batch, Source::User).await.unwrap();
        for inv in &batch {
            assert_eq!(s.invoice(&inv.id).await.unwrap().name, inv.name);
            assert_eq!(
                s.timeline(&inv.id).await.unwrap().len(),
                1,
                "its created entry"
            );
        }
        // Found by the customer's name, like one saved alone.
        let found = s
            .invoices(&InvoiceFilter {
                search: Some("김민준".into()),
                limit: Some(10),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(found.len(), 3);

        // A duplicate order id in a batch: nothing of the batch is saved.
        let fresh = invoice("새 상품", None);
        let mut dup = invoice("중복", None);
        dup.order_id = batch[0].order_id.clone();
        let err = s.insert_invoices(&[fresh.clone(), dup], Source::User).await;
        assert!(matches!(err, Err(StoreError::Exists { .. })), "{err:?}");
        assert!(s.find_invoice(&fresh.id).await.unwrap().is_none());
    }
}

#[cfg(unix)]
#[tokio::test]
async fn the_data_folder_and_database_are_the_owner_s_only() {
    use std::os::unix::fs::PermissionsExt;
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("data");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let s = Store::open(&dir).await.unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join(DB_FILE)), 0o600);
    s.close().await;
}

on_both_backends! {
    async fn paid_invoices_are_asked_about_again_now_and_then_until_the_refund_window_closes(s: Store) {
        let paid = invoice("paid", None);
        s.insert_invoice(&paid, Source::User, None).await.unwrap();
        s.apply_update(&paid.id, &update(Status::Open, 0, Source::User))
            .await
            .unwrap();
        s.apply_update(&paid.id, &update(Status::Paid, 29900, Source::Sync))
            .await
            .unwrap();
        // `update` checks at t0 + 1 min.
        let checked = t0() + Duration::minutes(1);
        let due = |at| {
            let s = s.clone();
            async move {
                s.invoices_to_sync(at, &window(), 100)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|i| i.name)
                    .collect::<Vec<_>>()
            }
        };
        assert!(
            due(checked + Duration::hours(1)).await.is_empty(),
            "just checked"
        );
        assert_eq!(due(checked + Duration::hours(7)).await, vec!["paid"]);
        assert!(
            due(checked + Duration::days(91)).await.is_empty(),
            "past the refund window"
        );
    }
}

#[tokio::test]
async fn a_shared_postgres_store_migrates_once_and_keeps_its_data() {
    let url = common::fresh_postgres_database().await;
    // Two terminals starting at the same moment: one migrates, both open.
    let (a, b) = tokio::join!(Store::connect_postgres(&url), Store::connect_postgres(&url));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.backend(), Backend::Postgres);
    assert_eq!(a.schema_version().await.unwrap(), 8);
    assert_eq!(b.schema_version().await.unwrap(), 8);
    let (_d, a) = with_account(a, tempfile::tempdir().unwrap()).await;
    let inv = invoice("커피", None);
    a.insert_invoice(&inv, Source::User, None).await.unwrap();
    // What one terminal writes, the other reads.
    assert_eq!(b.invoice(&inv.id).await.unwrap(), inv);
    a.close().await;
    b.close().await;
    let again = Store::connect_postgres(&url).await.unwrap();
    assert_eq!(again.invoice(&inv.id).await.unwrap(), inv);
}

#[tokio::test]
async fn the_audit_log_is_append_only_on_postgres() {
    let url = common::fresh_postgres_database().await;
    let (_d, s) = with_account(
        Store::connect_postgres(&url).await.unwrap(),
        tempfile::tempdir().unwrap(),
    )
    .await;
    s.insert_invoice(&invoice("x", None), Source::User, None)
        .await
        .unwrap();
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    for sql in [
        "UPDATE audit_log SET detail = 'forged'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log CASCADE",
    ] {
        let err = sqlx::query(sql).execute(&pool).await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
}

on_both_backends! {
    async fn two_terminals_applying_the_same_payment_audit_it_once(s: Store) {
        // Eight writers (connections of the pool; on PostgreSQL as two terminals would)
        // learn the same payment at the same moment: one change, one audit entry.
        let inv = invoice("동시", None);
        s.insert_invoice(&inv, Source::User, None).await.unwrap();
        s.apply_update(&inv.id, &update(Status::Open, 0, Source::User))
            .await
            .unwrap();
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let s = s.clone();
                let id = inv.id.to_string();
                tokio::spawn(async move {
                    s.apply_update(&id, &update(Status::Paid, 29900, Source::Sync))
                        .await
                        .unwrap()
                        .changed
                })
            })
            .collect();
        let mut changed = 0;
        for t in tasks {
            changed += usize::from(t.await.unwrap());
        }
        assert_eq!(changed, 1, "exactly one writer saw the change");
        let paid_entries = s
            .timeline(&inv.id)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.status == Some(Status::Paid))
            .count();
        assert_eq!(paid_entries, 1);
    }
}

#[tokio::test]
async fn a_refused_postgres_login_never_shows_the_password() {
    let admin = url::Url::parse(&common::postgres_admin_url()).unwrap();
    let mut url = admin.clone();
    url.set_username("nobody_here").unwrap();
    url.set_password(Some("s3cret-Pa55word")).unwrap();
    url.set_path("/nowhere");
    let err = Store::connect_postgres(url.as_str()).await.unwrap_err();
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("s3cret-Pa55word"), "{shown}");
    assert!(shown.contains("127.0.0.1"), "names the server: {shown}");
}

#[tokio::test]
async fn a_local_history_moves_into_the_shared_store_once() {
    let (_d, local) = store().await;
    let kim = Customer {
        id: paydesk_core::CustomerId::generate(),
        name: "김민준".into(),
        phone: Some("+821012345678".into()),
        email: None,
        created_at: t0(),
    };
    local.insert_customer(&kim).await.unwrap();
    let paid = invoice("아메리카노", Some(kim.id.as_str()));
    let open = invoice("라떼", None);
    for i in [&paid, &open] {
        local.insert_invoice(i, Source::User, None).await.unwrap();
        local
            .apply_update(&i.id, &update(Status::Open, 0, Source::User))
            .await
            .unwrap();
    }
    local
        .apply_update(&paid.id, &update(Status::Paid, 29900, Source::Sync))
        .await
        .unwrap();
    local.set_setting("store_name", "하나 상회").await.unwrap();

    let shared = Store::connect_postgres(&common::fresh_postgres_database().await)
        .await
        .unwrap();
    let first = local.copy_into(&shared).await.unwrap();
    assert_eq!(
        (first.invoices_copied, first.invoices, first.audit_entries),
        (2, 2, 5)
    );
    assert_eq!((first.amount_minor, first.paid_minor), (59800, 29900));
    assert_eq!(
        shared.invoice(&paid.id).await.unwrap(),
        local.invoice(&paid.id).await.unwrap()
    );
    assert_eq!(
        shared.timeline(&paid.id).await.unwrap(),
        local.timeline(&paid.id).await.unwrap()
    );
    assert_eq!(
        shared.customer(&kim.id).await.unwrap().unwrap().name,
        "김민준"
    );
    assert_eq!(
        shared.setting("store_name").await.unwrap().as_deref(),
        Some("하나 상회")
    );
    // Found by the customer's name there too (the search text came along).
    let found = shared
        .invoices(&InvoiceFilter {
            search: Some("김민준".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(found.len(), 1);

    // Again: nothing copied twice.
    let again = local.copy_into(&shared).await.unwrap();
    assert_eq!(again.invoices_copied, 0);
    assert_eq!(
        (again.invoices, again.audit_entries, again.paid_minor),
        (2, 5, 29900)
    );
    // A second counter's history joins it; the first's settings are kept.
    let (_d2, other) = store().await;
    other.set_setting("store_name", "다른 이름").await.unwrap();
    other
        .insert_invoice(&invoice("케이크", None), Source::User, None)
        .await
        .unwrap();
    assert_eq!(other.copy_into(&shared).await.unwrap().invoices_copied, 1);
    assert_eq!(
        shared
            .count_invoices(&InvoiceFilter::default())
            .await
            .unwrap(),
        3
    );
    assert_eq!(
        shared.setting("store_name").await.unwrap().as_deref(),
        Some("하나 상회")
    );
}

#[tokio::test]
async fn a_shared_store_over_tls_checks_the_server_s_certificate() {
    let ca = std::env::var("PAYDESK_TEST_POSTGRES_CA")
        .expect("PAYDESK_TEST_POSTGRES_CA: ./x test starts PostgreSQL with TLS and its CA");
    let url = url::Url::parse(&common::fresh_postgres_database().await).unwrap();
    let with = |host: &str, ca: &str| {
        let mut u = url.clone();
        u.set_host(Some(host)).unwrap();
        u.query_pairs_mut()
            .append_pair("sslmode", "verify-full")
            .append_pair("sslrootcert", ca);
        u.to_string()
    };
    let s = Store::connect_postgres(&with("127.0.0.1", &ca))
        .await
        .unwrap();
    assert_eq!(
        s.schema_version().await.unwrap(),
        8,
        "connected and set up over TLS"
    );
    s.close().await;
    // The certificate names 127.0.0.1, not localhost: refused, never sent in the clear.
    let err = Store::connect_postgres(&with("localhost", &ca))
        .await
        .unwrap_err();
    assert!(!err.to_string().contains(url.password().unwrap()), "{err}");
    // Another CA (the certificate's own is not it): refused.
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other-ca.pem");
    let made = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args(["-subj", "/CN=Someone else's CA", "-keyout"])
        .arg(dir.path().join("other.key"))
        .arg("-out")
        .arg(&other)
        .output()
        .unwrap();
    assert!(made.status.success());
    assert!(
        Store::connect_postgres(&with("127.0.0.1", other.to_str().unwrap()))
            .await
            .is_err()
    );
}

on_both_backends! {
    async fn a_claim_has_one_holder_at_a_time_and_is_free_again_when_dropped(s: Store) {
        let first = s.try_claim("inv_one").await.unwrap().expect("free");
        assert!(s.try_claim("inv_one").await.unwrap().is_none(), "held");
        assert!(s.try_claim("inv_two").await.unwrap().is_some(), "another key");
        drop(first);
        // A session lock is let go as the claim's connection goes back to the pool.
        let mut again = None;
        for _ in 0..50 {
            again = s.try_claim("inv_one").await.unwrap();
            if again.is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        again.expect("free again").release();
        if s.backend() == Backend::Sqlite {
            assert!(!s.path().with_file_name("claims").join("inv_one.lock").exists());
        }
    }
}

#[tokio::test]
async fn a_data_folder_with_spaces_and_url_characters_in_its_name_opens() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("하나 상회 #1 ? 100%");
    let (_d, s) = with_account(
        Store::open(&dir).await.unwrap(),
        tempfile::tempdir().unwrap(),
    )
    .await;
    let inv = invoice("이름", None);
    s.insert_invoice(&inv, Source::User, None).await.unwrap();
    s.close().await;
    assert!(
        dir.join(DB_FILE).is_file(),
        "the file is where it was asked for"
    );
    let again = Store::open(&dir).await.unwrap();
    assert_eq!(again.invoice(&inv.id).await.unwrap(), inv);
}

/// Invoices over five days at every hour of the day, in two accounts and four statuses,
/// some saved alone and some in one transaction, some changed afterwards.
async fn invoices_over_days(s: &Store) -> Vec<Invoice> {
    s.ensure_account(&AccountRecord {
        name: "other".into(),
        provider: ProviderKind::Sandbox,
        settings: Default::default(),
        created_at: t0(),
    })
    .await
    .unwrap();
    let made: Vec<Invoice> = (0..60)
        .map(|i| {
            let mut inv = invoice(&format!("상품 {:02}", i % 7), None);
            inv.created_at = t0() - Duration::days(3) + Duration::minutes(97 * i);
            inv.account = if i % 3 == 0 { "other" } else { "sandbox" }.into();
            inv.amount = Money::from_minor(1000 * (1 + i % 4), Currency::Krw).unwrap();
            inv
        })
        .collect();
    s.insert_invoices(&made[..20], Source::User).await.unwrap();
    for inv in &made[20..] {
        s.insert_invoice(inv, Source::User, None).await.unwrap();
    }
    for (i, inv) in made.iter().enumerate() {
        if i % 2 == 0 {
            s.apply_update(&inv.id, &update(Status::Open, 0, Source::Sync))
                .await
                .unwrap();
        }
        if i % 4 == 0 {
            s.apply_update(&inv.id, &update(Status::Paid, 29900, Source::Sync))
                .await
                .unwrap();
        }
        if i % 10 == 5 {
            s.apply_update(&inv.id, &update(Status::Cancelled, 0, Source::User))
                .await
                .unwrap();
        }
    }
    made
}

on_both_backends! {
    async fn the_list_counts_stay_exact_as_invoices_change(s: Store) {
        invoices_over_days(&s).await;
        let at = |h: i64, m: i64| Some(t0() + Duration::hours(h) + Duration::minutes(m));
        let midnight = Utc.with_ymd_and_hms(2026, 11, 21, 0, 0, 0).unwrap();
        let ranges = [
            (None, None),
            (at(-40, 7), None),
            (None, at(20, 0)),
            (at(-60, 30), at(25, 13)),
            (at(-1, 0), at(2, 0)),
            (Some(midnight), Some(midnight + Duration::days(2))),
            (at(30, 0), at(-30, 0)),
        ];
        let mut checked = 0;
        for status in [None, Some(Status::Draft), Some(Status::Open), Some(Status::Paid)] {
            for account in [None, Some("sandbox"), Some("other")] {
                for (from, before) in ranges {
                    let f = InvoiceFilter {
                        status,
                        account: account.map(str::to_string),
                        created_from: from,
                        created_before: before,
                        limit: Some(1000),
                        ..Default::default()
                    };
                    let listed = s.invoices(&f).await.unwrap().len() as i64;
                    let counted = s.count_invoices(&f).await.unwrap();
                    assert_eq!(counted, listed, "{status:?} {account:?} {from:?}..{before:?}");
                    checked += listed;
                }
            }
        }
        assert!(checked > 300, "the filters match invoices ({checked})");
    }
}

on_both_backends! {
    async fn keyset_pages_walk_every_order_without_repeats_or_gaps(s: Store) {
        let made = invoices_over_days(&s).await;
        let kim = Customer {
            id: paydesk_core::CustomerId::generate(),
            name: "김민준".into(),
            phone: None,
            email: None,
            created_at: t0(),
        };
        s.insert_customer(&kim).await.unwrap();
        let mut usd = invoice("상품 01", Some(&kim.id));
        usd.amount = Money::from_minor(1000, Currency::Usd).unwrap();
        s.insert_invoice(&usd, Source::User, None).await.unwrap();
        let all = made.len() + 1;
        for sort in SortBy::ALL.iter().copied() {
            for ascending in [false, true] {
                let f = InvoiceFilter {
                    sort,
                    ascending,
                    limit: Some(1000),
                    ..Default::default()
                };
                let whole: Vec<String> = s
                    .invoices(&f)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|i| i.id.into())
                    .collect();
                assert_eq!(whole.len(), all);
                let mut walked: Vec<String> = Vec::new();
                let mut after = None;
                loop {
                    let page = s
                        .invoices(&InvoiceFilter {
                            limit: Some(7),
                            after: after.clone(),
                            ..f.clone()
                        })
                        .await
                        .unwrap();
                    let Some(last) = page.last() else { break };
                    after = Some(last.id.to_string());
                    walked.extend(page.into_iter().map(|i| i.id.into()));
                    assert!(walked.len() <= all, "{sort:?} ascending={ascending}: repeats");
                }
                assert_eq!(walked, whole, "{sort:?} ascending={ascending}");
            }
        }
        // With a filter too: the open ones of one account.
        let f = InvoiceFilter {
            status: Some(Status::Open),
            account: Some("sandbox".into()),
            limit: Some(1000),
            ..Default::default()
        };
        let whole = s.invoices(&f).await.unwrap();
        let second = s
            .invoices(&InvoiceFilter {
                limit: Some(1000),
                after: Some(whole[2].id.to_string()),
                ..f.clone()
            })
            .await
            .unwrap();
        assert_eq!(second.len(), whole.len() - 3);
        assert_eq!(second[0].id, whole[3].id);
    }
}

on_both_backends! {
    async fn a_batch_of_updates_applies_each_with_its_entry_and_refuses_only_the_bad_one(s: Store) {
        let [a, b, c, d] = ["가", "나", "다", "라"].map(|n| invoice(n, None));
        for i in [&a, &b, &c, &d] {
            s.insert_invoice(i, Source::User, None).await.unwrap();
        }
        let open = |id: &str| {
            let mut u = update(Status::Open, 0, Source::Sync);
            u.provider_id = Some(format!("sbx_{id}"));
            u
        };
        let mut paid = update(Status::Paid, 29900, Source::Sync);
        paid.provider_id = Some(format!("sbx_{}", a.id));
        // b: a draft cannot become refunded; c: another provider invoice than the one it follows.
        s.apply_update(&c.id, &open(&c.id)).await.unwrap();
        let mut other = open(&c.id);
        other.provider_id = Some("sbx_someone_else".into());
        let refunded = update(Status::Refunded, 29900, Source::Sync);
        let batch = vec![
            (a.id.to_string(), open(&a.id)),
            (a.id.to_string(), paid),
            (b.id.to_string(), refunded),
            (c.id.to_string(), other),
        ];
        let checked_at = t0() + Duration::minutes(5);
        let results = s
            .apply_updates(&batch, &[d.id.to_string()], checked_at)
            .await
            .unwrap();
        assert_eq!(results.len(), 4);
        assert!(results[0].is_ok() && results[1].is_ok(), "{results:?}");
        assert!(matches!(results[2], Err(StoreError::Transition(_))), "{results:?}");
        assert!(matches!(results[3], Err(StoreError::OtherProviderId { .. })), "{results:?}");
        // a moved twice, each step with its entry; b and c as they were; d noted as checked.
        assert_eq!(s.invoice(&a.id).await.unwrap().status, Status::Paid);
        assert_eq!(s.timeline(&a.id).await.unwrap().len(), 3, "created, opened, paid");
        assert_eq!(s.invoice(&b.id).await.unwrap().status, Status::Draft);
        assert_eq!(s.timeline(&b.id).await.unwrap().len(), 1);
        let c_now = s.invoice(&c.id).await.unwrap();
        assert_eq!(c_now.provider_id.as_deref(), Some(format!("sbx_{}", c.id).as_str()));
        assert_eq!(s.timeline(&c.id).await.unwrap().len(), 2);
        assert_eq!(
            s.invoice(&d.id).await.unwrap().last_checked_at,
            Some(checked_at)
        );
        // The kept counts followed the changes made in the batch.
        let paid_count = s
            .count_invoices(&InvoiceFilter {
                status: Some(Status::Paid),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(paid_count, 1);
    }
}
