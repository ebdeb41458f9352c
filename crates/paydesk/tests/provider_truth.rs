//! What a provider really reports, followed through PayDesk's lifecycle: BTCPay's
//! status pairs as its `InvoiceWatcher` produces them (a late payment seen, a payment
//! reversed by a fee bump or double spend, an invoice that failed to confirm and was
//! settled by the merchant), against the project's stateful BTCPay stand-in.

use paydesk::core::Status;
use paydesk::{Engine, NewAccount, NewLink, Secret};
use paydesk_secrets::SecretStore;
use paydesk_standins::Standin;
use support::link;

mod support;

async fn btcpay() -> (tempfile::TempDir, Engine, Standin) {
    support::btcpay_shop(&support::service("truth-test")).await
}

/// One sync pass, which must raise no error, then the invoice as PayDesk shows it.
async fn synced(e: &Engine, order: &str) -> paydesk::InvoiceView {
    let report = e.sync_once().await.unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    e.invoice(order).await.unwrap()
}

#[tokio::test]
async fn a_late_payment_seen_is_not_paid_until_btcpay_settles_it() {
    let (_d, e, s) = btcpay().await;
    let order = e.create_link(link("late")).await.unwrap().order_id;
    s.set_state(&order, "Expired", "PaidLate", "5.00");
    let seen = synced(&e, &order).await;
    assert_eq!(seen.status, Status::PaidUnconfirmed, "seen, not confirmed");
    assert!(seen.paid_late);
    // The merchant marks it settled in BTCPay: now it is paid, still late.
    s.set_state(&order, "Settled", "Marked", "5.00");
    let paid = synced(&e, &order).await;
    assert_eq!(paid.status, Status::Paid);
    e.remove_account("shop").await.ok();
}

#[tokio::test]
async fn a_payment_that_vanishes_before_it_confirms_reopens_the_link() {
    let (_d, e, s) = btcpay().await;
    let order = e.create_link(link("rbf")).await.unwrap().order_id;
    s.set_state(&order, "Processing", "None", "5.00");
    assert_eq!(synced(&e, &order).await.status, Status::PaidUnconfirmed);
    // A fee bump or double spend: BTCPay puts the invoice back to New.
    s.set_state(&order, "New", "None", "0");
    let back = synced(&e, &order).await;
    assert_eq!(back.status, Status::Open);
    let timeline = back.timeline.unwrap();
    assert!(
        timeline
            .iter()
            .any(|t| t.from_status == Some(Status::PaidUnconfirmed)
                && t.status == Some(Status::Open)),
        "the reversal is in the timeline: {timeline:?}"
    );
    // And no error the next pass either.
    assert_eq!(synced(&e, &order).await.status, Status::Open);
    e.remove_account("shop").await.ok();
}

#[tokio::test]
async fn an_invoice_that_failed_to_confirm_can_still_be_settled() {
    let (_d, e, s) = btcpay().await;
    let order = e.create_link(link("slow chain")).await.unwrap().order_id;
    s.set_state(&order, "Processing", "None", "5.00");
    synced(&e, &order).await;
    s.set_state(&order, "Invalid", "None", "5.00");
    assert_eq!(synced(&e, &order).await.status, Status::Failed);
    s.set_state(&order, "Settled", "Marked", "5.00");
    assert_eq!(synced(&e, &order).await.status, Status::Paid);
    e.remove_account("shop").await.ok();
}

