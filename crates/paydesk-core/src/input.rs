//! Validated input: every value that crosses from a person into PayDesk is one of
//! these types, and a bad value is an [`InputError`] naming the field.

use std::fmt;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::error_code::InputCode;
use crate::money::{Currency, Money, MoneyError};

/// A bad value typed by a person: which field, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, ts_rs::TS)]
#[error("{field}: {message}")]
pub struct InputError {
    /// The field, as the form or the command line names it.
    pub field: String,
    /// What is wrong with it, in PayDesk's own (English) words.
    pub message: String,
    /// A stable name of what is wrong (`empty`, `too_long`, `too_many_decimals`, …) that a
    /// UI translates; `invalid` when nothing more specific applies.
    pub code: InputCode,
}

impl InputError {
    /// An error about `field`, coded `invalid` until [`InputError::code`] says more.
    pub fn new(field: impl Into<String>, message: impl fmt::Display) -> Self {
        InputError {
            field: field.into(),
            message: message.to_string(),
            code: InputCode::Invalid,
        }
    }

    /// The same error with a more specific code.
    pub fn code(mut self, code: InputCode) -> Self {
        self.code = code;
        self
    }

    /// The same error about another field (a phone typed as `--to`).
    pub fn with_field(mut self, field: &str) -> Self {
        self.field = field.to_string();
        self
    }
}

/// A parsed value, or what is wrong with the input.
pub type InputResult<T> = Result<T, InputError>;

/// An amount more than zero in `currency`, when one is given (blank means none: the
/// whole invoice, for a refund or a payment).
pub fn optional_amount(
    field: &str,
    input: Option<&str>,
    currency: Currency,
) -> InputResult<Option<Money>> {
    match input.map(str::trim).filter(|s| !s.is_empty()) {
        Some(a) => amount(field, a, currency, true).map(Some),
        None => Ok(None),
    }
}

/// Parses an amount for `field`; zero or less is refused when `positive`.
pub fn amount(field: &str, input: &str, currency: Currency, positive: bool) -> InputResult<Money> {
    let m = Money::parse(input, currency).map_err(|e| {
        let code = match e {
            MoneyError::Empty => InputCode::Empty,
            MoneyError::Negative => InputCode::Negative,
            MoneyError::NotANumber(_) => InputCode::NotANumber,
            MoneyError::TooManyDecimals { .. } => InputCode::TooManyDecimals,
            MoneyError::TooLarge { .. } => InputCode::TooLarge,
            MoneyError::UnknownCurrency(_) => InputCode::UnknownCurrency,
            MoneyError::CurrencyMismatch(..) => InputCode::Invalid,
        };
        InputError::new(field, e).code(code)
    })?;
    if positive && m.is_zero() {
        return Err(InputError::new(field, "must be greater than zero").code(InputCode::Zero));
    }
    Ok(m)
}

/// Plain text with limits: trimmed, not empty, no control characters, at most `max` characters.
fn text(field: &str, input: &str, max: usize) -> InputResult<String> {
    let t = input.trim();
    if t.is_empty() {
        return Err(InputError::new(field, "must not be empty").code(InputCode::Empty));
    }
    let count = t.chars().count();
    if count > max {
        return Err(InputError::new(
            field,
            format!("is too long ({count} characters, at most {max})"),
        )
        .code(InputCode::TooLong));
    }
    if t.chars().any(|c| c.is_control()) {
        return Err(
            InputError::new(field, "must not contain control characters")
                .code(InputCode::ControlChars),
        );
    }
    Ok(t.to_string())
}

/// The name of what is sold, as the customer will see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ItemName(String);

