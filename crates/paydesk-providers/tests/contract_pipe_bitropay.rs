//! PIPE and BitroPay adapters against their transcribed contracts, served by Prism.

mod common;

use chrono::{Duration, Utc};
use common::Prism;
use paydesk_core::{Currency, InvoiceKind, Money, ProviderKind, Status};
use paydesk_providers::bitropay::Bitropay;
use paydesk_providers::http::Http;
use paydesk_providers::pipe::Pipe;
use paydesk_providers::{CreateRequest, Provider, ProviderError, RefundRequest};
use secrecy::SecretString;

fn link(amount: &str, currency: Currency) -> CreateRequest {
    CreateRequest {
        kind: InvoiceKind::Link,
        order_id: "PD-CONTRACT-9".into(),
        name: "Test Order Name".into(),
        amount: Money::parse(amount, currency).unwrap(),
        tax_free: Money::zero(currency),
        expires_at: Utc::now() + Duration::hours(3),
        customer: None,
        callback_url: None,
    }
}

#[tokio::test]
async fn pipe_every_operation_passes_the_contract() {
    let prism = Prism::start("pipe.openapi.json", false);
    let p = Pipe::new(
        Http::new(ProviderKind::Pipe).unwrap(),
        &prism.url,
        SecretString::from("YOUR-API-KEY"),
        None,
    );
    let created = p
        .create(&link("10500", Currency::Krw))
        .await
        .expect("create");
    assert!(created
        .payment_url
        .unwrap()
        .starts_with("https://pay.pipeblockchain.com/invoice-"));
    let usd = p
        .create(&link("12.34", Currency::Usd))
        .await
        .expect("create in USD");
    assert_eq!(usd.currency, Some(Currency::Usd));
    let got = p.get(&created.provider_id).await.expect("get");
    assert_eq!(
        got.status,
        Status::PaidUnconfirmed,
        "status 1 with deposit_status 1: money is on its way"
    );
    assert_eq!(got.paid_minor, 10500);
    let refunded = p
        .refund(&RefundRequest {
            provider_id: &created.provider_id,
            amount: None,
            left: Money::from_minor(got.paid_minor, Currency::Krw).unwrap(),
            reference: "paydesk:contract:0",
            to_account: None,
        })
        .await
        .expect("refund");
    // PIPE refunds later: the invoice stays as PIPE shows it until PIPE has done it.
    assert_eq!(refunded.invoice.status, got.status);
    assert!(refunded.invoice.raw_status.contains("refund requested"));
    assert!(p.check().await.expect("test callback").contains("ok"));
    assert!(matches!(
        p.find_by_order_id("x").await,
        Err(ProviderError::Unsupported { .. })
    ));
    assert!(matches!(
        p.create(&link("0.1", Currency::Btc)).await,
        Err(ProviderError::Rejected { code: None, .. })
    ));
    assert_eq!(prism.violations(), Vec::<String>::new());
    assert_eq!(
        prism.requests(),
        6,
        "create ×2, get, refund (get + refund), test callback"
    );
}

#[tokio::test]
async fn pipe_generated_answers_never_panic() {
    let prism = Prism::start("pipe.openapi.json", true);
    let p = Pipe::new(
        Http::new(ProviderKind::Pipe).unwrap(),
        &prism.url,
        SecretString::from("k"),
        None,
    );
    for _ in 0..10 {
        if let Err(e) = p.get("i").await {
            assert!(
                matches!(
                    e,
                    ProviderError::Malformed { .. } | ProviderError::Rejected { .. }
                ),
                "{e}"
            );
        }
    }
    assert_eq!(prism.violations(), Vec::<String>::new());
}

#[tokio::test]
async fn bitropay_every_operation_passes_the_contract() {
    let prism = Prism::start("bitropay.openapi.json", false);
    let p = Bitropay::new(
        Http::new(ProviderKind::Bitropay).unwrap(),
        &prism.url,
        SecretString::from("your.api.key"),
        None,
        None,
    );
    assert!(p.check().await.expect("key check").contains("ok"));
    let created = p
        .create(&link("10000", Currency::Krw))
        .await
        .expect("create");
    assert_eq!(created.status, Status::Open);
    assert!(created.payment_url.unwrap().contains("/gateway/invoice/"));
    assert!(matches!(
        p.get(&created.provider_id).await,
        Err(ProviderError::Unsupported { .. })
    ));
    assert_eq!(prism.violations(), Vec::<String>::new());
    assert_eq!(prism.requests(), 2);
}

#[tokio::test]
async fn bitropay_generated_answers_never_panic() {
    let prism = Prism::start("bitropay.openapi.json", true);
    let p = Bitropay::new(
        Http::new(ProviderKind::Bitropay).unwrap(),
        &prism.url,
        SecretString::from("k"),
        None,
        None,
    );
    for _ in 0..10 {
        if let Err(e) = p.create(&link("10000", Currency::Krw)).await {
            assert!(
                matches!(
                    e,
                    ProviderError::Malformed { .. } | ProviderError::Rejected { .. }
                ),
                "{e}"
            );
        }
    }
    assert_eq!(prism.violations(), Vec::<String>::new());
}
