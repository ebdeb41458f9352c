//! Money as integer minor units with the currency's exponent.
//!
//! Amounts are parsed exactly from what people type (`29900`, `12.34`, `0.0015`,
//! `29,900`); more decimals than the currency has is an error, never a rounding.
//! Nothing here ever holds an amount in a floating-point number.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The largest amount PayDesk accepts, in minor units (15 digits).
///
/// Far above any invoice a small merchant writes, far below `i64::MAX`, so sums of
/// many invoices never overflow.
pub const MAX_MINOR: i64 = 999_999_999_999_999;

/// A currency PayDesk keeps money in; its exponent says how many minor units make one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "UPPERCASE")]
pub enum Currency {
    /// Korean won (no minor unit).
    Krw,
    /// Japanese yen (no minor unit).
    Jpy,
    /// US dollar (cents).
    Usd,
    /// Bitcoin (satoshis, 8 decimals).
    Btc,
}

impl Currency {
    /// Every currency PayDesk knows.
    pub const ALL: [Currency; 4] = [Currency::Krw, Currency::Jpy, Currency::Usd, Currency::Btc];

    /// Number of decimal digits in the minor unit (KRW 0, JPY 0, USD 2, BTC 8).
    pub fn exponent(self) -> u32 {
        match self {
            Currency::Krw | Currency::Jpy => 0,
            Currency::Usd => 2,
            Currency::Btc => 8,
        }
    }

    /// The ISO 4217 code (`KRW`; `BTC` by custom).
    pub fn code(self) -> &'static str {
        match self {
            Currency::Krw => "KRW",
            Currency::Jpy => "JPY",
            Currency::Usd => "USD",
            Currency::Btc => "BTC",
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "KRW" => Ok(Currency::Krw),
            "JPY" => Ok(Currency::Jpy),
            "USD" => Ok(Currency::Usd),
            "BTC" => Ok(Currency::Btc),
            _ => Err(MoneyError::UnknownCurrency(
                s.trim().chars().take(16).collect(),
            )),
        }
    }
}

/// Why a typed amount is not money PayDesk can keep.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Nothing was typed.
    #[error("is empty")]
    Empty,
    /// Below zero.
    #[error("must not be negative")]
    Negative,
    /// Not a plain number (what was typed).
    #[error("must be a plain number like 29900 or 12.34 (got {0:?})")]
    NotANumber(String),
    /// More decimal places than the currency has (never rounded).
    #[error("has {given} decimal places but {currency} has {allowed}; amounts are never rounded")]
    TooManyDecimals {
        /// Decimal places typed.
        given: usize,
        /// Decimal places the currency has.
        allowed: u32,
        /// The currency.
        currency: Currency,
    },
    /// More than PayDesk can keep.
    #[error("is too large (at most {max})")]
    TooLarge {
        /// The largest amount allowed, as the clerk would type it.
        max: String,
    },
    /// A currency code PayDesk does not know.
    #[error("unknown currency {0:?} (use KRW, JPY, USD or BTC)")]
    UnknownCurrency(String),
    /// Two amounts in different currencies were combined.
    #[error("currencies differ ({0} and {1})")]
    CurrencyMismatch(Currency, Currency),
}

