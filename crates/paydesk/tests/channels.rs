//! A channel that cannot send is never saved: the keys it signs in with are asked for
//! when it is added, named by field, and nothing is written without them.

mod support;

use paydesk::core::InputCode;
use paydesk::{Engine, EngineError, NewChannel, Secret};
use paydesk_secrets::SecretStore;

async fn engine() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let e = Engine::open_with(
        dir.path(),
        SecretStore::with_service(support::service("channels")),
    )
    .await
    .unwrap();
    (dir, e)
}

fn missing(e: &EngineError) -> Vec<(String, InputCode)> {
    match e {
        EngineError::Input(l) => l.iter().map(|i| (i.field.clone(), i.code)).collect(),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_channel_without_the_keys_it_signs_in_with_is_not_saved() {
    let (_d, e) = engine().await;
    let smtp = |secrets: Vec<(String, Secret)>| NewChannel {
        name: "mail".into(),
        kind: "smtp".into(),
        host: Some("smtp.example.kr".into()),
        username: Some("shop".into()),
        from: Some("shop@hana.kr".into()),
        secrets,
        ..Default::default()
    };
    let err = e.add_channel(smtp(vec![])).await.unwrap_err();
    assert_eq!(missing(&err), vec![("password".into(), InputCode::Empty)]);
    let blank = vec![("password".into(), Secret::from(" ".to_string()))];
    assert!(e.add_channel(smtp(blank)).await.is_err());
    assert!(e.channels().await.unwrap().is_empty(), "nothing saved");

    let err = e
        .add_channel(NewChannel {
            name: "sms".into(),
            kind: "solapi".into(),
            sender: Some("029302266".into()),
            secrets: vec![("api_key".into(), Secret::from("k".to_string()))],
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(missing(&err), vec![("api_secret".into(), InputCode::Empty)]);

    // A relay on this computer without a user name needs no password.
    e.add_channel(NewChannel {
        name: "relay".into(),
        kind: "smtp".into(),
        host: Some("127.0.0.1".into()),
        port: Some(2525),
        tls: Some("none".into()),
        from: Some("shop@hana.kr".into()),
        ..Default::default()
    })
    .await
    .unwrap();
    // With its password, the user's channel is kept.
    e.add_channel(smtp(vec![(
        "password".into(),
        Secret::from("pw".to_string()),
    )]))
    .await
    .unwrap();
    assert_eq!(e.channels().await.unwrap().len(), 2);
    e.remove_channel("mail").await.unwrap();
}

#[path = "../../paydesk-cli/tests/support/smtp.rs"]
mod smtp;

/// A channel is changed in place: new settings, a new password, or the settings alone
/// with the password kept; another kind or a bad setting changes nothing.
#[tokio::test]
async fn a_channel_is_edited_with_its_keys_kept_or_replaced() {
    let (_d, e) = engine().await;
    let server = smtp::SmtpServer::start("none", Some(("shop", "right")), &[]);
    let mail = |from: &str, password: Option<&str>| NewChannel {
        name: "mail".into(),
        kind: "smtp".into(),
        host: Some("127.0.0.1".into()),
        port: Some(server.port),
        tls: Some("none".into()),
        username: Some("shop".into()),
        from: Some(from.into()),
        secrets: password
            .map(|p| vec![("password".into(), Secret::from(p.to_string()))])
            .unwrap_or_default(),
        ..Default::default()
    };
    e.add_channel(mail("shop@hana.kr", Some("wrong")))
        .await
        .unwrap();
    assert!(
        e.test_channel("mail", None).await.is_err(),
        "the wrong password"
    );

    e.edit_channel(mail("shop@hana.kr", Some("right")))
        .await
        .unwrap();
    e.test_channel("mail", None).await.unwrap();

    // Settings alone: the password in the keyring is kept.
    let v = e.edit_channel(mail("counter@hana.kr", None)).await.unwrap();
    assert_eq!(v.settings["from"], "counter@hana.kr");
    assert_eq!(
        v.sends_from,
        format!("127.0.0.1:{} · counter@hana.kr", server.port)
    );
    e.test_channel("mail", None).await.unwrap();

    // Another kind, a bad address, an unknown channel: refused, nothing changed.
    let twilio = NewChannel {
        kind: "twilio".into(),
        sender: Some("+15005550006".into()),
        secrets: vec![
            ("account_sid".into(), Secret::from("AC1".to_string())),
            ("auth_token".into(), Secret::from("t".to_string())),
        ],
        ..mail("x@hana.kr", None)
    };
    assert_eq!(
        e.edit_channel(twilio).await.unwrap_err().field(),
        Some("kind")
    );
    assert_eq!(
        e.edit_channel(mail("not an address", None))
            .await
            .unwrap_err()
            .field(),
        Some("from")
    );
    let other = NewChannel {
        name: "nope".into(),
        ..mail("x@hana.kr", None)
    };
    assert_eq!(
        e.edit_channel(other).await.unwrap_err().field(),
        Some("channel")
    );
    let now = e.channels().await.unwrap();
    assert_eq!(now.len(), 1);
    assert_eq!(now[0].settings["from"], "counter@hana.kr");
    e.test_channel("mail", None).await.unwrap();
    e.remove_channel("mail").await.unwrap();
}
