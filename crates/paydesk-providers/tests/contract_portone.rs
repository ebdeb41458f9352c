//! The PortOne adapter against PortOne's own v1 file, served by Prism. The file has no
//! examples, so Prism generates answers (`-d`): requests must pass its validation, and
//! generated answers must be read or refused with the field named — never a panic.

mod common;

use chrono::{Duration, Utc};
use common::Prism;
use paydesk_core::{Currency, InvoiceKind, Money, ProviderKind};
use paydesk_providers::http::Http;
use paydesk_providers::portone::Portone;
use paydesk_providers::{CreateRequest, CustomerInfo, Provider, ProviderError, RefundRequest};
use secrecy::SecretString;

const SPEC: &str = "portone-v1.swagger.json";

fn adapter(prism: &Prism) -> Portone {
    Portone::new(
        Http::new(ProviderKind::Portone).unwrap(),
        &prism.url,
        Some("channel-key-test".into()),
        SecretString::from("imp_key_test"),
        SecretString::from("imp_secret_test"),
    )
}

fn cvs() -> CreateRequest {
    CreateRequest {
        kind: InvoiceKind::Cvs,
        order_id: "PD-CVS-1".into(),
        name: "편의점 결제 상품".into(),
        amount: Money::parse("29900", Currency::Krw).unwrap(),
        tax_free: Money::zero(Currency::Krw),
        expires_at: Utc::now() + Duration::days(3),
        customer: Some(CustomerInfo {
            name: Some("김민준".into()),
            phone: Some("+821012345678".into()),
            email: None,
        }),
        callback_url: None,
    }
}

/// The customer's account a cash payment goes back to.
fn account() -> paydesk_core::RefundAccount {
    paydesk_core::RefundAccount::parse(paydesk_core::RefundAccountFields {
        holder: Some("김민준"),
        bank: Some("004"),
        number: Some("123-4567-8901"),
    })
    .unwrap()
    .unwrap()
}

/// A refund of 1,000 won asked on what PortOne itself says is refundable (so that the
/// cancel is sent, not refused for a stale view).
async fn refund(p: &impl Provider, id: &str) -> Result<(), ProviderError> {
    let now = p.get(id).await?;
    let left = Money::from_minor((now.paid_minor - now.refunded_minor).max(0), Currency::Krw)
        .map_err(|e| ProviderError::Malformed {
            provider: ProviderKind::Portone,
            field: "amount".into(),
            message: e.to_string(),
        })?;
    p.refund(&RefundRequest {
        provider_id: id,
        amount: Some(Money::parse("1000", Currency::Krw).unwrap()),
        left,
        reference: "paydesk:test:0",
        to_account: Some(&account()),
    })
    .await
    .map(|_| ())
}

/// What a generated answer may legitimately be turned into.
fn acceptable(e: &ProviderError) -> bool {
    match e {
        // Generated `code` values other than 0 are PortOne refusing, in its words.
        ProviderError::Rejected { code: Some(_), .. } => true,
        // Generated strings are not statuses or currencies: named, not a panic.
        ProviderError::Malformed { field, .. } => !field.is_empty(),
        _ => false,
    }
}

#[tokio::test]
async fn every_operation_passes_the_contract() {
    for dynamic in [false, true] {
        let prism = Prism::start(SPEC, dynamic);
        let p = adapter(&prism);
        for _ in 0..5 {
            for r in [
                p.create(&cvs()).await.map(|_| ()),
                p.get("imp_123").await.map(|_| ()),
                p.find_by_order_id("PD-CVS-1").await.map(|_| ()),
                p.cancel("imp_123").await.map(|_| ()),
                refund(&p, "imp_123").await,
            ] {
                if let Err(e) = r {
                    assert!(acceptable(&e), "dynamic={dynamic}: {e}");
                }
            }
        }
        assert_eq!(
            prism.violations(),
            Vec::<String>::new(),
            "dynamic={dynamic}"
        );
    }
}

#[tokio::test]
async fn links_and_other_currencies_are_refused_before_sending() {
    let prism = Prism::start(SPEC, false);
    let p = adapter(&prism);
    let mut link = cvs();
    link.kind = InvoiceKind::Link;
    assert!(matches!(
        p.create(&link).await,
        Err(ProviderError::Unsupported { .. })
    ));
    let mut usd = cvs();
    usd.amount = Money::parse("12.34", Currency::Usd).unwrap();
    assert!(matches!(
        p.create(&usd).await,
        Err(ProviderError::Rejected { code: None, .. })
    ));
}