impl ItemName {
    /// The longest name, in characters.
    pub const MAX: usize = 100;
    /// Checks an item name: not empty, no control characters, at most [`Self::MAX`].
    pub fn parse(input: &str) -> InputResult<Self> {
        text("name", input, Self::MAX).map(ItemName)
    }
    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's name (a customer, a buyer on a slip).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PersonName(String);

impl PersonName {
    /// The longest name, in characters.
    pub const MAX: usize = 60;
    /// Checks a name typed into `field`.
    pub fn parse(field: &str, input: &str) -> InputResult<Self> {
        text(field, input, Self::MAX).map(PersonName)
    }
    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An account or channel name chosen by the merchant: `a-z0-9-_`, 1–40 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccountName(String);

impl AccountName {
    /// Checks a name typed into `field`.
    pub fn parse(field: &str, input: &str) -> InputResult<Self> {
        let t = input.trim();
        if t.is_empty() {
            return Err(InputError::new(field, "must not be empty").code(InputCode::Empty));
        }
        if t.len() > 40 {
            return Err(InputError::new(
                field,
                "is too long (at most 40 characters)",
            ));
        }
        if !t
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        {
            return Err(InputError::new(
                field,
                "may use only lowercase letters, digits, '-' and '_'",
            ));
        }
        Ok(AccountName(t.to_string()))
    }
    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A phone number, kept in E.164 (`+821012345678`). Numbers of the store's country may
/// be typed the domestic way (`010-1234-5678` in Korea, `090-1234-5678` in Japan);
/// others need their country code (`+81 90-1234-5678`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Phone(String);

impl Phone {
    /// A number typed in a Korean store.
    pub fn parse(input: &str) -> InputResult<Self> {
        Phone::parse_in(input, crate::Country::Kr)
    }

    /// A number typed in a store of `country`: a domestic number is that country's.
    pub fn parse_in(input: &str, country: crate::Country) -> InputResult<Self> {
        let t = input.trim();
        if t.is_empty() {
            return Err(InputError::new("phone", "must not be empty").code(InputCode::Empty));
        }
        if t.len() > 32 {
            return Err(
                InputError::new("phone", "is too long for a phone number").code(InputCode::TooLong)
            );
        }
        if !t
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')' | '.'))
        {
            return Err(InputError::new(
                "phone",
                "may contain only digits, spaces, '+', '-', '(' and ')'",
            )
            .code(InputCode::InvalidPhone));
        }
        let number = phonenumber::parse(Some(country.phone_region()), t).map_err(|_| {
            InputError::new("phone", "is not a phone number").code(InputCode::InvalidPhone)
        })?;
        if !phonenumber::is_valid(&number) {
            let (here, example) = match country {
                crate::Country::Kr => ("Korean", country.phone_example()),
                crate::Country::Jp => ("Japanese", country.phone_example()),
            };
            return Err(InputError::new(
                "phone",
                format!("is not a valid phone number ({here} numbers like {example}, others with +country code)"),
            )
            .code(InputCode::InvalidPhone));
        }
        Ok(Phone(
            number.format().mode(phonenumber::Mode::E164).to_string(),
        ))
    }

    /// The stored E.164 form; for trusted values read back from the database.
    pub fn from_e164(s: String) -> Self {
        Phone(s)
    }

    /// The number in international E.164 form (`+821023456789`).
    pub fn e164(&self) -> &str {
        &self.0
    }

    /// The digits Korean payment providers expect: a Korean number in its national
    /// form without separators (`01012345678`), any other in E.164.
    pub fn korean_digits(&self) -> String {
        match phonenumber::parse(None, &self.0) {
            Ok(n) if n.code().value() == 82 => n
                .format()
                .mode(phonenumber::Mode::National)
                .to_string()
                .chars()
                .filter(char::is_ascii_digit)
                .collect(),
            _ => self.0.clone(),
        }
    }

    /// Korean numbers as Koreans write them (`010-1234-5678`), others in the
    /// international form (`+81 90-1234-5678`).
    pub fn display(&self) -> String {
        if let Ok(n) = phonenumber::parse(None, &self.0) {
            if n.code().value() == 82 {
                return n.format().mode(phonenumber::Mode::National).to_string();
            }
            return n
                .format()
                .mode(phonenumber::Mode::International)
                .to_string();
        }
        self.0.clone()
    }
}

/// What a search typed as a phone number looks for in stored E.164 numbers: its digits
/// without separators, and without the national trunk `0` (`010-2345-6789`,
/// `01023456789`, `+82 10-2345-6789` and `2345-6789` all become digits found inside
/// `+821023456789`). None for anything that is not written like a phone number.
pub fn phone_search_digits(query: &str) -> Option<String> {
    let q = query.trim();
    if !q
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')' | '.'))
    {
        return None;
    }
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    let digits = match digits.strip_prefix('0') {
        Some(rest) if !q.starts_with('+') => rest.to_string(),
        _ => digits,
    };
    (digits.len() >= 4).then_some(digits)
}

