//! The one status lifecycle every provider's statuses are mapped into.
//!
//! `draft → open → (paid_unconfirmed →) paid → refunded | partially_refunded`, and
//! `open → expired | cancelled | failed`. Money that arrives after expiry moves an
//! `expired` invoice to `paid_unconfirmed` or `paid` (with the `paid_late` flag) — never
//! lost. A payment seen but not confirmed can still vanish (a fee bump, a double spend),
//! so `paid_unconfirmed` can go back to `open` or `expired`; and a `failed` invoice
//! (one whose payment failed to confirm) can later be settled by the merchant.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Where an invoice stands; [`Status::can_move_to`] is the one rule of which changes are allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Saved, not yet made at the provider.
    Draft,
    /// Payable.
    Open,
    /// Paid, the payment not yet confirmed (a crypto payment seen, not mined).
    PaidUnconfirmed,
    /// Paid.
    Paid,
    /// Part of the payment was given back.
    PartiallyRefunded,
    /// All of the payment was given back.
    Refunded,
    /// No longer payable, with nothing paid (or paid short).
    Expired,
    /// Cancelled before it was paid.
    Cancelled,
    /// The provider refused it, or it was never made.
    Failed,
}

/// Why a status cannot be read or reached.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusError {
    /// The lifecycle does not allow this change.
    #[error("an invoice cannot go from {from} to {to}")]
    Forbidden {
        /// The status the invoice has.
        from: Status,
        /// The status that was asked for.
        to: Status,
    },
    /// A status name PayDesk does not know.
    #[error("unknown status {0:?}")]
    Unknown(String),
}

impl Status {
    /// Every status, in lifecycle order.
    pub const ALL: [Status; 9] = [
        Status::Draft,
        Status::Open,
        Status::PaidUnconfirmed,
        Status::Paid,
        Status::PartiallyRefunded,
        Status::Refunded,
        Status::Expired,
        Status::Cancelled,
        Status::Failed,
    ];

    /// The status's name as rows, JSON and the window keep it.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Open => "open",
            Status::PaidUnconfirmed => "paid_unconfirmed",
            Status::Paid => "paid",
            Status::PartiallyRefunded => "partially_refunded",
            Status::Refunded => "refunded",
            Status::Expired => "expired",
            Status::Cancelled => "cancelled",
            Status::Failed => "failed",
        }
    }

    /// The statuses this one may move to.
    pub fn next(self) -> &'static [Status] {
        use Status::*;
        match self {
            Draft => &[Open, Cancelled, Failed],
            Open => &[PaidUnconfirmed, Paid, Expired, Cancelled, Failed],
            // The payment seen went away before it confirmed.
            PaidUnconfirmed => &[Paid, Failed, Open, Expired],
            Paid => &[PartiallyRefunded, Refunded],
            PartiallyRefunded => &[PartiallyRefunded, Refunded],
            // Late money: an expired invoice can still be paid, never dropped; money
            // that came short before it expired can be given back.
            Expired => &[
                PaidUnconfirmed,
                Paid,
                Cancelled,
                PartiallyRefunded,
                Refunded,
            ],
            // Marked settled by the merchant at the provider after all.
            Failed => &[Paid],
            Refunded | Cancelled => &[],
        }
    }

    /// Whether the lifecycle allows going from this status to `to`.
    pub fn can_move_to(self, to: Status) -> bool {
        self.next().contains(&to)
    }

    /// Checks a transition; the same status is not a transition and always passes.
    pub fn check_transition(self, to: Status) -> Result<(), StatusError> {
        if self == to || self.can_move_to(to) {
            Ok(())
        } else {
            Err(StatusError::Forbidden { from: self, to })
        }
    }

    /// No further change can come from the provider.
    pub fn is_final(self) -> bool {
        self.next().is_empty()
    }

    /// Whether the customer can still pay through the link.
    pub fn is_payable(self) -> bool {
        matches!(self, Status::Open)
    }

    /// Whether a clerk may cancel the invoice.
    pub fn is_cancellable(self) -> bool {
        self.can_move_to(Status::Cancelled)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = StatusError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| StatusError::Unknown(s.chars().take(32).collect()))
    }
}

/// Flags kept beside the status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PaymentFlags {
    /// Paid after the deadline.
    pub paid_late: bool,
    /// Paid less than was asked.
    pub underpaid: bool,
    /// Paid more than was asked.
    pub overpaid: bool,
}

/// Who or what caused a change (kept in the audit log).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS, strum::Display,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Source {
    /// The clerk, through the window or the command line.
    User,
    /// PayDesk's own sync with the provider.
    Sync,
    /// The provider itself: its answer to a request, or its callback.
    Provider,
}

impl Source {
    /// The source's name as the audit log keeps it.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::User => "user",
            Source::Sync => "sync",
            Source::Provider => "provider",
        }
    }
}

impl FromStr for Source {
    type Err = StatusError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "user" => Ok(Source::User),
            "sync" => Ok(Source::Sync),
            "provider" => Ok(Source::Provider),
            _ => Err(StatusError::Unknown(s.chars().take(32).collect())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    #[test]
    fn the_designed_paths_are_allowed() {
        for (from, to) in [
            (Draft, Open),
            (Open, PaidUnconfirmed),
            (PaidUnconfirmed, Paid),
            (Open, Paid),
            (Paid, Refunded),
            (Paid, PartiallyRefunded),
            (PartiallyRefunded, Refunded),
            (Open, Expired),
            (Open, Cancelled),
            (Open, Failed),
            (Expired, Paid),
            (Expired, PaidUnconfirmed),
            (PaidUnconfirmed, Open),
            (PaidUnconfirmed, Expired),
            (Failed, Paid),
        ] {
            assert_eq!(from.check_transition(to), Ok(()), "{from} -> {to}");
        }
    }

    #[test]
    fn forbidden_transitions_are_errors() {
        for (from, to) in [
            (Paid, Open),
            (Refunded, Paid),
            (Cancelled, Open),
            (Cancelled, Paid),
            (Draft, Paid),
            (Expired, Open),
            (Failed, Open),
            (Failed, Cancelled),
            (Paid, Expired),
            (Paid, PaidUnconfirmed),
            (Open, Refunded),
        ] {
            assert_eq!(
                from.check_transition(to),
                Err(StatusError::Forbidden { from, to }),
                "{from} -> {to}"
            );
        }
    }

    #[test]
    fn final_states_have_no_way_out() {
        let finals: Vec<Status> = Status::ALL.into_iter().filter(|s| s.is_final()).collect();
        assert_eq!(finals, vec![Refunded, Cancelled]);
    }

    #[test]
    fn names_round_trip() {
        for s in Status::ALL {
            assert_eq!(s.as_str().parse::<Status>(), Ok(s));
            assert_eq!(serde_json_name(s), s.as_str());
        }
        assert!("bogus".parse::<Status>().is_err());
    }

    fn serde_json_name(s: Status) -> String {
        serde_json::to_value(s)
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }
}
