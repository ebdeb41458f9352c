//! What the engine's tests against the BTCPay stand-in share: a shop account on it, and
//! a link of 5 USD there.

#![allow(dead_code)]

use paydesk::{Engine, NewAccount, NewLink, Secret};
use paydesk_secrets::SecretStore;
use paydesk_standins::Standin;

/// The keyring service of one test binary's run (`what` tells the tests apart).
pub fn service(what: &str) -> String {
    format!("paydesk-{what}-{}", std::process::id())
}

/// An engine on a new data folder, its keys under `service`, with the account `shop`
/// on a fresh BTCPay stand-in.
pub async fn btcpay_shop(service: &str) -> (tempfile::TempDir, Engine, Standin) {
    let dir = tempfile::tempdir().unwrap();
    let e = Engine::open_with(dir.path(), SecretStore::with_service(service.to_string()))
        .await
        .unwrap();
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

/// A 5 USD link on `shop`, payable for a day.
pub fn link(name: &str) -> NewLink {
    NewLink {
        account: "shop".into(),
        name: name.into(),
        amount: "5.00".into(),
        currency: Some("USD".into()),
        expires_in: Some("1d".into()),
        ..Default::default()
    }
}
