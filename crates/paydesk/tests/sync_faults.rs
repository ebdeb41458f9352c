//! Sync under a provider's faults, against the project's stateful BTCPay stand-in (its
//! fault switch: 429 storms, 5xx runs, down, revoked keys, unknown statuses): every
//! invoice ends at the provider's truth, a provider that stops answering is left alone
//! for a growing while, and links made while it was down are created once and sent once.

#[path = "../../paydesk-cli/tests/support/smtp.rs"]
mod smtp;
mod support;

use paydesk::core::Status;
use paydesk::{Engine, ListQuery, NewChannel, NewLink, Secret, SyncErrorKind};
use paydesk_secrets::SecretStore;
use paydesk_standins::{Fault, Standin};
use support::link;

async fn setup() -> (tempfile::TempDir, Engine, Standin) {
    support::btcpay_shop(&support::service("faults-test")).await
}

async fn status_of(e: &Engine, order_id: &str) -> &'static str {
    e.invoice(order_id).await.unwrap().status.as_str()
}

#[tokio::test]
async fn a_429_storm_is_waited_out_and_every_invoice_ends_true() {
    let (_d, e, s) = setup().await;
    let mut orders = Vec::new();
    for i in 0..3 {
        orders.push(
            e.create_link(link(&format!("item {i}")))
                .await
                .unwrap()
                .order_id,
        );
    }
    s.pay(&orders[1]);
    s.fail_next(Fault::RateLimited, 3);
    let report = e.sync_once().await.unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(s.refused(), 3, "the storm was met");
    assert_eq!(status_of(&e, &orders[1]).await, "paid");
    assert_eq!(status_of(&e, &orders[0]).await, "open");
    // What the desktop notification says about it.
    let notices: Vec<String> = report
        .changed
        .iter()
        .filter_map(paydesk::paid_notice)
        .collect();
    assert_eq!(notices, vec!["$5.00 결제 완료 · item 1".to_string()]);
    e.remove_account("shop").await.ok();
}

#[tokio::test]
async fn a_provider_that_stops_answering_is_left_alone_until_its_backoff_passes() {
    let (_d, e, s) = setup().await;
    let mut orders = Vec::new();
    for i in 0..12 {
        orders.push(
            e.create_link(link(&format!("item {i}")))
                .await
                .unwrap()
                .order_id,
        );
    }
    s.pay(&orders[5]);
    s.down(Some(Fault::Unavailable));
    let first = e.sync_once().await.unwrap();
    assert!(
        first
            .errors
            .iter()
            .all(|x| x.kind == SyncErrorKind::Unreachable),
        "{:?}",
        first.errors
    );
    // The pass stopped asking once the provider stopped answering: a few requests
    // (each retried by the HTTP policy), not twelve invoices' worth.
    let refused = s.refused();
    assert!(refused <= 4 * 4, "asked {refused} times");
    // The next pass waits: no request at all, and it says until when.
    let second = e.sync_once().await.unwrap();
    assert_eq!(s.refused(), refused);
    assert_eq!(second.checked, 0);
    assert!(
        second.errors[0].message.contains("waits until"),
        "{:?}",
        second.errors
    );
    // Back up: after the backoff, everything is brought to the provider's truth.
    s.down(None);
    tokio::time::sleep(std::time::Duration::from_millis(5_300)).await;
    let third = e.sync_once().await.unwrap();
    assert!(third.errors.is_empty(), "{:?}", third.errors);
    assert_eq!(status_of(&e, &orders[5]).await, "paid");
    e.remove_account("shop").await.ok();
}

#[tokio::test]
async fn revoked_keys_are_reported_as_keys_and_change_nothing_until_restored() {
    let (_d, e, s) = setup().await;
    let order = e.create_link(link("item")).await.unwrap().order_id;
    let before = e.invoice(&order).await.unwrap().timeline.unwrap().len();
    s.pay(&order);
    s.revoke_keys(true);
    let report = e.sync_once().await.unwrap();
    assert_eq!(report.errors.len(), 1);
    assert_eq!(report.errors[0].kind, SyncErrorKind::Keys);
    assert!(
        report.errors[0].message.contains("revoked") || report.errors[0].message.contains("keys")
    );
    let shown = e.invoice(&order).await.unwrap();
    assert_eq!(
        shown.status,
        Status::Open,
        "stale data is not presented as a change"
    );
    assert_eq!(
        shown.timeline.unwrap().len(),
        before + 1,
        "one error entry, no status change"
    );
    s.revoke_keys(false);
    assert!(e.sync_once().await.unwrap().errors.is_empty());
    assert_eq!(status_of(&e, &order).await, "paid");
    e.remove_account("shop").await.ok();
}

