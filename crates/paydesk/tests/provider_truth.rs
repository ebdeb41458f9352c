//! What a provider really reports, followed through PayDesk's lifecycle: BTCPay's
//! status pairs as its `InvoiceWatcher` produces them (a late payment seen, a payment
//! reversed by a fee bump or double spend, an invoice that failed to confirm and was
//! settled by the merchant), against the project's stateful BTCPay stand-in.

use paydesk::core::Status;
use paydesk::{Engine, NewAccount, NewLink, Secret};
use paydesk_secrets::SecretStore;
use paydesk_standins::Standin;

async fn btcpay() -> (tempfile::TempDir, Engine, Standin) {
    let dir = tempfile::tempdir().unwrap();
    let secrets = SecretStore::with_service(format!("paydesk-truth-test-{}", std::process::id()));
    let e = Engine::open_with(dir.path(), secrets).await.unwrap();
    let (url, standin) = paydesk_standins::btcpay().await;
    e.add_account(NewAccount {
        name: "shop".into(),
        provider: "btcpay".into(),
        base_url: Some(url),
        store_id: Some("S1".into()),
        secrets: vec![("api_key".into(), Secret::from("k".to_string()))],
        ..Default::default()
    })
    .await
    .unwrap();
    (dir, e, standin)
}

fn link(name: &str) -> NewLink {
    NewLink {
        account: "shop".into(),
        name: name.into(),
        amount: "5.00".into(),
        currency: Some("USD".into()),
        expires_in: Some("1d".into()),
        ..Default::default()
    }
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
