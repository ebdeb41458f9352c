//! What providers POST to the store server, generated: BitroPay's status callbacks and
//! BTCPay's signed webhooks. Reading never panics; a BitroPay callback is read only with
//! a known status and a whole, non-negative price; a BTCPay signature holds for exactly
//! the body it signed and no other.
//!
//! 256 cases each here; the long run in docs/robustness.md sets `PROPTEST_CASES=100000`.

use hmac::{Hmac, Mac};
use paydesk_providers::{bitropay, btcpay};
use proptest::prelude::*;
use serde_json::{json, Value};

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        prop::sample::select(vec![
            "wait",
            "ok",
            "amountLow",
            "amountOver",
            "confirmed",
            "confirmedLow",
            "confirmedOver",
            "timeout",
            "confirmFail",
            "refund",
            "WAIT",
            "",
            "INV1",
            "PD-1",
            "50000",
            "-1",
            "1e3",
        ])
        .prop_map(Value::from),
        ".{0,24}".prop_map(Value::from),
    ]
}

fn callback_json() -> impl Strategy<Value = Value> {
    let keys = prop::sample::select(vec![
        "invoiceId",
        "status",
        "productId",
        "productPrice",
        "invoice_id",
        "data",
        "x",
    ]);
    leaf().prop_recursive(3, 24, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map(keys.clone().prop_map(str::to_string), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => callback_json().prop_map(|v| serde_json::to_vec(&v).unwrap()),
        2 => (leaf(), leaf(), leaf(), leaf()).prop_map(|(i, s, o, p)| {
            serde_json::to_vec(&json!({"invoiceId": i, "status": s, "productId": o, "productPrice": p})).unwrap()
        }),
        1 => prop::collection::vec(any::<u8>(), 0..64),
    ]
}

fn sign(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

proptest! {
    #[test]
    fn bitropay_callbacks_never_panic(b in body()) {
        if let Ok(seen) = bitropay::read_callback(&b) {
            let v: Value = serde_json::from_slice(&b).unwrap();
            prop_assert_eq!(v["status"].as_str(), Some(seen.invoice.raw_status.as_str()));
            prop_assert!(bitropay::map_status(&seen.invoice.raw_status).is_some());
            prop_assert!(seen.price_minor.is_none_or(|p| p >= 0));
            prop_assert_eq!(seen.invoice.paid_minor, 0, "a callback names no money received");
        }
    }

    #[test]
    fn btcpay_signatures_hold_for_their_body_only(
        secret in prop::collection::vec(any::<u8>(), 0..40),
        b in body(),
        flip in any::<prop::sample::Index>(),
        header in ".{0,80}",
    ) {
        // Any header at all: a bool, never a panic.
        let _ = btcpay::verify_webhook(&secret, &b, &header);
        let sig = sign(&secret, &b);
        prop_assert!(btcpay::verify_webhook(&secret, &b, &sig));
        let spaced = format!(" {} ", sig);
        prop_assert!(btcpay::verify_webhook(&secret, &b, &spaced));
        if !b.is_empty() {
            let mut other = b.clone();
            let i = flip.index(other.len());
            other[i] ^= 0x01;
            prop_assert!(!btcpay::verify_webhook(&secret, &other, &sig));
        }
        let mut wrong = secret.clone();
        wrong.push(b'x');
        prop_assert!(!btcpay::verify_webhook(&wrong, &b, &sig));
    }
}
