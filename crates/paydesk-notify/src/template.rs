//! The messages customers get, per language (ko, en, ja): the SMS text, the e-mail
//! (subject, plain text, HTML) and the AlimTalk template variables. Placeholders are
//! `{store}`, `{customer}`, `{item}`, `{amount}`, `{expiry}` and `{link}`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use paydesk_core::Lang;

/// What a message says, already formatted for the customer (amount with its
/// currency, expiry in the merchant's time zone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageVars {
    pub store: String,
    pub customer: Option<String>,
    pub item: String,
    pub amount: String,
    pub expiry: String,
    pub link: String,
}

/// The templates of one language. Kept as data so a merchant's own wording can
/// replace them later without touching the code that sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Templates {
    pub sms: String,
    pub email_subject: String,
    pub email_text: String,
}

impl Templates {
    pub fn builtin(lang: Lang) -> Templates {
        let (sms, subject, text) = match lang {
            Lang::Ko => (
                // One SMS (90 EUC-KR bytes) with a shop name, an item and a link of
                // ordinary length; the deadline and greeting are on the link's page.
                "[{store}] {item} {amount} 결제 요청\n{link}",
                "[{store}] {item} 결제 요청 ({amount})",
                "{customer}님, 안녕하세요.\n\n{store}에서 결제를 요청드립니다.\n\n상품: {item}\n금액: {amount}\n결제 기한: {expiry}\n\n아래 링크에서 결제해 주세요.\n{link}\n\n감사합니다.\n{store}",
            ),
            Lang::En => (
                "[{store}] {customer}, pay {amount} for {item} by {expiry}:\n{link}",
                "[{store}] Payment request: {item} ({amount})",
                "Hello {customer},\n\n{store} has sent you a payment request.\n\nItem: {item}\nAmount: {amount}\nPay by: {expiry}\n\nPay here:\n{link}\n\nThank you,\n{store}",
            ),
            Lang::Ja => (
                "[{store}] {customer}様 {item} {amount} のお支払いリンクです。{expiry}まで\n{link}",
                "[{store}] お支払いのお願い：{item}（{amount}）",
                "{customer}様\n\n{store}よりお支払いのお願いです。\n\n商品：{item}\n金額：{amount}\nお支払い期限：{expiry}\n\n下記のリンクからお支払いください。\n{link}\n\n{store}",
            ),
        };
        Templates {
            sms: sms.into(),
            email_subject: subject.into(),
            email_text: text.into(),
        }
    }
}

impl Templates {
    /// The message with a refund's claim link (BTCPay's pull payment page): `{amount}` is
    /// what is given back, `{link}` where the customer says where to receive it.
    pub fn refund_claim(lang: Lang) -> Templates {
        let (sms, subject, text) = match lang {
            Lang::Ko => (
                "[{store}] {item} {amount} 환불\n받기: {link}",
                "[{store}] 환불 안내: {item} ({amount})",
                "{customer}님, 안녕하세요.\n\n{store}에서 {item}의 {amount}을 환불해 드립니다.\n\n아래 링크에서 받으실 곳을 입력하시면 환불이 끝납니다.\n{link}\n\n감사합니다.\n{store}",
            ),
            Lang::En => (
                "[{store}] Your refund of {amount} for {item}: claim it at\n{link}",
                "[{store}] Your refund: {item} ({amount})",
                "Hello {customer},\n\n{store} is refunding {amount} for {item}.\n\nSay where to receive it here, and the refund is done:\n{link}\n\nThank you,\n{store}",
            ),
            Lang::Ja => (
                "[{store}] {item} {amount} の返金です。受け取り：\n{link}",
                "[{store}] 返金のご案内：{item}（{amount}）",
                "{customer}様\n\n{store}より{item}の{amount}を返金いたします。\n\n下記のリンクで受け取り先を入力いただくと返金が完了します。\n{link}\n\n{store}",
            ),
        };
        Templates {
            sms: sms.into(),
            email_subject: subject.into(),
            email_text: text.into(),
        }
    }
}

