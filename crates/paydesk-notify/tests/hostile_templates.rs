//! The messages, generated: a merchant's own templates (any text, unbalanced braces,
//! unknown placeholders) filled with any store, customer, item, amount, expiry and link.
//! Filling never panics and is exactly the template with each known placeholder replaced;
//! the e-mail's HTML never holds markup from the data or the template; SMS byte counts
//! never panic.
//!
//! 256 cases each here; the long run in docs/robustness.md sets `PROPTEST_CASES=100000`.

use paydesk_notify::sms;
use paydesk_notify::template::{self, Lang, MessageVars, Templates};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Part {
    Text(String),
    Known(&'static str),
    Unknown(String),
}

const KNOWN: [&str; 6] = ["store", "customer", "item", "amount", "expiry", "link"];

fn part() -> impl Strategy<Value = Part> {
    prop_oneof![
        "[^{}]{0,12}".prop_map(Part::Text),
        prop::sample::select(KNOWN.to_vec()).prop_map(Part::Known),
        "[^{}]{0,8}"
            .prop_filter("not a known name", |s| !KNOWN.contains(&s.as_str()))
            .prop_map(Part::Unknown),
    ]
}

fn lang() -> impl Strategy<Value = Lang> {
    prop::sample::select(vec![Lang::Ko, Lang::Ja, Lang::En])
}

fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,30}",
        "[{}<>\"'&a-z가-힣\\n\\r\\t ]{0,30}",
        Just("<script>alert(1)</script>".to_string()),
        Just("{link}{store}{".to_string()),
    ]
}

fn vars() -> impl Strategy<Value = MessageVars> {
    (
        hostile(),
        prop::option::of(hostile()),
        hostile(),
        hostile(),
        hostile(),
        hostile(),
    )
        .prop_map(
            |(store, customer, item, amount, expiry, link)| MessageVars {
                store,
                customer,
                item,
                amount,
                expiry,
                link,
            },
        )
}

fn value_of(v: &MessageVars, name: &str, lang: Lang) -> String {
    match name {
        "store" => v.store.clone(),
        "customer" => {
            // The customer's name, or the language's word for "customer".
            let probe = MessageVars {
                customer: v.customer.clone(),
                ..MessageVars {
                    store: String::new(),
                    customer: None,
                    item: String::new(),
                    amount: String::new(),
                    expiry: String::new(),
                    link: String::new(),
                }
            };
            template::render("{customer}", &probe, lang)
        }
        "item" => v.item.clone(),
        "amount" => v.amount.clone(),
        "expiry" => v.expiry.clone(),
        "link" => v.link.clone(),
        _ => unreachable!(),
    }
}

proptest! {
    #[test]
    fn filling_is_exactly_the_template_with_its_placeholders(
        parts in prop::collection::vec(part(), 0..12),
        v in vars(),
        lang in lang(),
    ) {
        let mut template = String::new();
        let mut expected = String::new();
        for p in &parts {
            match p {
                Part::Text(t) => {
                    template.push_str(t);
                    expected.push_str(t);
                }
                Part::Known(k) => {
                    template.push_str(&format!("{{{k}}}"));
                    expected.push_str(&value_of(&v, k, lang));
                }
                Part::Unknown(u) => {
                    template.push_str(&format!("{{{u}}}"));
                    expected.push_str(&format!("{{{u}}}"));
                }
            }
        }
        prop_assert_eq!(template::render(&template, &v, lang), expected);
    }

    #[test]
    fn any_template_and_data_render_without_markup(
        sms in hostile(),
        subject in hostile(),
        text in hostile(),
        v in vars(),
        lang in lang(),
        alt in hostile(),
    ) {
        let t = Templates { sms, email_subject: subject, email_text: text };
        let s = template::sms_text(&t, &v, lang);
        let _ = sms::classify(&s);
        let _ = sms::euc_kr_len(&s);
        let mail = template::email(&t, &v, lang).with_logo(&alt);
        // The only tags are PayDesk's own: no data or template text opens one.
        for (i, _) in mail.html.match_indices('<') {
            let tag = &mail.html[i + 1..];
            let known = [
                "!DOCTYPE html>", "html lang=", "head>", "meta charset=", "title>", "/title>",
                "/head>", "body style=", "p>", "p style=", "/p>", "br>", "a href=", "/a>",
                "img src=", "/body>", "/html>",
            ];
            prop_assert!(known.iter().any(|k| tag.starts_with(k)), "markup {:?} in {}", &tag[..tag.len().min(20)], mail.html);
        }
        prop_assert!(!mail.html.contains("<script"));
        let vars = template::alimtalk_variables(&v, lang);
        prop_assert_eq!(vars.len(), 6);
    }

    #[test]
    fn builtin_texts_fill_for_every_language(v in vars(), lang in lang()) {
        for t in [Templates::builtin(lang), Templates::refund_claim(lang)] {
            let s = template::sms_text(&t, &v, lang);
            prop_assert!(s.contains(&v.link));
            let mail = template::email(&t, &v, lang);
            prop_assert!(mail.text.contains(&v.link));
        }
    }
}
