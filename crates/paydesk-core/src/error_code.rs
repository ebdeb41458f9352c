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
    /// Nothing was given.
    Empty,
    /// Longer than the field allows.
    TooLong,
    /// Holds control characters (line breaks, tabs, escapes).
    ControlChars,
    /// An amount below zero.
    Negative,
    /// An amount of zero where money is needed.
    Zero,
    /// Not a plain number.
    NotANumber,
    /// More decimal places than the currency has.
    TooManyDecimals,
    /// Larger than PayDesk or the provider can keep.
    TooLarge,
    /// A currency PayDesk does not know.
    UnknownCurrency,
    /// Not a phone number of the shop's country (or in international form).
    InvalidPhone,
    /// Not a bare e-mail address.
    InvalidEmail,
    /// A deadline in the past.
    Past,
    /// A deadline less than five minutes away.
    TooSoon,
    /// A deadline more than a year away.
    TooFar,
    /// A duration not written like `30m`, `2h`, `3d`.
    DurationFormat,
    /// A date and time not written like `2026-12-31T18:00`.
    InstantFormat,
    /// No payment account of that name.
    UnknownAccount,
    /// A tax-free part larger than the whole amount.
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
    /// A cash payment is given back by bank transfer: the customer's account is needed.
    RefundAccountNeeded,
    /// "Send again" for a link that was never sent (how to send it is the clerk's choice).
    NotSent,
}

impl InputCode {
    /// The code's name as the window's texts key it.
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