#[tokio::test]
async fn an_unknown_status_is_surfaced_and_the_others_go_on() {
    let (_d, e, s) = setup().await;
    let weird = e.create_link(link("weird")).await.unwrap().order_id;
    let fine = e.create_link(link("fine")).await.unwrap().order_id;
    s.set_status(&weird, "Frobnicated");
    s.pay(&fine);
    let report = e.sync_once().await.unwrap();
    assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
    assert_eq!(report.errors[0].kind, SyncErrorKind::Invoice);
    assert!(
        report.errors[0].message.contains("Frobnicated"),
        "{}",
        report.errors[0].message
    );
    assert_eq!(status_of(&e, &weird).await, "open");
    assert_eq!(status_of(&e, &fine).await, "paid");
    e.remove_account("shop").await.ok();
}

#[tokio::test]
async fn links_made_while_the_provider_is_down_are_created_once_and_sent_once() {
    let (_d, e, s) = setup().await;
    let server = smtp::SmtpServer::start("none", None, &[]);
    e.add_channel(NewChannel {
        name: "mail".into(),
        kind: "smtp".into(),
        host: Some("127.0.0.1".into()),
        port: Some(server.port),
        tls: Some("none".into()),
        from: Some("shop@hana.kr".into()),
        ..Default::default()
    })
    .await
    .unwrap();
    s.set_online(false);
    let mut orders = Vec::new();
    for i in 0..3 {
        let err = e
            .create_link(NewLink {
                email: Some(format!("customer{i}@example.kr")),
                send: vec!["email".into()],
                ..link(&format!("item {i}"))
            })
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("sent as soon as the provider answers"),
            "{err}"
        );
        orders.push(
            e.invoices(&ListQuery::default()).await.unwrap()[0]
                .order_id
                .clone(),
        );
    }
    // The clerk drops one before it goes out: nothing to undo at the provider.
    let dropped = e.cancel(&orders[2]).await.unwrap();
    assert_eq!(dropped.status, Status::Cancelled);
    assert_eq!(s.invoice_count(), 0);
    e.sync_once().await.unwrap();
    assert_eq!(s.invoice_count(), 0);
    assert_eq!(server.messages().len(), 0);
    // Back: after the backoff, each waiting link is created once and sent once.
    s.set_online(true);
    tokio::time::sleep(std::time::Duration::from_millis(5_300)).await;
    e.sync_once().await.unwrap();
    e.sync_once().await.unwrap();
    assert_eq!(s.invoice_count(), 2);
    assert_eq!(status_of(&e, &orders[0]).await, "open");
    assert_eq!(status_of(&e, &orders[1]).await, "open");
    assert_eq!(server.messages().len(), 2);
    let states: Vec<String> = e
        .deliveries(None)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.state.to_string())
        .collect();
    states
        .iter()
        .filter(|s| *s == "sent")
        .count()
        .eq(&2)
        .then_some(())
        .expect("two sent");
    assert!(
        states.contains(&"failed".to_string()),
        "the cancelled link's message is marked not sent: {states:?}"
    );
    e.remove_account("shop").await.ok();
}

