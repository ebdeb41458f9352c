//! What may be shown, logged or stored of a failure: its text with every known secret
//! value replaced by `[redacted]` (also URL-encoded, as it travels in a path or query)
//! and the query string of every URL in it dropped (keys travel there). Adapters put
//! every error through the `Redactor` made from their own keys, so a key never reaches
//! a message, the database, a log or the window — whatever a provider echoes back and
//! whatever an HTTP library puts in its error text.

/// The mark left where a secret was.
pub const REDACTED: &str = "[redacted]";

/// Secrets shorter than this are not searched for: they would mask ordinary words.
const SHORTEST: usize = 4;

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
    pub fn new<S: AsRef<str>>(secrets: impl IntoIterator<Item = S>) -> Self {
        let mut needles = Vec::new();
        for s in secrets {
            let s = s.as_ref().trim();
            if s.chars().count() < SHORTEST {
                continue;
            }
            let encoded: String = percent_encode(s);
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
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = find_url(rest) {
        out.push_str(&rest[..at]);
        let url = &rest[at..];
        let end = url
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ')' | '>' | '<' | ','))
            .unwrap_or(url.len());
        let (whole, after) = url.split_at(end);
        let kept = whole.split(['?', '#']).next().unwrap_or(whole);
        out.push_str(kept);
        if kept.len() < whole.len() {
            out.push_str("?…");
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

fn find_url(s: &str) -> Option<usize> {
    match (s.find("http://"), s.find("https://")) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The secret as it appears percent-encoded in a URL or a form.
fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
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