fn customer_or_default(vars: &MessageVars, lang: Lang) -> String {
    match vars.customer.as_deref().map(str::trim) {
        Some(c) if !c.is_empty() => c.to_string(),
        _ => match lang {
            Lang::Ko => "고객".into(),
            Lang::En => "there".into(),
            Lang::Ja => "お客".into(),
        },
    }
}

/// Fills the placeholders of `template` (unknown `{…}` are left as they are).
pub fn render(template: &str, vars: &MessageVars, lang: Lang) -> String {
    let customer = customer_or_default(vars, lang);
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let Some(end) = after.find('}') else {
            out.push_str(after);
            rest = "";
            break;
        };
        let key = &after[1..end];
        let value = match key {
            "store" => Some(vars.store.as_str()),
            "customer" => Some(customer.as_str()),
            "item" => Some(vars.item.as_str()),
            "amount" => Some(vars.amount.as_str()),
            "expiry" => Some(vars.expiry.as_str()),
            "link" => Some(vars.link.as_str()),
            _ => None,
        };
        match value {
            Some(v) => out.push_str(v),
            None => out.push_str(&after[..=end]),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// A rendered e-mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmailContent {
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl EmailContent {
    /// The same e-mail with the store's logo (the inline image `cid:logo`) at the top of
    /// its HTML part, `alt` (the store's name) for mail readers that show no images.
    pub fn with_logo(&self, alt: &str) -> EmailContent {
        let mut html = self.html.clone();
        let at = html
            .find("<body")
            .and_then(|b| html[b..].find('>').map(|e| b + e + 1))
            .unwrap_or(0);
        html.insert_str(
            at,
            &format!(
                "\n<p><img src=\"cid:logo\" alt=\"{}\" style=\"max-height:60px;max-width:240px\"></p>",
                escape(alt)
            ),
        );
        EmailContent {
            subject: self.subject.clone(),
            text: self.text.clone(),
            html,
        }
    }
}

/// The SMS text of a payment link.
pub fn sms_text(t: &Templates, vars: &MessageVars, lang: Lang) -> String {
    // A Korean text writes won as 원: ₩ is not in EUC-KR and costs a carrier 7 bytes.
    let won = match (lang, vars.amount.strip_prefix('₩')) {
        (Lang::Ko, Some(n)) => Some(MessageVars {
            amount: format!("{n}원"),
            ..vars.clone()
        }),
        _ => None,
    };
    render(&t.sms, won.as_ref().unwrap_or(vars), lang)
}

/// The e-mail of a payment link. The HTML part is the text part, escaped, with the
/// link as a button and the QR code (`cid:qr`) under it.
pub fn email(t: &Templates, vars: &MessageVars, lang: Lang) -> EmailContent {
    let subject = render(&t.email_subject, vars, lang);
    let text = render(&t.email_text, vars, lang);
    let button = match lang {
        Lang::Ko => "결제하기",
        Lang::En => "Pay now",
        Lang::Ja => "支払う",
    };
    let scan = match lang {
        Lang::Ko => "휴대폰 카메라로 QR 코드를 찍어도 결제할 수 있습니다.",
        Lang::En => "Or scan the QR code with your phone's camera.",
        Lang::Ja => "スマートフォンのカメラでQRコードを読み取ってもお支払いいただけます。",
    };
    let mut body = String::new();
    for line in text.lines() {
        if line.trim() == vars.link {
            body.push_str(&format!(
                "<p><a href=\"{href}\" style=\"display:inline-block;padding:10px 18px;background:#1e5eff;color:#fff;border-radius:6px;text-decoration:none\">{button}</a></p>\n<p style=\"font-size:12px;color:#555\">{link}</p>\n",
                href = escape(&vars.link),
                link = escape(&vars.link),
            ));
        } else if line.is_empty() {
            body.push_str("<br>\n");
        } else {
            body.push_str(&format!("{}<br>\n", escape(line)));
        }
    }
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title}</title></head>\n<body style=\"font-family:sans-serif;line-height:1.5\">\n{body}<p><img src=\"cid:qr\" alt=\"QR\" width=\"180\" height=\"180\"></p>\n<p style=\"font-size:12px;color:#555\">{scan}</p>\n</body></html>\n",
        title = escape(&subject),
    );
    EmailContent {
        subject,
        text,
        html,
    }
}