#[tokio::test]
async fn cancel_never_voids_an_invoice_with_money_on_it() {
    let (_d, e, s) = btcpay().await;
    let order = e.create_link(link("being paid")).await.unwrap().order_id;
    s.set_state(&order, "Processing", "None", "5.00");
    let err = e.cancel(&order).await.unwrap_err();
    assert!(err.to_string().contains("not cancelled"), "{err}");
    assert_eq!(
        s.status_of(&order).as_deref(),
        Some("Processing"),
        "not voided"
    );
    assert_eq!(
        e.invoice(&order).await.unwrap().status,
        Status::PaidUnconfirmed,
        "PayDesk shows what BTCPay holds"
    );
    // An unpaid one is voided as before.
    let other = e.create_link(link("unpaid")).await.unwrap().order_id;
    assert_eq!(e.cancel(&other).await.unwrap().status, Status::Cancelled);
    assert_eq!(s.status_of(&other).as_deref(), Some("Invalid"));
    e.remove_account("shop").await.ok();
}

async fn bootpay() -> (tempfile::TempDir, Engine, Standin) {
    let dir = tempfile::tempdir().unwrap();
    let secrets = SecretStore::with_service(format!("paydesk-truth-bp-{}", std::process::id()));
    let e = Engine::open_with(dir.path(), secrets).await.unwrap();
    let (url, standin) = paydesk_standins::bootpay().await;
    e.add_account(NewAccount {
        name: "bp".into(),
        provider: "bootpay".into(),
        base_url: Some(url),
        secrets: vec![
            ("client_key".into(), Secret::from("ck".to_string())),
            ("secret_key".into(), Secret::from("sk".to_string())),
        ],
        ..Default::default()
    })
    .await
    .unwrap();
    (dir, e, standin)
}

fn won(name: &str) -> NewLink {
    NewLink {
        account: "bp".into(),
        name: name.into(),
        amount: "29900".into(),
        currency: Some("KRW".into()),
        expires_in: Some("1d".into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_bootpay_link_is_paid_only_when_bootpay_says_pay_at() {
    let (_d, e, s) = bootpay().await;
    let order = e.create_link(won("원두")).await.unwrap().order_id;
    // Bootpay's unpaid link reads `status: 1` (a PG receipt code, not "paid").
    assert_eq!(synced(&e, &order).await.status, Status::Open);
    s.pay(&order);
    let paid = synced(&e, &order).await;
    assert_eq!(paid.status, Status::Paid);
    assert_eq!(paid.paid_amount, "29900");
    e.remove_account("bp").await.ok();
}

#[tokio::test]
async fn a_bootpay_create_with_no_answer_waits_for_the_clerk_and_is_never_repeated() {
    let (_d, e, s) = bootpay().await;
    let first = e.create_link(won("먼저")).await.unwrap();
    assert_eq!(s.calls("create"), 1);
    // The next create meets a 503 after it was sent: Bootpay may or may not hold it.
    s.fail_next(paydesk_standins::Fault::Unavailable, 1);
    let err = e.create_link(won("모름")).await.unwrap_err();
    assert!(err.to_string().contains("unreachable"), "{err}");
    let draft = e
        .invoices(&paydesk::ListQuery::default())
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.id != first.id)
        .unwrap();
    assert_eq!(draft.status, Status::Draft);
    for _ in 0..3 {
        let report = e.sync_once().await.unwrap();
        assert_eq!(report.errors.len(), 1, "{:?}", report.errors);
        assert!(
            report.errors[0].message.contains("console"),
            "{}",
            report.errors[0].message
        );
    }
    assert_eq!(s.calls("create"), 1, "no second link, pass after pass");
    assert_eq!(s.calls("list"), 0, "no lookup that cannot find it");
    assert_eq!(
        e.invoice(&draft.id).await.unwrap().status,
        Status::Draft,
        "the clerk decides"
    );
    e.remove_account("bp").await.ok();
}

#[tokio::test]
async fn a_bootpay_token_that_ends_early_is_asked_for_again_once() {
    let (_d, e, s) = bootpay().await;
    let order = e.create_link(won("토큰")).await.unwrap().order_id;
    assert_eq!(s.calls("token"), 1);
    s.end_tokens();
    assert_eq!(synced(&e, &order).await.status, Status::Open);
    assert_eq!(s.calls("token"), 2, "one new token, no storm");
    e.remove_account("bp").await.ok();
}
