//! The stable names of what can be wrong with a typed value. A window translates them
//! (`error.input.<code>` in `ui/src/locales/*.json`; a test checks both directions), a
//! script matches on them; the English message beside each is for people reading logs.

use serde::{Deserialize, Serialize};

/// What is wrong with one field.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ts_rs::TS,
    strum::EnumIter,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::Display,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum InputCode {
    /// Nothing more specific applies; the message says what.
    Invalid,
    Empty,
    TooLong,
    ControlChars,
    Negative,
    Zero,
    NotANumber,
    TooManyDecimals,
    TooLarge,
    UnknownCurrency,
    InvalidPhone,
    InvalidEmail,
    Past,
    TooSoon,
    TooFar,
    DurationFormat,
    InstantFormat,
    UnknownAccount,
    TaxFreeOverAmount,
    /// A name or id that is already taken.
    Exists,
    /// The provider (or channel) cannot do this.
    Unsupported,
    /// No channel can send this way yet.
    NoChannel,
    /// The store's logo is not a usable image.
    Logo,
    /// A refund of more than is left of what the customer paid.
    RefundOverLeft,
}

impl InputCode {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Every code, in declaration order.
    pub fn all() -> impl Iterator<Item = InputCode> {
        <InputCode as strum::IntoEnumIterator>::iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn names_are_the_same_in_serde_and_strum() {
        for c in InputCode::iter() {
            let json = serde_json::to_value(c).unwrap();
            assert_eq!(json.as_str(), Some(c.as_str()));
            assert_eq!(c.as_str().parse::<InputCode>().unwrap(), c);
        }
        assert_eq!(
            InputCode::TaxFreeOverAmount.as_str(),
            "tax_free_over_amount"
        );
    }
}