/// A bare e-mail address (no display name), as a customer is reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Checks an address: one `@`, a domain with a dot, no display name or angle brackets.
    pub fn parse(input: &str) -> InputResult<Self> {
        let t = input.trim();
        if t.is_empty() {
            return Err(InputError::new("email", "must not be empty").code(InputCode::Empty));
        }
        if t.len() > 254 {
            return Err(
                InputError::new("email", "is too long for an e-mail address")
                    .code(InputCode::TooLong),
            );
        }
        // A bare address only: no display text ("Kim <kim@…>"), no line breaks, tabs
        // or terminal escapes (they would reach mail headers and the terminal).
        if t.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(InputError::new(
                "email",
                "must be a bare address like name@example.kr (no spaces or control characters)",
            )
            .code(InputCode::InvalidEmail));
        }
        let bare = email_address::Options::default().without_display_text();
        let addr = email_address::EmailAddress::parse_with_options(t, bare).map_err(|e| {
            InputError::new("email", format!("is not an e-mail address ({e})"))
                .code(InputCode::InvalidEmail)
        })?;
        let domain = addr.domain();
        if !domain.contains('.') || domain.starts_with('[') {
            return Err(InputError::new(
                "email",
                "needs a domain with a dot, like name@example.kr",
            )
            .code(InputCode::InvalidEmail));
        }
        Ok(Email(addr.as_str().to_string()))
    }
    /// An address read back from PayDesk's own records (trusted as it is).
    pub fn from_stored(s: String) -> Self {
        Email(s)
    }
    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A duration as people type it: `90m`, `36h`, `3d`.
pub fn duration(field: &str, input: &str) -> InputResult<Duration> {
    let t = input.trim();
    let bad = || {
        InputError::new(field, "must be a duration like 90m, 36h or 3d")
            .code(InputCode::DurationFormat)
    };
    if t.len() < 2 || t.len() > 8 {
        return Err(bad());
    }
    // The unit is the last character, whatever its width (`3일` is refused, not split
    // inside its last letter).
    let last = t.char_indices().last().map_or(0, |(i, _)| i);
    let (n, unit) = t.split_at(last);
    if !n.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let n: i64 = n.parse().map_err(|_| bad())?;
    let d = match unit {
        "m" => Duration::minutes(n),
        "h" => Duration::hours(n),
        "d" => Duration::days(n),
        _ => return Err(bad()),
    };
    Ok(d)
}

/// When a link stops being payable: an absolute instant, in the future, within a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Expiry(DateTime<Utc>);

impl Expiry {
    /// The shortest time a link may stay payable.
    pub const MIN: Duration = Duration::minutes(5);
    /// The longest time a link may stay payable.
    pub const MAX: Duration = Duration::days(366);

    /// A deadline at `at`, checked against `now` (not past, not too soon, not too far).
    pub fn at(field: &str, at: DateTime<Utc>, now: DateTime<Utc>) -> InputResult<Self> {
        if at <= now {
            return Err(InputError::new(field, "is in the past").code(InputCode::Past));
        }
        if at - now < Self::MIN {
            return Err(
                InputError::new(field, "must be at least 5 minutes from now")
                    .code(InputCode::TooSoon),
            );
        }
        if at - now > Self::MAX {
            return Err(
                InputError::new(field, "must be within a year from now").code(InputCode::TooFar)
            );
        }
        Ok(Expiry(at))
    }