#[tokio::test]
async fn a_channel_replaced_by_another_kind_fails_its_queued_message_and_sync_goes_on() {
    let service = support::service("faults-swap");
    let (dir, e, s) = support::btcpay_shop(&service).await;
    let server = smtp::SmtpServer::start("none", None, &[]);
    e.add_channel(NewChannel {
        name: "notice".into(),
        kind: "smtp".into(),
        host: Some("127.0.0.1".into()),
        port: Some(server.port),
        tls: Some("none".into()),
        from: Some("shop@hana.kr".into()),
        ..Default::default()
    })
    .await
    .unwrap();
    // The provider is away: the link waits as a draft with its e-mail queued.
    s.set_online(false);
    e.create_link(NewLink {
        email: Some("customer@example.kr".into()),
        send: vec!["email".into()],
        channel: Some("notice".into()),
        ..link("swap")
    })
    .await
    .unwrap_err();
    // Meanwhile the clerk replaces the channel by an SMS one of the same name.
    e.remove_channel("notice").await.unwrap();
    e.add_channel(NewChannel {
        name: "notice".into(),
        kind: "solapi".into(),
        sender: Some("029302266".into()),
        base_url: Some("http://127.0.0.1:9".into()),
        secrets: vec![
            ("api_key".into(), Secret::from("ak".to_string())),
            ("api_secret".into(), Secret::from("as".to_string())),
        ],
        ..Default::default()
    })
    .await
    .unwrap();
    // Back, in a fresh process (no back-off left): the link is made, the e-mail
    // cannot go by SMS and says so, and sync carries on.
    s.set_online(true);
    drop(e);
    let e = Engine::open_with(dir.path(), SecretStore::with_service(service))
        .await
        .unwrap();
    e.sync_once().await.unwrap();
    e.sync_once().await.unwrap();
    let d = e.deliveries(None).await.unwrap().remove(0);
    assert_eq!(d.state.to_string(), "failed", "{d:?}");
    let why = d.error.clone().unwrap_or_default();
    assert!(why.contains("notice") || why.contains("e-mail"), "{why}");
    assert_eq!(server.messages().len(), 0);
    assert_eq!(
        e.invoices(&ListQuery::default()).await.unwrap()[0].status,
        Status::Open
    );
    e.remove_channel("notice").await.ok();
    e.remove_account("shop").await.ok();
}

#[tokio::test]
async fn a_refused_send_writes_nothing_and_never_goes_out_later() {
    let dir = tempfile::tempdir().unwrap();
    let service = format!("paydesk-faults-refused-{}", std::process::id());
    let e = Engine::open_with(dir.path(), SecretStore::with_service(service.clone()))
        .await
        .unwrap();
    let server = smtp::SmtpServer::start("none", Some(("shop", "pw")), &[]);
    e.add_channel(NewChannel {
        name: "mail".into(),
        kind: "smtp".into(),
        host: Some("127.0.0.1".into()),
        port: Some(server.port),
        tls: Some("none".into()),
        username: Some("shop".into()),
        from: Some("shop@hana.kr".into()),
        secrets: vec![("password".into(), Secret::from("pw".to_string()))],
        ..Default::default()
    })
    .await
    .unwrap();
    let inv = e
        .create_link(NewLink {
            account: "sandbox".into(),
            name: "refused".into(),
            amount: "5000".into(),
            expires_in: Some("1d".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    // The keyring loses the channel's password: every send is refused, exit 2's
    // "nothing written".
    let keyring = SecretStore::with_service(service);
    keyring
        .delete(paydesk_secrets::Owner::Channel("mail"), "password")
        .unwrap();
    let send = || paydesk::SendRequest {
        invoice: inv.id.clone(),
        via: "email".into(),
        channel: Some("mail".into()),
        to: Some("customer@example.kr".into()),
        lang: None,
        what: Default::default(),
    };
    for _ in 0..3 {
        let err = e.send(send()).await.unwrap_err();
        assert!(matches!(err, paydesk::EngineError::Input(_)), "{err}");
    }
    assert!(
        e.deliveries(Some(&inv.id)).await.unwrap().is_empty(),
        "nothing was written"
    );
    // Nor is a new link made whose message could not go out.
    let err = e
        .create_link(NewLink {
            account: "sandbox".into(),
            name: "refused too".into(),
            amount: "5000".into(),
            email: Some("customer@example.kr".into()),
            send: vec!["email".into()],
            channel: Some("mail".into()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(matches!(err, paydesk::EngineError::Input(_)), "{err}");
    assert_eq!(e.invoices(&ListQuery::default()).await.unwrap().len(), 1);
    assert!(e.deliveries(None).await.unwrap().is_empty());
    // Fixed: nothing refused goes out by itself; the next send goes out once.
    keyring
        .set(
            paydesk_secrets::Owner::Channel("mail"),
            "password",
            &Secret::from("pw".to_string()),
        )
        .unwrap();
    e.process_outbox().await.unwrap();
    e.sync_once().await.unwrap();
    assert_eq!(server.messages().len(), 0);
    e.send(send()).await.unwrap();
    assert_eq!(server.messages().len(), 1);
    e.remove_channel("mail").await.ok();
}