/// An amount of money: integer minor units and the currency that gives their exponent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    /// An amount from minor units; refuses negatives and amounts above [`MAX_MINOR`].
    pub fn from_minor(minor: i64, currency: Currency) -> Result<Self, MoneyError> {
        if minor < 0 {
            return Err(MoneyError::Negative);
        }
        if minor > MAX_MINOR {
            return Err(MoneyError::TooLarge {
                max: Money {
                    minor: MAX_MINOR,
                    currency,
                }
                .to_plain(),
            });
        }
        Ok(Money { minor, currency })
    }

    /// No money in `currency`.
    pub fn zero(currency: Currency) -> Self {
        Money { minor: 0, currency }
    }

    /// The amount in minor units.
    pub fn minor(self) -> i64 {
        self.minor
    }

    /// The currency.
    pub fn currency(self) -> Currency {
        self.currency
    }

    /// Whether the amount is zero.
    pub fn is_zero(self) -> bool {
        self.minor == 0
    }

    /// Parses what a person types, in the currency's major unit, exactly.
    ///
    /// Accepts `29900`, `29,900`, `12.34`, `.5`, `0.0015`; refuses signs, exponents,
    /// spaces inside the number, badly placed thousands separators, and more
    /// decimals than the currency has.
    pub fn parse(input: &str, currency: Currency) -> Result<Self, MoneyError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(MoneyError::Empty);
        }
        let shown: String = s.chars().take(24).collect();
        if s.starts_with('-') {
            return Err(MoneyError::Negative);
        }
        let (int_part, frac_part) = match s.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (s, None),
        };
        let int_digits = strip_grouping(int_part).ok_or(MoneyError::NotANumber(shown.clone()))?;
        let frac_digits = match frac_part {
            Some(f) => {
                if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(MoneyError::NotANumber(shown));
                }
                f
            }
            None => "",
        };
        if int_digits.is_empty() && frac_digits.is_empty() {
            return Err(MoneyError::NotANumber(shown));
        }
        let exp = currency.exponent();
        // Trailing zeros beyond the exponent are not extra precision ("12.340" USD is fine).
        let frac_trimmed = frac_digits.trim_end_matches('0');
        let frac_used = if frac_digits.len() as u32 > exp {
            if frac_trimmed.len() as u32 > exp {
                return Err(MoneyError::TooManyDecimals {
                    given: frac_trimmed.len(),
                    allowed: exp,
                    currency,
                });
            }
            &frac_digits[..exp as usize]
        } else {
            frac_digits
        };
        let too_large = || MoneyError::TooLarge {
            max: Money {
                minor: MAX_MINOR,
                currency,
            }
            .to_plain(),
        };
        let int_trimmed = int_digits.trim_start_matches('0');
        if int_trimmed.len() > 18 {
            return Err(too_large());
        }
        let mut minor: i64 = if int_trimmed.is_empty() {
            0
        } else {
            int_trimmed.parse::<i64>().map_err(|_| too_large())?
        };
        for _ in 0..exp {
            minor = minor.checked_mul(10).ok_or_else(too_large)?;
        }
        let mut frac_value: i64 = 0;
        for (i, b) in frac_used.bytes().enumerate() {
            let digit = (b - b'0') as i64;
            frac_value += digit * 10_i64.pow(exp - 1 - i as u32);
        }
        minor = minor.checked_add(frac_value).ok_or_else(too_large)?;
        Money::from_minor(minor, currency)
    }

    /// The plain decimal form with exactly the currency's number of decimals
    /// (`29900`, `12.30`, `0.00150000`); `parse` reads it back to the same amount.
    pub fn to_plain(self) -> String {
        let exp = self.currency.exponent() as usize;
        let digits = self.minor.to_string();
        if exp == 0 {
            return digits;
        }
        let padded = format!("{:0>width$}", digits, width = exp + 1);
        let (i, f) = padded.split_at(padded.len() - exp);
        format!("{i}.{f}")
    }

    /// The amount as people read it, the same in every language the app speaks:
    /// `₩29,900`, `¥3,000`, `$12.34`, `0.0015 BTC`.
    pub fn to_display(self) -> String {
        let plain = self.to_plain();
        let (int_part, frac_part) = match plain.split_once('.') {
            Some((i, f)) => (i.to_string(), Some(f.to_string())),
            None => (plain.clone(), None),
        };
        let grouped = group_thousands(&int_part);
        match self.currency {
            Currency::Krw => format!("₩{grouped}"),
            Currency::Jpy => format!("¥{grouped}"),
            Currency::Usd => format!("${grouped}.{}", frac_part.unwrap_or_default()),
            Currency::Btc => {
                let f = frac_part.unwrap_or_default();
                let f = f.trim_end_matches('0');
                if f.is_empty() {
                    format!("{grouped} BTC")
                } else {
                    format!("{grouped}.{f} BTC")
                }
            }
        }
    }

    /// The sum, or an error for another currency or an overflow.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch(self.currency, other.currency));
        }
        let sum = self
            .minor
            .checked_add(other.minor)
            .ok_or(MoneyError::TooLarge {
                max: Money {
                    minor: MAX_MINOR,
                    currency: self.currency,
                }
                .to_plain(),
            })?;
        Money::from_minor(sum, self.currency)
    }

    /// `self - other`, or zero when `other` is larger (the same currency is the
    /// caller's to ensure: a different one subtracts nothing).
    pub fn saturating_sub(self, other: Money) -> Money {
        if self.currency != other.currency {
            return self;
        }
        Money {
            minor: (self.minor - other.minor).max(0),
            currency: self.currency,
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.to_plain(), self.currency)
    }
}

/// Removes well-placed thousands separators (`29,900`), refusing anything else.
fn strip_grouping(s: &str) -> Option<String> {
    if s.is_empty() {
        return Some(String::new());
    }
    if !s.contains(',') {
        return s.bytes().all(|b| b.is_ascii_digit()).then(|| s.to_string());
    }
    let groups: Vec<&str> = s.split(',').collect();
    let first = groups[0];
    if first.is_empty() || first.len() > 3 || !first.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    for g in &groups[1..] {
        if g.len() != 3 || !g.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
    }
    Some(groups.concat())
}

fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    let n = digits.len();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (n - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn krw(s: &str) -> Result<i64, MoneyError> {
        Money::parse(s, Currency::Krw).map(Money::minor)
    }
    fn usd(s: &str) -> Result<i64, MoneyError> {
        Money::parse(s, Currency::Usd).map(Money::minor)
    }
    fn btc(s: &str) -> Result<i64, MoneyError> {
        Money::parse(s, Currency::Btc).map(Money::minor)
    }

    #[test]
    fn parses_what_people_type() {
        assert_eq!(krw("29900"), Ok(29900));
        assert_eq!(krw(" 29,900 "), Ok(29900));
        assert_eq!(krw("1,234,567"), Ok(1_234_567));
        assert_eq!(usd("12.34"), Ok(1234));
        assert_eq!(usd("12.3"), Ok(1230));
        assert_eq!(usd("12.340"), Ok(1234));
        assert_eq!(usd(".5"), Ok(50));
        assert_eq!(usd("0"), Ok(0));
        assert_eq!(btc("0.0015"), Ok(150_000));
        assert_eq!(btc("1"), Ok(100_000_000));
        assert_eq!(btc("0.00000001"), Ok(1));
        assert_eq!(krw("29900.0"), Ok(29900));
    }

    #[test]
    fn refuses_instead_of_rounding() {
        assert!(matches!(
            krw("12.345"),
            Err(MoneyError::TooManyDecimals {
                given: 3,
                allowed: 0,
                ..
            })
        ));
        assert!(matches!(
            usd("12.345"),
            Err(MoneyError::TooManyDecimals {
                given: 3,
                allowed: 2,
                ..
            })
        ));
        assert!(matches!(
            btc("0.000000001"),
            Err(MoneyError::TooManyDecimals { .. })
        ));
    }

    #[test]
    fn refuses_malformed_input() {
        assert_eq!(krw(""), Err(MoneyError::Empty));
        assert_eq!(krw("-5"), Err(MoneyError::Negative));
        for bad in [
            "1e5", "abc", "12.", "1.2.3", "+5", "1 000", "12,34", ",100", "1,0000", "0x10", "NaN",
            "∞", ".",
        ] {
            assert!(
                matches!(krw(bad), Err(MoneyError::NotANumber(_))),
                "{bad:?} gave {:?}",
                krw(bad)
            );
        }
    }

    #[test]
    fn refuses_huge_amounts() {
        assert!(matches!(
            krw("99999999999999999999999"),
            Err(MoneyError::TooLarge { .. })
        ));
        assert!(matches!(
            krw("1000000000000000"),
            Err(MoneyError::TooLarge { .. })
        ));
        assert_eq!(krw("999999999999999"), Ok(MAX_MINOR));
        assert!(matches!(
            btc("92233720368"),
            Err(MoneyError::TooLarge { .. })
        ));
    }

    #[test]
    fn formats_plain_and_for_display() {
        let m = |minor, c| Money::from_minor(minor, c).unwrap();
        assert_eq!(m(29900, Currency::Krw).to_plain(), "29900");
        assert_eq!(m(1230, Currency::Usd).to_plain(), "12.30");
        assert_eq!(m(5, Currency::Usd).to_plain(), "0.05");
        assert_eq!(m(150_000, Currency::Btc).to_plain(), "0.00150000");
        assert_eq!(m(29900, Currency::Krw).to_display(), "₩29,900");
        assert_eq!(m(3000, Currency::Jpy).to_display(), "¥3,000");
        assert_eq!(m(123456, Currency::Usd).to_display(), "$1,234.56");
        assert_eq!(m(150_000, Currency::Btc).to_display(), "0.0015 BTC");
        assert_eq!(m(100_000_000, Currency::Btc).to_display(), "1 BTC");
        assert_eq!(m(100, Currency::Krw).to_display(), "₩100");
    }

    #[test]
    fn currencies_parse_by_code() {
        assert_eq!("krw".parse::<Currency>(), Ok(Currency::Krw));
        assert!("EUR".parse::<Currency>().is_err());
    }

    fn any_currency() -> impl Strategy<Value = Currency> {
        prop::sample::select(Currency::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn plain_form_round_trips(minor in 0..=MAX_MINOR, c in any_currency()) {
            let m = Money::from_minor(minor, c).unwrap();
            prop_assert_eq!(Money::parse(&m.to_plain(), c), Ok(m));
        }

        #[test]
        fn display_form_without_symbol_round_trips(minor in 0..=MAX_MINOR, c in any_currency()) {
            let m = Money::from_minor(minor, c).unwrap();
            let shown = m.to_display();
            let number: String = shown.chars().filter(|ch| ch.is_ascii_digit() || *ch == '.' || *ch == ',').collect();
            prop_assert_eq!(Money::parse(&number, c), Ok(m));
        }

        #[test]
        fn never_rounds_extra_decimals(int in 0u32..1_000_000, extra in 1u32..10) {
            // Any non-zero digit past the exponent is refused for every currency.
            for c in Currency::ALL {
                let zeros = "0".repeat(c.exponent() as usize + extra as usize - 1);
                let s = format!("{int}.{zeros}1");
                prop_assert!(
                    matches!(Money::parse(&s, c), Err(MoneyError::TooManyDecimals { .. })),
                    "{} {}", s, c
                );
            }
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}", c in any_currency()) {
            let _ = Money::parse(&s, c);
        }
    }
}