/// The AlimTalk template variables (`#{…}` keys as Solapi wants them). The merchant's
/// template registered at Kakao uses these names.
pub fn alimtalk_variables(vars: &MessageVars, lang: Lang) -> BTreeMap<String, String> {
    let customer = customer_or_default(vars, lang);
    [
        ("#{상점명}", vars.store.as_str()),
        ("#{고객명}", customer.as_str()),
        ("#{상품명}", vars.item.as_str()),
        ("#{금액}", vars.amount.as_str()),
        ("#{결제기한}", vars.expiry.as_str()),
        ("#{결제링크}", vars.link.as_str()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> MessageVars {
        MessageVars {
            store: "하나상회".into(),
            customer: Some("김민준".into()),
            item: "<테스트> 상품".into(),
            amount: "₩29,900".into(),
            expiry: "11월 25일 14:00".into(),
            link: "https://pay.example/i/abc".into(),
        }
    }

    #[test]
    fn placeholders_are_filled_and_unknown_ones_kept() {
        let out = render(
            "{store}/{customer}/{amount}/{nope}/{link}",
            &vars(),
            Lang::Ko,
        );
        assert_eq!(
            out,
            "하나상회/김민준/₩29,900/{nope}/https://pay.example/i/abc"
        );
        assert_eq!(render("a { b", &vars(), Lang::Ko), "a { b");
    }

    #[test]
    fn every_language_has_every_part_with_the_link() {
        for lang in [Lang::Ko, Lang::En, Lang::Ja] {
            let t = Templates::builtin(lang);
            let v = vars();
            assert!(sms_text(&t, &v, lang).contains(&v.link));
            let e = email(&t, &v, lang);
            assert!(e.subject.contains("하나상회"));
            assert!(e.text.contains(&v.link) && e.text.contains("₩29,900"));
            assert!(
                e.html.contains("cid:qr") && e.html.contains("href=\"https://pay.example/i/abc\"")
            );
            assert!(e.html.contains(&format!("lang=\"{lang}\"")));
        }
    }

    #[test]
    fn the_built_in_korean_text_is_one_sms() {
        let v = MessageVars {
            store: "하나상회 성수점".into(),
            customer: Some("장수빈".into()),
            item: "케이터링 도시락".into(),
            amount: "₩240,000".into(),
            expiry: "12월 4일 08:46".into(),
            link: "https://pay.example/i/AbC123XyZ789".into(),
        };
        let text = sms_text(&Templates::builtin(Lang::Ko), &v, Lang::Ko);
        assert_eq!(text, "[하나상회 성수점] 케이터링 도시락 240,000원 결제 요청\nhttps://pay.example/i/AbC123XyZ789");
        assert_eq!(
            crate::sms::classify(&text),
            Ok(crate::sms::SmsClass::Sms),
            "{} bytes",
            crate::sms::euc_kr_len(&text)
        );
    }

    #[test]
    fn html_escapes_what_the_merchant_typed() {
        let e = email(&Templates::builtin(Lang::Ko), &vars(), Lang::Ko);
        assert!(e.html.contains("&lt;테스트&gt;"));
        assert!(!e.html.contains("<테스트>"));
    }

    #[test]
    fn a_missing_customer_name_reads_naturally() {
        let mut v = vars();
        v.customer = None;
        assert!(email(&Templates::builtin(Lang::Ko), &v, Lang::Ko)
            .text
            .contains("고객님"));
        assert!(sms_text(&Templates::builtin(Lang::En), &v, Lang::En).contains("there, pay"));
    }

    #[test]
    fn alimtalk_variables_use_solapi_key_syntax() {
        let v = alimtalk_variables(&vars(), Lang::Ko);
        assert_eq!(v["#{결제링크}"], "https://pay.example/i/abc");
        assert!(v
            .keys()
            .all(|k| k.starts_with("#{") && k.ends_with('}') && !k.contains('.')));
    }

    #[test]
    fn language_follows_the_phone_country() {
        assert_eq!(Lang::for_phone_e164("+821012345678"), Lang::Ko);
        assert_eq!(Lang::for_phone_e164("+819012345678"), Lang::Ja);
        assert_eq!(Lang::for_phone_e164("+14155550100"), Lang::En);
    }
}
