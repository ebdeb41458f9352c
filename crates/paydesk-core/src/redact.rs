//! What may be shown, logged or stored of a failure: its text with every known secret
//! value replaced by `[redacted]` (also URL-encoded, as it travels in a path or query)
//! and the query string of every URL in it dropped (keys travel there). Adapters put
//! every error through the `Redactor` made from their own keys, so a key never reaches
//! a message, the database, a log or the window — whatever a provider echoes back and
//! whatever an HTTP library puts in its error text.

use std::sync::LazyLock;

use regex::Regex;

/// What percent-encoding leaves as it is (RFC 3986's unreserved characters).
const UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The mark left where a secret was.
pub const REDACTED: &str = "[redacted]";

/// Secrets shorter than this are not searched for: they would mask ordinary words.
const SHORTEST: usize = 4;

/// Masks known secrets (and secrets in URLs' query strings) in any text before it is logged or shown.
#[derive(Clone, Default)]
pub struct Redactor {
    /// Longest first, so that a secret containing another is masked whole.
    needles: Vec<String>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor({} secrets)", self.needles.len())
    }
}

impl Redactor {
    /// A redactor of these secrets (those shorter than four characters are ignored).
    pub fn new<S: AsRef<str>>(secrets: impl IntoIterator<Item = S>) -> Self {
        let mut needles = Vec::new();
        for s in secrets {
            let s = s.as_ref().trim();
            if s.chars().count() < SHORTEST {
                continue;
            }
            // As it travels in a URL's path or query, or a form.
            let encoded = percent_encoding::utf8_percent_encode(s, UNRESERVED).to_string();
            for n in [s.to_string(), encoded] {
                if !needles.contains(&n) {
                    needles.push(n);
                }
            }
        }
        needles.sort_by_key(|n: &String| std::cmp::Reverse(n.len()));
        Redactor { needles }
    }

    /// `text` without any secret and without URL query strings.
    pub fn clean(&self, text: &str) -> String {
        let mut out = strip_queries(text);
        for n in &self.needles {
            if out.contains(n.as_str()) {
                out = out.replace(n.as_str(), REDACTED);
            }
        }
        out
    }
}

/// Every `http://…` or `https://…` in `text` without its `?query` (and `#fragment`).
pub fn strip_queries(text: &str) -> String {
    static URL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(https?://[^\s"'<>),?#]*)[?#][^\s"'<>),]*"#).expect("a fixed, valid pattern")
    });
    URL.replace_all(text, "${1}?…").into_owned()
}

/// `text` with customers' contacts masked, for reports that leave the shop (support
/// diagnostics): an e-mail address keeps only its domain (`***@example.kr`), and a run
/// of 9 or more digits (a phone number, possibly with `+`, spaces, `-` or brackets)
/// keeps only its last two digits.
pub fn mask_contacts(text: &str) -> String {
    static LOCAL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"[A-Za-z0-9._%+-]+@([A-Za-z0-9-])").expect("a fixed, valid pattern")
    });
    static PHONE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\+?[0-9][0-9 ()-]*[0-9]").expect("a fixed, valid pattern"));
    let text = LOCAL.replace_all(text, "***@$1");
    PHONE
        .replace_all(&text, |m: &regex::Captures<'_>| {
            let run = &m[0];
            let digits = run.chars().filter(char::is_ascii_digit).count();
            if digits < 9 {
                return run.to_string();
            }
            let mut left = digits;
            run.chars()
                .map(|c| {
                    if !c.is_ascii_digit() {
                        return c;
                    }
                    left -= 1;
                    if left < 2 {
                        c
                    } else {
                        '•'
                    }
                })
                .collect()
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_queries_never_survive() {
        let r = Redactor::new(["ACcanary123", "tok/en+1=", "ab"]);
        let text = "error sending request for url (https://api.twilio.com/2010-04-01/Accounts/ACcanary123/Messages.json?PageSize=1&key=zz): connection refused; body said tok/en+1= and tok%2Fen%2B1%3D; ab stays";
        let clean = r.clean(text);
        assert!(!clean.contains("ACcanary123"), "{clean}");
        assert!(!clean.contains("tok/en"), "{clean}");
        assert!(!clean.contains("tok%2F"), "{clean}");
        assert!(!clean.contains("key=zz"), "{clean}");
        assert!(
            clean
                .contains("https://api.twilio.com/2010-04-01/Accounts/[redacted]/Messages.json?…)"),
            "{clean}"
        );
        assert!(
            clean.contains("ab stays"),
            "short values are not searched for"
        );
    }

    #[test]
    fn contacts_are_masked_and_the_rest_kept() {
        assert_eq!(
            mask_contacts("smtp: 550 <kim.minjun+shop@example.kr> refused"),
            "smtp: 550 <***@example.kr> refused"
        );
        assert_eq!(
            mask_contacts("to +821012345678 and 010-1234-5678, fine"),
            "to +••••••••••78 and •••-••••-••78, fine"
        );
        let kept = "2026-12-02T21:34:50.314766Z inv_01m8w HTTP 503: ₩29,900 order PD-7";
        assert_eq!(mask_contacts(kept), kept);
    }

    #[test]
    fn text_without_secrets_or_urls_is_unchanged() {
        let r = Redactor::new(["s3cr3t-value"]);
        for t in [
            "",
            "plain words",
            "http://127.0.0.1:9/path",
            "bootpay refused: 금액 오류",
        ] {
            assert_eq!(r.clean(t), t);
        }
        // Its encoded form is itself: one needle, and the value never in the Debug text.
        assert_eq!(format!("{r:?}"), "Redactor(1 secrets)");
    }
}
