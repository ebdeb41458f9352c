//! How the invoice list is ordered: a column and a direction.

use serde::{Deserialize, Serialize};

/// A column the invoice list can be sorted by.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ts_rs::TS,
    strum::Display,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum SortBy {
    /// When the invoice was made (the list's own order: newest first).
    #[default]
    Created,
    /// The item's name.
    Name,
    /// The customer's name (invoices without a customer last).
    Customer,
    /// The amount, per currency.
    Amount,
    /// The status, in lifecycle order (draft, open, … failed).
    Status,
    /// When it was paid, or its deadline while unpaid (the list's "when" column).
    When,
}

impl SortBy {
    /// Every column.
    pub const ALL: [SortBy; 6] = [
        SortBy::Created,
        SortBy::Name,
        SortBy::Customer,
        SortBy::Amount,
        SortBy::Status,
        SortBy::When,
    ];

    /// Every column's name.
    pub fn names() -> Vec<&'static str> {
        SortBy::ALL.into_iter().map(<&str>::from).collect()
    }

    /// The direction a click on the column first sorts in: newest and largest first,
    /// names and statuses from the start.
    pub fn first_descending(self) -> bool {
        matches!(self, SortBy::Created | SortBy::Amount | SortBy::When)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;
    use strum::IntoEnumIterator;

    #[test]
    fn every_column_is_listed_and_named() {
        assert_eq!(SortBy::iter().collect::<Vec<_>>(), SortBy::ALL.to_vec());
        for s in SortBy::ALL {
            assert_eq!(SortBy::from_str(s.into()), Ok(s));
            assert_eq!(serde_json::to_value(s).unwrap(), <&str>::from(s));
        }
    }
}
