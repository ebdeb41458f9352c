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
    /// No invoice, customer or channel of that name or id.
    NotFound,
    /// The invoice's status does not allow it now (cancel a paid one, refund an open one).
    NotNow,
    /// Another step on the same invoice is under way (its create); try again in a moment.
    Busy,
    /// A refund asked of the provider is not done there yet.
    RefundAsked,
    /// An under-paid invoice whose own link can still be paid: send it again instead.
    StillPayable,
    /// Not a web address (`http://` or `https://`).
    NotAWebAddress,
    /// Not a PostgreSQL address (`postgres://USER@HOST:PORT/DATABASE`).
    NotADatabaseAddress,
    /// Not a host name.
    NotAHost,
    /// Not a port number (1–65535).
    NotAPort,
    /// A password would travel unencrypted.
    Unencrypted,
    /// Not a sender the channel can send from (an e-mail sender, a registered number).
    NotASender,
    /// No readable PEM certificate file there.
    CaFile,
    /// A key the account or channel needs is not in the keyring (any more).
    SecretMissing,
    /// A key the account or channel does not take.
    UnknownSecret,
    /// Not a Korean bank's code.
    UnknownBank,
    /// Not an account number (8 to 16 digits).
    AccountNumber,
    /// A message text without `{link}`: it could not be paid.
    NeedsLink,
    /// AlimTalk needs both the KakaoTalk channel id and the template id.
    AlimtalkTemplate,
    /// The invoice has no link (or refund claim) to send yet.
    NoLink,
    /// The channel chosen does not send this way.
    WrongChannel,
    /// A channel whose only check is a real message: a recipient is needed.
    NeedsRecipient,
    /// Kept because invoices refer to it.
    HasInvoices,
    /// Built into PayDesk (the sandbox account).
    BuiltIn,
    /// Nothing of what was asked can be printed.
    NothingToPrint,
    /// How often providers are checked: whole seconds, 1–3600.
    CheckInterval,
    /// Money is on it (a cancel would strand it).
    HasMoney,
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
