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

/// `text` with customers' contacts masked, for reports that leave the shop (support
/// diagnostics): an e-mail address keeps only its domain (`***@example.kr`), and a run
/// of 9 or more digits (a phone number, possibly with `+`, spaces, `-` or brackets)
/// keeps only its last two digits.
pub fn mask_contacts(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let local = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-');
    let domain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-');
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        // An address: its local part is what was just written before the '@'.
        if chars[i] == '@' && i + 1 < chars.len() && domain(chars[i + 1]) {
            let mut start = out.len();
            for (at, c) in out.char_indices().rev() {
                if !local(c) {
                    break;
                }
                start = at;
            }
            if start < out.len() {
                out.truncate(start);
                out.push_str("***");
            }
            out.push('@');
            i += 1;
            continue;
        }
        // A phone number: digits with their usual separators, 9 digits or more.
        if chars[i].is_ascii_digit()
            || (chars[i] == '+' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            let mut j = i;
            let mut digits = 0;
            while j < chars.len()
                && (chars[j].is_ascii_digit()
                    || (j == i && chars[j] == '+')
                    || (digits > 0 && matches!(chars[j], ' ' | '-' | '(' | ')')))
            {
                if chars[j].is_ascii_digit() {
                    digits += 1;
                }
                j += 1;
            }
            // Separators at the end belong to the text around it.
            while j > i && !chars[j - 1].is_ascii_digit() {
                j -= 1;
            }
            if digits >= 9 {
                let mut left = digits;
                for &c in &chars[i..j] {
                    if c.is_ascii_digit() {
                        left -= 1;
                        out.push(if left < 2 { c } else { '•' });
                    } else {
                        out.push(c);
                    }
                }
            } else {
                out.extend(&chars[i..j]);
            }
            i = j.max(i + 1);
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
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
