//! Refunds as the clerk sees them: how much was given back and what is left, each
//! refund on the timeline with its amount, more than is left refused before the
//! provider is asked, and the day's money counted as what the shop kept.

#[path = "../../paydesk-cli/tests/support/smtp.rs"]
mod smtp;
mod support;

use chrono::Utc;
use paydesk::core::{InputCode, Status};
use paydesk::{Engine, EngineError, NewLink};
use paydesk_secrets::SecretStore;

async fn engine() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let e = Engine::open_with(
        dir.path(),
        SecretStore::with_service(support::service("refunds")),
    )
    .await
    .unwrap();
    (dir, e)
}

fn sandbox_link(amount: &str) -> NewLink {
    NewLink {
        account: "sandbox".into(),
        name: "케이터링".into(),
        amount: amount.into(),
        expires_in: Some("1d".into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_partial_refund_shows_what_was_given_back_and_what_is_left() {
    let (_d, e) = engine().await;
    let inv = e.create_link(sandbox_link("350000")).await.unwrap();
    e.sandbox()
        .pay(inv.provider_id.as_deref().unwrap(), None, false, Utc::now())
        .await
        .unwrap();
    e.sync_once().await.unwrap();
    let totals = e.list_totals().await.unwrap();
    assert_eq!(totals.paid_today[0].amount_display, "₩350,000");

    // When it was paid is kept (the list shows it) and a refund does not move it.
    assert!(inv.paid_at.is_none());
    let paid_at = e.invoice(&inv.id).await.unwrap().paid_at;
    assert!(paid_at.is_some());
    let after = e.refund(&inv.id, Some("100000")).await.unwrap();
    assert_eq!(after.status, Status::PartiallyRefunded);
    assert_eq!(after.paid_at, paid_at);
    assert_eq!(
        (
            after.paid_display.as_str(),
            after.refunded_display.as_str(),
            after.kept_display.as_str()
        ),
        ("₩350,000", "₩100,000", "₩250,000")
    );
    let refunds: Vec<_> = after
        .timeline
        .as_ref()
        .unwrap()
        .iter()
        .filter_map(|t| t.refund_display.clone())
        .collect();
    assert_eq!(refunds, vec!["₩100,000".to_string()]);
    // Today's money is what the shop kept.
    let totals = e.list_totals().await.unwrap();
    assert_eq!(totals.paid_today[0].amount_display, "₩250,000");

    // More than is left is refused here, naming the field; the provider is not asked
    // and nothing changes.
    let err = e.refund(&inv.id, Some("300000")).await.unwrap_err();
    match &err {
        EngineError::Input(list) => {
            assert_eq!(list[0].field, "amount");
            assert_eq!(list[0].code, InputCode::RefundOverLeft);
        }
        other => panic!("{other:?}"),
    }
    let same = e.invoice(&inv.id).await.unwrap();
    assert_eq!(same.refunded_display, "₩100,000");
    assert_eq!(same.timeline.unwrap().len(), after.timeline.unwrap().len());

    // The rest: everything given back, the day's money is nothing, the second refund on
    // the timeline with its own amount.
    let all = e.refund(&inv.id, None).await.unwrap();
    assert_eq!(all.status, Status::Refunded);
    assert_eq!(
        (all.refunded_display.as_str(), all.kept_display.as_str()),
        ("₩350,000", "₩0")
    );
    let refunds: Vec<_> = all
        .timeline
        .unwrap()
        .iter()
        .filter_map(|t| t.refund_display.clone())
        .collect();
    assert_eq!(
        refunds,
        vec!["₩100,000".to_string(), "₩250,000".to_string()]
    );
    let today = e.list_totals().await.unwrap().paid_today;
    assert_eq!(
        today
            .iter()
            .map(|m| m.amount_display.as_str())
            .collect::<Vec<_>>(),
        vec!["₩0"],
        "nothing kept today"
    );
    let d = e.dashboard().await.unwrap();
    assert!(
        d.periods.iter().all(|p| p.paid.is_empty()),
        "{:?}",
        d.periods
    );
}

/// BTCPay reports no refunded figure of its own: what PayDesk asked for is counted, so
/// a second partial refund adds to the first instead of replacing it.
#[tokio::test]
async fn refunds_a_provider_does_not_count_are_counted_by_paydesk() {
    let (_d, e, s) = support::btcpay_shop(&support::service("refunds-btcpay")).await;
    let inv = e.create_link(support::link("coffee")).await.unwrap();
    s.pay(&inv.order_id);
    e.sync_once().await.unwrap();
    assert_eq!(e.invoice(&inv.id).await.unwrap().status, Status::Paid);
    e.refund(&inv.id, Some("1.00")).await.unwrap();
    let second = e.refund(&inv.id, Some("1.50")).await.unwrap();
    assert_eq!(second.status, Status::PartiallyRefunded);
    assert_eq!(second.refunded_display, "$2.50");
    assert_eq!(second.kept_display, "$2.50");
    let err = e.refund(&inv.id, Some("3.00")).await.unwrap_err();
    assert!(matches!(err, EngineError::Input(_)), "{err:?}");
    assert_eq!(s.calls("refund"), 2, "the refused one never reached BTCPay");
    e.remove_account("shop").await.ok();
}

/// The customer book says how many invoices each customer has and what was kept from
/// them (received minus refunded), per currency.
#[tokio::test]
async fn the_customer_book_totals_each_customer() {
    let (_d, e) = engine().await;
    let mut first = sandbox_link("30000");
    first.customer_name = Some("김민준".into());
    first.phone = Some("010-1234-5678".into());
    let a = e.create_link(first).await.unwrap();
    let mut second = sandbox_link("10000");
    second.customer_id = a.customer.as_ref().map(|c| c.id.clone());
    e.create_link(second).await.unwrap();
    e.sandbox()
        .pay(a.provider_id.as_deref().unwrap(), None, false, Utc::now())
        .await
        .unwrap();
    e.sync_once().await.unwrap();
    e.refund(&a.id, Some("5000")).await.unwrap();
    let book = e.customers(Some("김민준")).await.unwrap();
    let totals = book[0].totals.as_ref().unwrap();
    assert_eq!(totals.invoices, 2);
    assert_eq!(totals.kept, vec!["₩25,000".to_string()]);
}

/// BTCPay makes a pull payment the customer claims. When its answer is lost the clerk
/// refunds again: the pull payment already made is found (by PayDesk's reference in its
/// description) and recorded, never a second one; its claim link is kept on the invoice.
/// Two partial refunds that give back everything leave the invoice refunded.
#[tokio::test]
async fn a_btcpay_refund_whose_answer_was_lost_is_found_not_made_twice() {
    let (_d, e, s) = support::btcpay_shop(&support::service("refunds-lost")).await;
    let inv = e.create_link(support::link("coffee")).await.unwrap();
    s.pay(&inv.order_id);
    e.sync_once().await.unwrap();

    s.lose_answers("/refund", 1);
    let err = e.refund(&inv.id, Some("2.00")).await.unwrap_err();
    assert!(matches!(err, EngineError::Provider { .. }), "{err:?}");
    let after_loss = e.invoice(&inv.id).await.unwrap();
    assert_eq!(
        (after_loss.status, after_loss.refunded_display.as_str()),
        (Status::Paid, "$0.00")
    );
    assert_eq!(s.pull_payments().len(), 1, "BTCPay made it all the same");

    let again = e.refund(&inv.id, Some("2.00")).await.unwrap();
    assert_eq!(s.pull_payments().len(), 1, "no second pull payment");
    assert_eq!(s.calls("refund"), 1);
    assert_eq!(
        (again.status, again.refunded_display.as_str()),
        (Status::PartiallyRefunded, "$2.00")
    );
    assert_eq!(
        again.refund_url.as_deref(),
        Some("https://btcpay.example/pull-payments/PP-1")
    );
    let last = again.timeline.as_ref().unwrap().last().unwrap();
    assert!(
        last.detail
            .as_deref()
            .unwrap_or_default()
            .contains("earlier request"),
        "{last:?}"
    );

    let rest = e.refund(&inv.id, Some("3.00")).await.unwrap();
    assert_eq!(s.pull_payments().len(), 2);
    assert_eq!(
        (rest.status, rest.kept_display.as_str()),
        (Status::Refunded, "$0.00"),
        "all of it was given back in two parts"
    );
    assert_eq!(
        rest.refund_url.as_deref(),
        Some("https://btcpay.example/pull-payments/PP-2")
    );
    e.remove_account("shop").await.ok();
}

/// A refund of `amount` to 김민준's account at `bank`.
fn to_account(amount: &str, bank: &str) -> paydesk::RefundInput {
    paydesk::RefundInput {
        amount: Some(amount.into()),
        refund_holder: Some("김민준".into()),
        refund_bank: Some(bank.into()),
        refund_account: Some("123-4567-8901".into()),
    }
}

/// PortOne cancels at once. A retry after a lost answer sends PayDesk's own count of
/// what can be refunded, so it sees its first attempt made instead of cancelling twice.
#[tokio::test]
async fn a_portone_refund_whose_answer_was_lost_is_not_made_twice() {
    let (url, provider) = paydesk_standins::portone().await;
    let (_d, e) = engine().await;
    e.add_account(paydesk::NewAccount {
        name: "po".into(),
        provider: "portone".into(),
        base_url: Some(url),
        channel_key: Some("ch".into()),
        secrets: vec![
            ("imp_key".into(), paydesk::Secret::from("k".to_string())),
            ("imp_secret".into(), paydesk::Secret::from("s".to_string())),
        ],
        ..Default::default()
    })
    .await
    .unwrap();
    let inv = e
        .issue_cvs(NewLink {
            account: "po".into(),
            ..sandbox_link("30000")
        })
        .await
        .unwrap();
    provider.pay(&inv.order_id);
    e.sync_once().await.unwrap();
    assert_eq!(e.invoice(&inv.id).await.unwrap().status, Status::Paid);

    // A cash payment goes back by transfer: without the customer's account the refund
    // is refused before PortOne is asked, naming what is missing.
    let err = e.refund(&inv.id, Some("10000")).await.unwrap_err();
    match &err {
        EngineError::Input(f) => assert_eq!(
            (f[0].field.as_str(), f[0].code),
            ("refund_account", InputCode::RefundAccountNeeded)
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(provider.calls("refund"), 0);
    let bad = e
        .refund_with(&inv.id, &to_account("10000", "999"))
        .await
        .unwrap_err();
    assert_eq!(bad.field(), Some("refund_bank"), "{bad:?}");

    provider.lose_answers("/payments/cancel", 1);
    e.refund_with(&inv.id, &to_account("10000", "004"))
        .await
        .unwrap_err();
    let again = e
        .refund_with(&inv.id, &to_account("10000", "004"))
        .await
        .unwrap();
    assert_eq!(
        provider.calls("refund to 004"),
        1,
        "the account went to PortOne"
    );
    assert_eq!(provider.calls("refund"), 1, "one cancel reached PortOne");
    assert_eq!(
        (again.refunded_display.as_str(), again.kept_display.as_str()),
        ("₩10,000", "₩20,000")
    );
    // A refund asked while PortOne counts differently (one made in its console) is
    // refused by the checksum, not made on a stale view.
    provider.set_cancelled(&inv.order_id, "13000");
    let err = e
        .refund_with(&inv.id, &to_account("5000", "088"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("elsewhere"), "{err}");
    assert_eq!(provider.calls("refund"), 1);
    e.remove_account("po").await.ok();
}

/// PIPE does a refund some time after accepting the request. PayDesk writes the request
/// before asking (a lost answer never leads to a second request), shows it waiting,
/// and counts the refund once PIPE shows the invoice refunded; a refused request is
/// taken back with its reason.
#[tokio::test]
async fn a_pipe_refund_waits_for_pipe_and_is_never_asked_twice() {
    let (url, provider) = paydesk_standins::pipe().await;
    let (_d, e) = engine().await;
    e.add_account(paydesk::NewAccount {
        name: "pipe".into(),
        provider: "pipe".into(),
        base_url: Some(url),
        callback_url: Some("https://shop.example/pipe/callback".into()),
        secrets: vec![("api_key".into(), paydesk::Secret::from("k".to_string()))],
        ..Default::default()
    })
    .await
    .unwrap();
    let link = |name: &str| NewLink {
        account: "pipe".into(),
        name: name.into(),
        ..sandbox_link("30000")
    };
    let inv = e.create_link(link("coat")).await.unwrap();
    provider.pay(&inv.order_id);
    e.sync_once().await.unwrap();
    assert_eq!(e.invoice(&inv.id).await.unwrap().status, Status::Paid);

    provider.lose_answers("/api/v1/invoice/refund", 1);
    e.refund(&inv.id, None).await.unwrap_err();
    let waiting = e.invoice(&inv.id).await.unwrap();
    assert_eq!(
        (
            waiting.status,
            waiting.refund_requested_display.as_deref(),
            waiting.refunded_display.as_str(),
            waiting.actions.refund
        ),
        (Status::Paid, Some("₩30,000"), "₩0", false)
    );
    let again = e.refund(&inv.id, None).await.unwrap_err();
    assert!(matches!(again, EngineError::Input(_)), "{again:?}");
    assert_eq!(provider.calls("refund"), 1, "asked of PIPE once");
    e.sync_once().await.unwrap();
    assert!(e
        .invoice(&inv.id)
        .await
        .unwrap()
        .refund_requested_display
        .is_some());

    provider.set_status(&inv.order_id, "4");
    e.sync_once().await.unwrap();
    let done = e.invoice(&inv.id).await.unwrap();
    assert_eq!(
        (
            done.status,
            done.refunded_display.as_str(),
            done.refund_requested_display
        ),
        (Status::Refunded, "₩30,000", None)
    );

    // PIPE refuses (here: it holds a request already): nothing stays waiting.
    let other = e.create_link(link("hat")).await.unwrap();
    provider.pay(&other.order_id);
    e.sync_once().await.unwrap();
    provider.set_cancelled(&other.order_id, "requested");
    e.refund(&other.id, None).await.unwrap_err();
    let refused = e.invoice(&other.id).await.unwrap();
    assert_eq!(
        (refused.refund_requested_display, refused.actions.refund),
        (None, true)
    );
    let last = refused.timeline.unwrap().pop().unwrap();
    assert!(
        last.detail.unwrap_or_default().contains("refused"),
        "the timeline says why"
    );
}

/// A BTCPay refund's claim link goes to the customer by e-mail, once, with the newest
/// refund's amount; an invoice with nothing to claim refuses it before anything is
/// written, and AlimTalk (which needs its own approved template) is refused.
#[tokio::test]
async fn the_refund_claim_link_is_sent_to_the_customer() {
    let (_d, e, s) = support::btcpay_shop(&support::service("refunds-claim")).await;
    let server = smtp::SmtpServer::start("none", None, &[]);
    e.add_channel(paydesk::NewChannel {
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
    let inv = e
        .create_link(NewLink {
            customer_name: Some("Minjun Kim".into()),
            email: Some("minjun@example.kr".into()),
            ..support::link("coffee")
        })
        .await
        .unwrap();
    let claim = |via: &str| paydesk::SendRequest {
        invoice: inv.id.clone(),
        via: via.into(),
        lang: Some("en".into()),
        what: paydesk::core::MessageKind::RefundClaim,
        ..Default::default()
    };
    let nothing = e.send(claim("email")).await.unwrap_err();
    assert_eq!(nothing.field(), Some("what"), "{nothing:?}");
    s.pay(&inv.order_id);
    e.sync_once().await.unwrap();
    e.refund(&inv.id, Some("1.00")).await.unwrap();
    e.refund(&inv.id, Some("1.50")).await.unwrap();
    assert_eq!(
        e.send(claim("alimtalk")).await.unwrap_err().field(),
        Some("via")
    );
    assert!(e.deliveries(Some(&inv.id)).await.unwrap().is_empty());

    let preview = e
        .preview_message_of(
            &inv.id,
            paydesk::core::MessageKind::RefundClaim,
            "email",
            Some("en"),
        )
        .await
        .unwrap();
    assert!(preview.text.contains("$1.50"), "{}", preview.text);
    let sent = e.send(claim("email")).await.unwrap();
    assert_eq!(sent.to, "minjun@example.kr");
    let mails = server.messages();
    assert_eq!(mails.len(), 1);
    let mail = String::from_utf8_lossy(&mails[0]);
    assert!(
        mail.contains("https://btcpay.example/pull-payments/PP-2"),
        "the newest refund's page: {mail}"
    );
    e.remove_account("shop").await.ok();
}
