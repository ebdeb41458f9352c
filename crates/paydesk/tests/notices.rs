//! Notices the store server hears (BTCPay webhooks, PortOne's and PIPE's notices) are
//! believed for one thing only: which invoice to read again. Generated bodies never
//! panic; a named invoice is a non-empty string of the body at the provider's field,
//! and a BTCPay notice names one only under the account's store.
//!
//! 256 cases each here; the long run in docs/robustness.md sets `PROPTEST_CASES=100000`.

use paydesk::{notice_names, CallbackError};
use paydesk_core::ProviderKind;
use proptest::prelude::*;
use serde_json::Value;

fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        prop::sample::select(vec!["STORE1", "STORE2", "INV1", "imp_1", "", " ", "store1"])
            .prop_map(Value::from),
        ".{0,16}".prop_map(Value::from),
    ];
    let keys = prop::sample::select(vec![
        "storeId",
        "invoiceId",
        "imp_uid",
        "merchant_uid",
        "status",
        "invoice_id",
        "data",
        "type",
        "deliveryId",
        "x",
    ]);
    leaf.prop_recursive(3, 24, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map(keys.clone().prop_map(str::to_string), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => value().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        1 => prop::collection::vec(any::<u8>(), 0..64),
    ]
}

fn provider() -> impl Strategy<Value = ProviderKind> {
    prop::sample::select(vec![
        ProviderKind::Btcpay,
        ProviderKind::Portone,
        ProviderKind::Pipe,
    ])
}

proptest! {
    #[test]
    fn notices_name_an_invoice_or_are_refused(p in provider(), b in body()) {
        match notice_names(p, Some("STORE1"), &b) {
            Ok(id) => {
                let v: Value = serde_json::from_slice(&b).unwrap();
                prop_assert!(!id.is_empty());
                let at = match p {
                    ProviderKind::Btcpay => {
                        prop_assert_eq!(v["storeId"].as_str(), Some("STORE1"));
                        v["invoiceId"].as_str()
                    }
                    ProviderKind::Portone => v["imp_uid"].as_str(),
                    _ => v["data"]["invoice_id"].as_str().filter(|s| !s.trim().is_empty()).or(v["invoice_id"].as_str()),
                };
                prop_assert_eq!(at.map(str::trim), Some(id.as_str()));
            }
            Err(e) => prop_assert!(matches!(e, CallbackError::Malformed(_) | CallbackError::Mismatch(_))),
        }
    }
}

#[test]
fn the_fields_each_provider_names() {
    let names = |p, b: &str| notice_names(p, Some("S"), b.as_bytes()).ok();
    assert_eq!(
        names(ProviderKind::Btcpay, r#"{"storeId":"S","invoiceId":"I"}"#).as_deref(),
        Some("I")
    );
    assert_eq!(
        names(ProviderKind::Btcpay, r#"{"storeId":"T","invoiceId":"I"}"#),
        None
    );
    assert_eq!(
        names(
            ProviderKind::Portone,
            r#"{"imp_uid":"imp_1","status":"paid"}"#
        )
        .as_deref(),
        Some("imp_1")
    );
    assert_eq!(names(ProviderKind::Portone, r#"{"imp_uid":"  "}"#), None);
    assert_eq!(
        names(ProviderKind::Pipe, r#"{"data":{"invoice_id":"P1"}}"#).as_deref(),
        Some("P1")
    );
    assert_eq!(
        names(ProviderKind::Pipe, r#"{"invoice_id":"P2"}"#).as_deref(),
        Some("P2")
    );
}
