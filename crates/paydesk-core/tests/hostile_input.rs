//! Hostile input, generated: every parser of what a clerk types (amounts, phones,
//! addresses, names, order ids, durations, deadlines, whole link forms) and the
//! redactors take any string without panicking, and what they accept reads back as
//! itself. 256 cases each here (inside `./x test`); the long run in docs/robustness.md
//! sets `PROPTEST_CASES=100000`.

use chrono::{TimeZone, Utc};
use paydesk_core::input::duration;
use paydesk_core::redact::{mask_contacts, Redactor};
use paydesk_core::{
    Currency, Email, Expiry, ItemName, LinkDraft, LinkFields, Money, OrderId, PersonName, Phone,
};
use proptest::prelude::*;

fn any_currency() -> impl Strategy<Value = Currency> {
    prop_oneof![
        Just(Currency::Krw),
        Just(Currency::Jpy),
        Just(Currency::Usd),
        Just(Currency::Btc)
    ]
}

/// Text a hostile clerk, paste or script may send: any Unicode, and text made of the
/// characters parsers care about (digits, signs, separators, control characters).
fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[0-9+\\-., _:@<>()\\[\\]'\"\\\\/\\r\\n\\t\\x1b\\x00가-힣a-zA-Z=%#]{0,40}",
        "[+-]?[0-9]{0,30}([.,][0-9]{0,30})?",
    ]
}

proptest! {
    #[test]
    fn amounts_never_panic_and_round_trip(s in hostile(), c in any_currency()) {
        if let Ok(m) = Money::parse(&s, c) {
            prop_assert!(m.minor() >= 0);
            prop_assert_eq!(Money::parse(&m.to_plain(), c), Ok(m));
        }
    }

    #[test]
    fn contacts_and_names_never_panic_and_are_stable(s in hostile()) {
        if let Ok(p) = Phone::parse(&s) {
            prop_assert_eq!(Phone::parse(p.e164()).map(|q| q.e164().to_string()), Ok(p.e164().to_string()));
            let _ = (p.display(), p.korean_digits());
        }
        if let Ok(e) = Email::parse(&s) {
            prop_assert!(!e.as_str().chars().any(|c| c.is_control() || c.is_whitespace()));
            prop_assert_eq!(Email::parse(e.as_str()).map(|f| f.as_str().to_string()), Ok(e.as_str().to_string()));
        }
        if let Ok(n) = ItemName::parse(&s) {
            prop_assert!(!n.as_str().chars().any(char::is_control));
        }
        if let Ok(n) = PersonName::parse("customer_name", &s) {
            prop_assert!(!n.as_str().chars().any(char::is_control));
        }
        if let Ok(o) = OrderId::parse("order_id", &s) {
            prop_assert_eq!(OrderId::parse("order_id", o.as_str()).map(|p| p.as_str().to_string()), Ok(o.as_str().to_string()));
        }
    }

    #[test]
    fn durations_and_deadlines_never_panic(s in hostile(), days in -400_000i64..400_000) {
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 12, 0, 0).unwrap() + chrono::Duration::days(days);
        let _ = duration("expires_in", &s);
        if let Ok(e) = Expiry::parse_in("expires_in", &s, now) {
            prop_assert!(e.instant() > now);
        }
        let _ = Expiry::parse_instant("expires_at", &s, now);
    }

    #[test]
    fn whole_link_forms_never_panic(
        name in hostile(), amount in hostile(), currency in hostile(), tax_free in hostile(),
        expires_in in hostile(), expires_at in hostile(), order_id in hostile(),
    ) {
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 12, 0, 0).unwrap();
        let f = LinkFields {
            name: &name,
            amount: &amount,
            currency: Some(&currency),
            tax_free: Some(&tax_free),
            expires_in: Some(&expires_in),
            expires_at: Some(&expires_at),
            order_id: Some(&order_id),
            store_currency: None,
        };
        match LinkDraft::parse(&f, now) {
            Ok(d) => prop_assert!(d.tax_free.minor() <= d.amount.minor()),
            Err(errors) => prop_assert!(!errors.is_empty()),
        }
    }

    #[test]
    fn redaction_never_leaves_a_secret(
        before in any::<String>(), after in any::<String>(), secret in "[A-Z0-9]{12,40}",
        url in prop::bool::ANY,
    ) {
        let text = if url {
            format!("{before} https://api.example/v1/{secret}/x?key={secret} {after}")
        } else {
            format!("{before}{secret}{after}")
        };
        let clean = Redactor::new([secret.as_str()]).clean(&text);
        prop_assert!(!clean.contains(&secret), "{}", clean);
        let _ = mask_contacts(&text);
    }
}
