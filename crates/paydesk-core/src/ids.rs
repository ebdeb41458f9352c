//! Typed ids, so that one kind of id is never taken for another (an order id for a
//! provider's id, an invoice for a customer). PayDesk's own ids are a prefix and a ULID
//! (sortable by creation time), made by one macro; the merchant's order id and the
//! provider's reference are checked or kept as given.

use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Serialize};

use crate::error_code::InputCode;
use crate::input::InputError;

macro_rules! def_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// What every id of this kind starts with (before `_`).
            pub const PREFIX: &'static str = $prefix;

            /// A new id: the prefix and a lower-case ULID, e.g. `inv_01jd…`.
            pub fn generate() -> Self {
                $name(format!("{}_{}", $prefix, ulid::Ulid::new().to_string().to_lowercase()))
            }

            /// The id, when `s` has this kind's prefix and a ULID after it.
            pub fn parse(s: &str) -> Option<Self> {
                let rest = s.trim().strip_prefix(concat!($prefix, "_"))?;
                ulid::Ulid::from_string(rest).ok()?;
                Some($name(s.trim().to_string()))
            }

            /// An id read back from PayDesk's own records (trusted as it is).
            pub fn from_stored(s: impl Into<String>) -> Self {
                $name(s.into())
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        text_eq!($name);
    };
}

/// An id equals the same text (ids are read from and written to text).
macro_rules! text_eq {
    ($name:ident) => {
        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                self == &other.0
            }
        }
    };
}

def_id!(
    /// An invoice (a payment link or a convenience-store payment number).
    InvoiceId,
    "inv"
);
def_id!(
    /// A customer of the customer book.
    CustomerId,
    "cus"
);
def_id!(
    /// One message to a customer (an outbox row).
    DeliveryId,
    "dlv"
);

/// The merchant order id sent to the provider: unique per invoice, so a retry after an
/// unknown outcome looks the order up instead of creating a second link. Chosen by the
/// merchant (letters, digits, `-`, `_`, at most 40) or made by PayDesk (`PD` + ULID).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrderId(String);

impl OrderId {
    /// A new order id of PayDesk's own.
    pub fn generate() -> Self {
        OrderId(format!("PD{}", ulid::Ulid::new()))
    }

    /// An order id the merchant typed, checked for what every provider accepts.
    pub fn parse(field: &str, s: &str) -> Result<Self, InputError> {
        let s = s.trim();
        if s.is_empty() {
            return Err(InputError::new(field, "must not be empty").code(InputCode::Empty));
        }
        if s.len() > 40
            || !s
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(InputError::new(
                field,
                "may use only letters, digits, '-' and '_' (at most 40)",
            ));
        }
        Ok(OrderId(s.to_string()))
    }

    /// An order id read back from PayDesk's own records (trusted as it is).
    pub fn from_stored(s: impl Into<String>) -> Self {
        OrderId(s.into())
    }

    /// The order id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for OrderId {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<OrderId> for String {
    fn from(id: OrderId) -> String {
        id.0
    }
}

text_eq!(OrderId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_carry_their_prefix_and_are_told_apart() {
        let inv = InvoiceId::generate();
        assert!(inv.starts_with("inv_"), "{inv}");
        assert_eq!(InvoiceId::parse(&inv), Some(inv.clone()));
        assert_eq!(
            CustomerId::parse(&inv),
            None,
            "an invoice id is no customer id"
        );
        assert!(CustomerId::generate().starts_with("cus_"));
        assert!(DeliveryId::generate().starts_with("dlv_"));
        assert_eq!(InvoiceId::parse("inv_notaulid"), None);
    }

    #[test]
    fn order_ids_are_what_every_provider_accepts() {
        assert!(OrderId::generate().starts_with("PD"));
        assert_eq!(
            OrderId::parse("order_id", " A-1_b ").unwrap().as_str(),
            "A-1_b"
        );
        for bad in ["", "has space", "한글", &"x".repeat(41)] {
            let e = OrderId::parse("order_id", bad).unwrap_err();
            assert_eq!(e.field, "order_id", "{bad:?}");
        }
    }
}
