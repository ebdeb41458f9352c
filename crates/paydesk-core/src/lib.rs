//! PayDesk's pure core: money, ids, invoices, the status lifecycle and validated input.
//! No I/O and no async runtime live here.
#![cfg_attr(not(test), deny(clippy::unwrap_used))]
#![warn(missing_docs)]

pub mod channel;
pub mod country;
pub mod error_code;
pub mod ids;
pub mod input;
pub mod invoice;
pub mod lifecycle;
pub mod link;
pub mod money;
pub mod redact;
pub mod refund_account;
pub mod sort;
pub mod status;

pub use channel::{ChannelKind, Lang, MessageKind, Via};
pub use country::Country;
pub use error_code::InputCode;
pub use ids::{CustomerId, DeliveryId, InvoiceId, OrderId};
pub use input::{AccountName, Email, Expiry, InputError, InputResult, ItemName, PersonName, Phone};
pub use invoice::{
    Capabilities, Customer, Delivery, DeliveryState, Invoice, InvoiceKind, ProviderKind,
    TimelineEntry, TimelineEvent,
};
pub use lifecycle::RemoteInvoice;
pub use link::{LinkDraft, LinkFields};
pub use money::{Currency, Money, MoneyError};
pub use redact::Redactor;
pub use refund_account::{RefundAccount, RefundAccountFields, KOREAN_BANKS};
pub use sort::SortBy;
pub use status::{PaymentFlags, Source, Status, StatusError};

/// An instant as a clerk reads it: the store's local date and time to the minute
/// (`2026-12-05 17:29`), as CSV for Excel and the command's tables show it.
pub fn local_time(t: chrono::DateTime<chrono::Utc>, zone: chrono::FixedOffset) -> String {
    t.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string()
}

/// Timestamps as stored and printed: RFC 3339, UTC, milliseconds, `Z` (sorts as text).
pub fn format_instant(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
