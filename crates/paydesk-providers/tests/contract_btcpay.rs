//! The BTCPay adapter against BTCPay's own OpenAPI files, served by Prism: every
//! operation must pass Prism's request validation, and every answer must be read, on
//! the current server (`btcpay-greenfield`) and on a released 2.3.9, which has no
//! store-less routes.

mod common;

use chrono::{Duration, Utc};
use common::Prism;
use paydesk_core::{Currency, InvoiceKind, Money, ProviderKind};
use paydesk_providers::btcpay::Btcpay;
use paydesk_providers::http::Http;
use paydesk_providers::{CreateRequest, CustomerInfo, Provider, ProviderError, RefundRequest};
use secrecy::SecretString;

/// Every test runs against both: what works on both works on every server in use.
const SPECS: [&str; 2] = [
    "btcpay-greenfield.openapi.json",
    "btcpay-greenfield-v2.3.9.openapi.json",
];

fn adapter(prism: &Prism) -> Btcpay {
    Btcpay::new(
        Http::new(ProviderKind::Btcpay).unwrap(),
        &prism.url,
        "STORE1",
        SecretString::from("test-api-key"),
    )
    .unwrap()
}

fn request() -> CreateRequest {
    CreateRequest {
        kind: InvoiceKind::Link,
        order_id: "PD-CONTRACT-1".into(),
        name: "테스트 상품".into(),
        amount: Money::parse("0.0015", Currency::Btc).unwrap(),
        tax_free: Money::zero(Currency::Btc),
        expires_at: Utc::now() + Duration::hours(2),
        customer: Some(CustomerInfo {
            name: Some("김민준".into()),
            phone: Some("+821012345678".into()),
            email: Some("minjun@example.kr".into()),
        }),
        callback_url: None,
    }
}

#[tokio::test]
async fn every_operation_passes_the_contract() {
    for spec in SPECS {
        every_operation_passes_the_contract_on(spec).await;
    }
}

async fn every_operation_passes_the_contract_on(spec: &str) {
    let prism = Prism::start(spec, false);
    let p = adapter(&prism);
    // The account test reads the key's permissions; the example key has none of a store's.
    match p.check().await {
        Err(ProviderError::Auth { message, .. }) => {
            assert!(
                message.contains("btcpay.store.canviewinvoices"),
                "{message}"
            )
        }
        other => panic!("{other:?}"),
    }
    let created = p.create(&request()).await.expect("create");
    assert!(!created.provider_id.is_empty());
    assert!(created.payment_url.is_some());
    let got = p.get(&created.provider_id).await.expect("get");
    assert_eq!(got.provider_id, created.provider_id);
    // The example list holds another order id: nothing is adopted by mistake.
    assert_eq!(
        p.find_by_order_id("PD-CONTRACT-1").await.expect("find"),
        None
    );
    p.cancel(&created.provider_id).await.expect("mark invalid");
    let left = Money::parse("0.0015", Currency::Btc).unwrap();
    let refunded = p
        .refund(&RefundRequest {
            provider_id: &created.provider_id,
            amount: None,
            left,
            reference: "paydesk:contract:0",
            to_account: None,
        })
        .await;
    // The file's own refund example breaks its schema; reading it must still not panic.
    if let Err(e) = &refunded {
        assert!(matches!(e, ProviderError::Malformed { .. }), "{e}");
    }
    p.refund(&RefundRequest {
        provider_id: &created.provider_id,
        amount: Some(Money::parse("0.0001", Currency::Btc).unwrap()),
        left,
        reference: "paydesk:contract:1",
        to_account: None,
    })
    .await
    .ok();
    assert_eq!(prism.violations(), Vec::<String>::new(), "{spec}");
}

#[tokio::test]
async fn payment_requests_pass_the_contract() {
    for spec in SPECS {
        payment_requests_pass_the_contract_on(spec).await;
    }
}

async fn payment_requests_pass_the_contract_on(spec: &str) {
    let prism = Prism::start(spec, false);
    let p = adapter(&prism);
    let pr = p
        .create_payment_request(
            "월 정기 결제",
            Money::parse("29900", Currency::Krw).unwrap(),
            Utc::now() + Duration::days(30),
            "PD-PR-1",
        )
        .await
        .expect("create");
    assert!(!pr.id.is_empty());
    assert_eq!(p.payment_request(&pr.id).await.expect("get").id, pr.id);
    p.archive_payment_request(&pr.id).await.expect("archive");
    assert_eq!(prism.violations(), Vec::<String>::new());
    assert_eq!(prism.requests(), 3);
}

#[tokio::test]
async fn missing_keys_are_an_auth_error_in_the_providers_words() {
    for spec in SPECS {
        missing_keys_are_an_auth_error_in_the_providers_words_on(spec).await;
    }
}

async fn missing_keys_are_an_auth_error_in_the_providers_words_on(spec: &str) {
    let prism = Prism::start(spec, false);
    // Prism answers 401 when the Authorization header is absent: send none.
    let client = reqwest::Client::new();
    let resp = client
        .get(format!("{}/api/v1/stores/STORE1/invoices/abc", prism.url))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn generated_answers_never_panic_and_every_status_is_mapped() {
    for spec in SPECS {
        generated_answers_never_panic_and_every_status_is_mapped_on(spec).await;
    }
}

async fn generated_answers_never_panic_and_every_status_is_mapped_on(spec: &str) {
    let prism = Prism::start(spec, true);
    let p = adapter(&prism);
    let mut ok = 0;
    for i in 0..40 {
        match p.get(&format!("inv{i}")).await {
            Ok(_) => ok += 1,
            // Generated strings are not amounts or currencies: named, never a panic.
            Err(ProviderError::Malformed { field, .. }) => {
                assert_ne!(field, "status", "a status was not mapped")
            }
            Err(e) => panic!("{e}"),
        }
    }
    let _ = ok;
    assert_eq!(prism.violations(), Vec::<String>::new(), "{spec}");
}

#[tokio::test]
async fn the_stand_in_does_catch_a_broken_request() {
    for spec in SPECS {
        the_stand_in_does_catch_a_broken_request_on(spec).await;
    }
}

async fn the_stand_in_does_catch_a_broken_request_on(spec: &str) {
    // Proves the checks above can fail: a request against the contract is reported.
    let prism = Prism::start(spec, false);
    let resp = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/stores/STORE1/invoices/abc/status",
            prism.url
        ))
        .header("Authorization", "token k")
        .header("Content-Type", "application/json")
        .body(r#"{"status": 42}"#)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_client_error(), "{}", resp.status());
    assert!(!prism.violations().is_empty());
}
