//! The Bootpay adapter against the transcribed Bootpay Commerce contract, served by Prism.

mod common;

use chrono::{Duration, Utc};
use common::Prism;
use paydesk_core::{Currency, InvoiceKind, Money, ProviderKind, Status};
use paydesk_providers::bootpay::{Bootpay, SEND_KAKAO, SEND_SMS};
use paydesk_providers::http::Http;
use paydesk_providers::{CreateRequest, CustomerInfo, Provider, ProviderError};
use secrecy::SecretString;

const SPEC: &str = "bootpay-commerce.openapi.json";

fn adapter(prism: &Prism) -> Bootpay {
    Bootpay::new(
        Http::new(ProviderKind::Bootpay).unwrap(),
        &prism.url,
        SecretString::from("client-key"),
        SecretString::from("secret-key"),
    )
}

fn link() -> CreateRequest {
    CreateRequest {
        kind: InvoiceKind::Link,
        order_id: "PD-BOOTPAY-1".into(),
        name: "Professional 플랜 구독".into(),
        amount: Money::parse("29900", Currency::Krw).unwrap(),
        tax_free: Money::parse("1000", Currency::Krw).unwrap(),
        expires_at: Utc::now() + Duration::days(1),
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
    let prism = Prism::start(SPEC, false);
    let p = adapter(&prism);
    let created = p.create(&link()).await.expect("create");
    assert_eq!(created.status, Status::Open);
    assert!(created
        .payment_url
        .as_deref()
        .unwrap()
        .starts_with("https://"));
    // The contract's link is unpaid (`status: 1`, no `pay_at`): it reads back open.
    let got = p.get(&created.provider_id).await.expect("get");
    assert_eq!(got.status, Status::Open);
    assert_eq!(got.paid_minor, 0);
    // The keys are checked with the list; a link cannot be found by its order id.
    p.check().await.expect("list");
    assert!(matches!(
        p.find_by_order_id("PD-BOOTPAY-1").await,
        Err(ProviderError::Unsupported { .. })
    ));
    p.notify(&created.provider_id, &[SEND_SMS, SEND_KAKAO])
        .await
        .expect("notify");
    assert!(matches!(
        p.cancel(&created.provider_id).await,
        Err(ProviderError::Unsupported { .. })
    ));
    assert_eq!(prism.violations(), Vec::<String>::new());
    // token once, create, get, list, notify: the token was reused.
    assert_eq!(prism.requests(), 5);
}

#[tokio::test]
async fn generated_answers_never_panic() {
    let prism = Prism::start(SPEC, true);
    let p = adapter(&prism);
    for _ in 0..10 {
        for r in [p.create(&link()).await, p.get("inv_1").await] {
            if let Err(e) = r {
                assert!(
                    matches!(
                        e,
                        ProviderError::Malformed { .. } | ProviderError::Rejected { .. }
                    ),
                    "{e}"
                );
            }
        }
    }
    assert_eq!(prism.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn other_currencies_are_refused_before_sending() {
    let prism = Prism::start(SPEC, false);
    let mut usd = link();
    usd.amount = Money::parse("12.34", Currency::Usd).unwrap();
    usd.tax_free = Money::zero(Currency::Usd);
    assert!(matches!(
        adapter(&prism).create(&usd).await,
        Err(ProviderError::Rejected { code: None, .. })
    ));
    assert_eq!(prism.requests(), 0);
}
