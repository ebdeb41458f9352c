//! The country a store sells in: it decides the store's default currency, how a phone
//! number typed without its country code is read, and the language used when nothing
//! is known of the customer.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::channel::Lang;
use crate::error_code::InputCode;
use crate::input::InputError;
use crate::money::Currency;

/// The country a shop is in: it decides phone numbers' reading, the currency and the customers' language.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    Serialize,
    Deserialize,
    ts_rs::TS,
    strum::EnumIter,
    strum::IntoStaticStr,
    strum::Display,
)]
#[serde(rename_all = "UPPERCASE")]
#[strum(serialize_all = "UPPERCASE")]
pub enum Country {
    /// South Korea.
    #[default]
    Kr,
    /// Japan.
    Jp,
}

impl Country {
    /// The country's ISO 3166 code (`KR`, `JP`).
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// What a new link or convenience-store payment is in unless another currency is chosen.
    pub fn currency(self) -> Currency {
        match self {
            Country::Kr => Currency::Krw,
            Country::Jp => Currency::Jpy,
        }
    }

    /// The language of a customer of whom nothing else is known.
    pub fn lang(self) -> Lang {
        match self {
            Country::Kr => Lang::Ko,
            Country::Jp => Lang::Ja,
        }
    }

    /// How a domestic number is written there (the example in a phone error).
    pub fn phone_example(self) -> &'static str {
        match self {
            Country::Kr => "010-1234-5678",
            Country::Jp => "090-1234-5678",
        }
    }

    pub(crate) fn phone_region(self) -> phonenumber::country::Id {
        match self {
            Country::Kr => phonenumber::country::Id::KR,
            Country::Jp => phonenumber::country::Id::JP,
        }
    }
}

impl FromStr for Country {
    type Err = InputError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "KR" => Ok(Country::Kr),
            "JP" => Ok(Country::Jp),
            _ => Err(
                InputError::new("country", "must be KR (Korea) or JP (Japan)")
                    .code(InputCode::Invalid),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_country_decides_currency_language_and_its_name() {
        assert_eq!(Country::Jp.currency(), Currency::Jpy);
        assert_eq!(Country::Kr.lang(), Lang::Ko);
        assert_eq!("jp".parse::<Country>().unwrap(), Country::Jp);
        assert_eq!(Country::Jp.as_str(), "JP");
        assert_eq!(serde_json::to_value(Country::Kr).unwrap(), "KR");
        assert!("US".parse::<Country>().is_err());
    }
}