    /// Parses `--expires-at` (RFC 3339 with an offset).
    pub fn parse_instant(field: &str, input: &str, now: DateTime<Utc>) -> InputResult<Self> {
        let at = DateTime::parse_from_rfc3339(input.trim()).map_err(|_| {
            InputError::new(
                field,
                "must be an RFC 3339 instant like 2026-12-01T23:59:00+09:00",
            )
            .code(InputCode::InstantFormat)
        })?;
        Self::at(field, at.with_timezone(&Utc), now)
    }

    /// Parses `--expires-in` (`90m`, `36h`, `3d`).
    pub fn parse_in(field: &str, input: &str, now: DateTime<Utc>) -> InputResult<Self> {
        let d = duration(field, input)?;
        Self::at(field, now + d, now)
    }

    /// The instant the link stops being payable.
    pub fn instant(self) -> DateTime<Utc> {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::phone_search_digits;

    #[test]
    fn a_domestic_number_is_the_store_country_s() {
        use crate::Country;
        for jp in [
            "090-1234-5678",
            "080-1234-5678",
            "070-1234-5678",
            "09012345678",
        ] {
            let p = super::Phone::parse_in(jp, Country::Jp).unwrap();
            assert!(p.e164().starts_with("+81"), "{jp}: {}", p.e164());
        }
        // 070 is a Korean number in a Korean store.
        assert!(super::Phone::parse("070-1234-5678")
            .unwrap()
            .e164()
            .starts_with("+82"));
        assert_eq!(
            super::Phone::parse_in("010-1234-5678", Country::Kr)
                .unwrap()
                .e164(),
            "+821012345678"
        );
        let e = super::Phone::parse_in("12345", Country::Jp).unwrap_err();
        assert!(e.message.contains("090-1234-5678"), "{}", e.message);
        // A number with its country code is that country's, wherever the store is.
        assert_eq!(
            super::Phone::parse_in("+82 10-1234-5678", Country::Jp)
                .unwrap()
                .e164(),
            "+821012345678"
        );
    }

    #[test]
    fn a_phone_search_is_its_digits_without_the_trunk_zero() {
        assert_eq!(
            phone_search_digits("010-2345-6789").as_deref(),
            Some("1023456789")
        );
        assert_eq!(
            phone_search_digits("+82 10 2345 6789").as_deref(),
            Some("821023456789")
        );
        assert_eq!(
            phone_search_digits("090-1234-5678").as_deref(),
            Some("9012345678")
        );
        assert_eq!(
            phone_search_digits("2345-6789").as_deref(),
            Some("23456789")
        );
        assert_eq!(phone_search_digits("PD-1234"), None);
        assert_eq!(phone_search_digits("12"), None);
    }

    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap()
    }

    #[test]
    fn a_duration_ending_in_a_wide_letter_is_refused_not_a_panic() {
        for s in ["3일", "12시간", "!.F.ㇹ", "5分"] {
            assert!(duration("expires_in", s).is_err(), "{s}");
        }
        assert_eq!(duration("expires_in", "3d").unwrap(), Duration::days(3));
    }

    #[test]
    fn only_bare_addresses_are_addresses() {
        assert_eq!(
            Email::parse(" kim@example.kr ").unwrap().as_str(),
            "kim@example.kr"
        );
        for bad in [
            "Kim <kim@example.kr>",
            "kim@example.kr\r\nBcc: all@example.kr",
            "kim\u{1b}[31m@example.kr",
            "kim @example.kr",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn korean_pgs_get_the_national_digits() {
        let p = |s: &str| Phone::parse(s).unwrap().korean_digits();
        assert_eq!(p("010-1234-5678"), "01012345678");
        assert_eq!(p("+82 2 312 3456"), "023123456");
        assert_eq!(p("+81 90 1234 5678"), "+819012345678");
    }

    #[test]
    fn korean_and_international_phones() {
        assert_eq!(
            Phone::parse("010-1234-5678").unwrap().e164(),
            "+821012345678"
        );
        assert_eq!(Phone::parse("01012345678").unwrap().e164(), "+821012345678");
        assert_eq!(
            Phone::parse("+82 10 1234 5678").unwrap().e164(),
            "+821012345678"
        );
        assert_eq!(
            Phone::parse("+81 90-1234-5678").unwrap().e164(),
            "+819012345678"
        );
        assert_eq!(
            Phone::parse("+1 415 555 2671").unwrap().e164(),
            "+14155552671"
        );
        assert_eq!(
            Phone::parse("010-1234-5678").unwrap().display(),
            "010-1234-5678"
        );
        for bad in [
            "",
            "12",
            "010-1234",
            "abc",
            "010-1234-5678x",
            "+999 1234",
            "0000000000",
        ] {
            let e = Phone::parse(bad).unwrap_err();
            assert_eq!(e.field, "phone", "{bad:?}");
        }
    }

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse(" kim@example.kr ").unwrap().as_str(),
            "kim@example.kr"
        );
        for bad in ["", "kim", "kim@", "@example.kr", "kim@example", "a b@c.kr"] {
            assert_eq!(Email::parse(bad).unwrap_err().field, "email", "{bad:?}");
        }
    }

