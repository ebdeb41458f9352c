//! "Send again" (the list's resend, for a row or a selection): the link goes again the
//! way it last went — the same way, channel, recipient and language — as a new delivery;
//! a link never sent, or no longer payable, is refused with nothing written.

use paydesk::{Engine, NewLink, SendRequest};
use paydesk_secrets::SecretStore;

#[path = "../../paydesk-cli/tests/support/smtp.rs"]
mod smtp;

#[tokio::test]
async fn a_link_is_sent_again_the_way_it_last_went() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = SecretStore::with_service(format!("paydesk-resend-test-{}", std::process::id()));
    let e = Engine::open_with(dir.path(), secrets).await.unwrap();
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
    let link = |name: &str| NewLink {
        account: "sandbox".into(),
        name: name.into(),
        amount: "12000".into(),
        expires_in: Some("1d".into()),
        customer_name: Some("김민준".into()),
        email: Some("minjun@example.kr".into()),
        ..Default::default()
    };
    let sent = e.create_link(link("라떼")).await.unwrap();
    let never = e.create_link(link("머핀")).await.unwrap();

    // Sent once to an address the clerk typed, in Japanese.
    e.send(SendRequest {
        invoice: sent.id.clone(),
        via: "email".into(),
        to: Some("other@example.jp".into()),
        lang: Some("ja".into()),
        ..Default::default()
    })
    .await
    .unwrap();
    let again = e.resend(&sent.id).await.unwrap();
    assert_eq!(
        (again.to.as_str(), again.channel.as_str()),
        ("other@example.jp", "mail")
    );
    let mails = server.messages();
    assert_eq!(mails.len(), 2);
    let second = String::from_utf8_lossy(&mails[1]);
    assert!(second.contains("other@example.jp"), "{second}");
    assert!(
        !second.contains("minjun@example.kr"),
        "not the customer record's address"
    );
    assert_eq!(e.deliveries(Some(&sent.id)).await.unwrap().len(), 2);

    // Never sent: refused, nothing queued.
    let err = e.resend(&never.id).await.unwrap_err();
    match &err {
        paydesk::EngineError::Input(errors) => {
            assert_eq!(errors[0].code, paydesk::core::InputCode::NotSent, "{err:?}")
        }
        other => panic!("{other:?}"),
    }
    assert!(e.deliveries(Some(&never.id)).await.unwrap().is_empty());

    // No longer payable: refused, nothing queued.
    e.cancel(&sent.id).await.unwrap();
    assert_eq!(
        e.resend(&sent.id).await.unwrap_err().field(),
        Some("invoice")
    );
    assert_eq!(e.deliveries(Some(&sent.id)).await.unwrap().len(), 2);
    assert_eq!(server.messages().len(), 2);
}
