//! An under-paid invoice can be finished: while its link is payable, the message sent
//! again asks for what is still owed; once it is not, the rest is asked for with a new
//! link to the same customer that names the first — one live at a time.

mod support;

use chrono::Utc;
use paydesk::core::{InputCode, Money, Status};
use paydesk::{Engine, EngineError, NewLink};
use paydesk_secrets::SecretStore;

async fn engine() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let e = Engine::open_with(
        dir.path(),
        SecretStore::with_service(support::service("underpaid")),
    )
    .await
    .unwrap();
    (dir, e)
}

fn input_code(e: &EngineError) -> Option<InputCode> {
    match e {
        EngineError::Input(l) => l.first().map(|i| i.code),
        _ => None,
    }
}

#[tokio::test]
async fn an_under_paid_invoice_asks_for_the_rest_and_only_once() {
    let (_d, e) = engine().await;
    let inv = e
        .create_link(NewLink {
            account: "sandbox".into(),
            name: "유기농 사과".into(),
            amount: "39800".into(),
            expires_in: Some("1d".into()),
            customer_name: Some("김민준".into()),
            email: Some("minjun@example.kr".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let pid = inv.provider_id.clone().unwrap();
    let krw = |m| Some(Money::from_minor(m, paydesk::core::Currency::Krw).unwrap());
    e.sandbox()
        .pay(&pid, krw(30_000), false, Utc::now())
        .await
        .unwrap();
    e.sync_once().await.unwrap();
    let short = e.invoice(&inv.id).await.unwrap();
    assert!(short.underpaid && short.status == Status::Open);
    assert_eq!(short.due_display.as_deref(), Some("₩9,800"));
    // Still payable: the message sent again asks for what is owed, not the whole.
    let again = e.preview_message(&inv.id, "email", None).await.unwrap();
    assert!(
        again.text.contains("₩9,800") && !again.text.contains("₩39,800"),
        "{}",
        again.text
    );
    assert!(!short.actions.request_rest);
    // Money is on it: cancelling would strand it on a final invoice, so the engine
    // refuses (the CLI as the window), changing nothing.
    assert!(!short.actions.cancel);
    let history = e.invoice(&inv.id).await.unwrap().timeline.map(|t| t.len());
    assert!(history.is_some_and(|n| n > 0));
    let refused = e.cancel(&inv.id).await.unwrap_err();
    assert_eq!(
        input_code(&refused),
        Some(InputCode::HasMoney),
        "{refused:?}"
    );
    assert!(refused.to_string().contains("₩30,000"), "{refused}");
    let after = e.invoice(&inv.id).await.unwrap();
    assert_eq!(
        (after.status, after.timeline.map(|t| t.len())),
        (Status::Open, history)
    );
    let err = e.request_rest(&inv.id).await.unwrap_err();
    assert!(err.to_string().contains("send it again"), "{err}");

    // The link expires with the money short: the rest is asked for with a new link.
    e.sandbox().expire(&pid, Utc::now()).await.unwrap();
    e.sync_once().await.unwrap();
    let expired = e.invoice(&inv.id).await.unwrap();
    assert_eq!(expired.status, Status::Expired);
    assert!(expired.actions.request_rest, "{:?}", expired.actions);
    assert_eq!(
        input_code(&e.cancel(&inv.id).await.unwrap_err()),
        Some(InputCode::HasMoney)
    );
    let rest = e.request_rest(&inv.id).await.unwrap();
    assert_eq!(rest.status, Status::Open);
    assert_eq!(rest.amount_display, "₩9,800");
    assert_eq!(rest.rest_of.as_deref(), Some(inv.id.as_str()));
    assert_eq!(rest.customer.as_ref().unwrap().name, "김민준");
    assert_eq!(
        e.invoice(&inv.id).await.unwrap().rest_link.as_deref(),
        Some(rest.id.as_str())
    );
    // Never a second live link for the same rest, asked one after the other or at once.
    let twice = e.request_rest(&inv.id).await.unwrap_err();
    assert_eq!(input_code(&twice), Some(InputCode::Exists), "{twice:?}");
    let (a, b) = tokio::join!(e.request_rest(&inv.id), e.request_rest(&inv.id));
    assert!(a.is_err() && b.is_err());
    let links = e
        .invoices(&paydesk::ListQuery {
            search: Some("유기농 사과".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(links.len(), 2, "the first and one rest link");

    // Once that link is cancelled, the rest can be asked for again.
    e.cancel(&rest.id).await.unwrap();
    let again = e.request_rest(&inv.id).await.unwrap();
    assert_ne!(again.id, rest.id);
}

#[tokio::test]
async fn two_clerks_asking_at_once_make_one_rest_link() {
    let (_d, e) = engine().await;
    let inv = e
        .create_link(NewLink {
            account: "sandbox".into(),
            name: "케이터링".into(),
            amount: "10000".into(),
            expires_in: Some("1d".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let pid = inv.provider_id.clone().unwrap();
    let half = Money::from_minor(4_000, paydesk::core::Currency::Krw).ok();
    e.sandbox()
        .pay(&pid, half, false, Utc::now())
        .await
        .unwrap();
    e.sandbox().expire(&pid, Utc::now()).await.unwrap();
    e.sync_once().await.unwrap();
    let (a, b, c, d) = tokio::join!(
        e.request_rest(&inv.id),
        e.request_rest(&inv.id),
        e.request_rest(&inv.id),
        e.request_rest(&inv.id)
    );
    let results = [a, b, c, d];
    let made: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(made.len(), 1, "{results:?}");
    assert_eq!(made[0].amount_display, "₩6,000");
    for r in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(input_code(r), Some(InputCode::Exists), "{r:?}");
    }
}

/// Money that came short on a link that expired can be given back instead.
#[tokio::test]
async fn what_was_paid_short_can_be_refunded_once_the_link_has_expired() {
    let (_d, e) = engine().await;
    let inv = e
        .create_link(NewLink {
            account: "sandbox".into(),
            name: "꽃다발".into(),
            amount: "50000".into(),
            expires_in: Some("1d".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let pid = inv.provider_id.clone().unwrap();
    let part = Money::from_minor(20_000, paydesk::core::Currency::Krw).ok();
    e.sandbox()
        .pay(&pid, part, false, Utc::now())
        .await
        .unwrap();
    e.sync_once().await.unwrap();
    // Still payable: nothing to give back yet (the customer may pay the rest).
    assert!(!e.invoice(&inv.id).await.unwrap().actions.refund);
    assert!(e.refund(&inv.id, None).await.is_err());
    e.sandbox().expire(&pid, Utc::now()).await.unwrap();
    e.sync_once().await.unwrap();
    let expired = e.invoice(&inv.id).await.unwrap();
    assert!(expired.actions.refund && expired.actions.request_rest);
    let back = e.refund(&inv.id, None).await.unwrap();
    assert_eq!(back.status, Status::Refunded);
    assert_eq!(
        (back.refunded_display.as_str(), back.kept_display.as_str()),
        ("₩20,000", "₩0")
    );
    // Given back, nothing is owed any more: no rest to ask for.
    assert!(!back.actions.request_rest && back.due_display.is_none());
}