    #[test]
    fn names() {
        assert_eq!(
            ItemName::parse("  테스트 상품 ").unwrap().as_str(),
            "테스트 상품"
        );
        assert_eq!(ItemName::parse("").unwrap_err().field, "name");
        assert_eq!(
            ItemName::parse("   ").unwrap_err().message,
            "must not be empty"
        );
        let huge = "가".repeat(1_000_000);
        assert!(ItemName::parse(&huge)
            .unwrap_err()
            .message
            .contains("too long"));
        assert!(ItemName::parse("a\u{0}b").is_err());
        assert!(AccountName::parse("account", "bootpay-main").is_ok());
        assert!(AccountName::parse("account", "Bootpay Main").is_err());
    }

    #[test]
    fn amounts() {
        let e = amount("amount", "0", Currency::Krw, true).unwrap_err();
        assert_eq!(e.field, "amount");
        assert!(amount("tax_free", "0", Currency::Krw, false).is_ok());
        assert_eq!(
            amount("amount", "-1", Currency::Krw, true)
                .unwrap_err()
                .message,
            "must not be negative"
        );
        assert!(amount("amount", "1e5", Currency::Krw, true).is_err());
        assert!(amount("amount", "12.345", Currency::Usd, true)
            .unwrap_err()
            .message
            .contains("decimal places"));
        // Stable codes for the UI to translate.
        let code = |s: &str| {
            amount("amount", s, Currency::Krw, true)
                .unwrap_err()
                .code
                .as_str()
        };
        assert_eq!(
            ["", "-1", "0", "1e5", "1.5", "99999999999999999999"].map(code),
            [
                "empty",
                "negative",
                "zero",
                "not_a_number",
                "too_many_decimals",
                "too_large"
            ]
        );
        assert_eq!(
            Phone::parse("12").unwrap_err().code,
            InputCode::InvalidPhone
        );
        assert_eq!(
            Email::parse("a@b").unwrap_err().code,
            InputCode::InvalidEmail
        );
    }

    #[test]
    fn expiry() {
        let e = Expiry::parse_in("expires_in", "1d", now()).unwrap();
        assert_eq!(e.instant(), now() + Duration::days(1));
        assert_eq!(
            Expiry::parse_instant("expires_at", "2026-12-01T23:59:00+09:00", now())
                .unwrap()
                .instant(),
            Utc.with_ymd_and_hms(2026, 12, 1, 14, 59, 0).unwrap()
        );
        assert_eq!(
            Expiry::parse_instant("expires_at", "2026-11-01T00:00:00Z", now())
                .unwrap_err()
                .message,
            "is in the past"
        );
        assert!(Expiry::parse_in("expires_in", "1m", now()).is_err());
        assert!(Expiry::parse_in("expires_in", "400d", now()).is_err());
        assert!(Expiry::parse_in("expires_in", "3x", now()).is_err());
        assert!(Expiry::parse_in("expires_in", "-3d", now()).is_err());
        assert!(Expiry::parse_instant("expires_at", "tomorrow", now()).is_err());
    }
}
