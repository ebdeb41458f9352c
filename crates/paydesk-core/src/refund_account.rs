//! The customer's bank account a cash payment is given back to (a convenience-store
//! payment at PortOne is refunded by bank transfer, and the refund must name it).

use serde::Serialize;

use crate::error_code::InputCode;
use crate::input::{InputError, PersonName};

/// Korean banks by their standard (KFTC) three-digit code, as PortOne's `refund_bank`
/// takes them.
pub const KOREAN_BANKS: &[(&str, &str)] = &[
    ("004", "KB국민은행"),
    ("088", "신한은행"),
    ("020", "우리은행"),
    ("081", "하나은행"),
    ("011", "NH농협은행"),
    ("012", "지역농축협"),
    ("003", "IBK기업은행"),
    ("090", "카카오뱅크"),
    ("092", "토스뱅크"),
    ("089", "케이뱅크"),
    ("071", "우체국"),
    ("045", "새마을금고"),
    ("048", "신협"),
    ("007", "Sh수협은행"),
    ("002", "KDB산업은행"),
    ("023", "SC제일은행"),
    ("027", "한국씨티은행"),
    ("031", "iM뱅크(대구)"),
    ("032", "부산은행"),
    ("039", "경남은행"),
    ("034", "광주은행"),
    ("037", "전북은행"),
    ("035", "제주은행"),
    ("050", "저축은행"),
];

/// The account fields as typed (any may be missing).
#[derive(Debug, Clone, Copy, Default)]
pub struct RefundAccountFields<'a> {
    /// The account holder's name.
    pub holder: Option<&'a str>,
    /// The bank: its three-digit code or its name.
    pub bank: Option<&'a str>,
    /// The account number (digits; hyphens and spaces are dropped).
    pub number: Option<&'a str>,
}

/// A checked refund account. Never stored, logged or shown again: it goes to the
/// provider with the refund and nowhere else.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct RefundAccount {
    /// The account holder's name.
    pub holder: PersonName,
    /// The bank's three-digit code.
    pub bank: &'static str,
    /// The account number, digits only.
    pub number: String,
}

impl std::fmt::Debug for RefundAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RefundAccount({}, ****)", self.bank)
    }
}

impl RefundAccount {
    /// `None` when no field was typed; every wrong or missing field named otherwise.
    pub fn parse(f: RefundAccountFields<'_>) -> Result<Option<Self>, Vec<InputError>> {
        let (holder, bank, number) = (given(f.holder), given(f.bank), given(f.number));
        if holder.is_none() && bank.is_none() && number.is_none() {
            return Ok(None);
        }
        let mut errors = Vec::new();
        let missing = |field: &str| {
            InputError::new(field, "is needed with the other refund account fields")
                .code(InputCode::Empty)
        };
        let holder = match holder {
            Some(h) => PersonName::parse("refund_holder", h)
                .map_err(|e| errors.push(e))
                .ok(),
            None => {
                errors.push(missing("refund_holder"));
                None
            }
        };
        let bank = match bank {
            Some(b) => {
                let found = KOREAN_BANKS
                    .iter()
                    .find(|(code, name)| *code == b || *name == b)
                    .map(|(code, _)| *code);
                if found.is_none() {
                    errors.push(
                        InputError::new(
                            "refund_bank",
                            "is not a Korean bank's three-digit code (004 KB국민은행, 088 신한은행, …)",
                        )
                        .code(InputCode::UnknownBank),
                    );
                }
                found
            }
            None => {
                errors.push(missing("refund_bank"));
                None
            }
        };
        let number = match number {
            Some(n) => {
                let digits: String = n.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
                if !digits.chars().all(|c| c.is_ascii_digit()) || !(8..=16).contains(&digits.len())
                {
                    errors.push(
                        InputError::new(
                            "refund_account",
                            "must be an account number of 8 to 16 digits",
                        )
                        .code(InputCode::AccountNumber),
                    );
                    None
                } else {
                    Some(digits)
                }
            }
            None => {
                errors.push(missing("refund_account"));
                None
            }
        };
        match (holder, bank, number) {
            (Some(holder), Some(bank), Some(number)) if errors.is_empty() => {
                Ok(Some(RefundAccount {
                    holder,
                    bank,
                    number,
                }))
            }
            _ => Err(errors),
        }
    }
}

/// A field's text, unless nothing but blanks was typed.
fn given(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f<'a>(h: &'a str, b: &'a str, n: &'a str) -> RefundAccountFields<'a> {
        RefundAccountFields {
            holder: Some(h),
            bank: Some(b),
            number: Some(n),
        }
    }

    #[test]
    fn an_account_is_whole_or_each_missing_field_is_named() {
        let a = RefundAccount::parse(f("김민준", "004", "123-4567-8901"))
            .unwrap()
            .unwrap();
        assert_eq!((a.bank, a.number.as_str()), ("004", "12345678901"));
        assert_eq!(
            RefundAccount::parse(f("김민준", "신한은행", "11012345678"))
                .unwrap()
                .unwrap()
                .bank,
            "088"
        );
        assert_eq!(
            RefundAccount::parse(RefundAccountFields::default()).unwrap(),
            None
        );
        let errs = RefundAccount::parse(RefundAccountFields {
            bank: Some("999"),
            number: Some("12"),
            ..Default::default()
        })
        .unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["refund_holder", "refund_bank", "refund_account"]);
        assert!(!format!("{a:?}").contains("12345678901"), "never in a log");
    }
}
