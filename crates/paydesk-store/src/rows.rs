//! Reading rows back into the core's types, and the timestamps as stored (RFC 3339, UTC).

use std::str::FromStr;

use crate::{AccountRecord, ChannelRecord, Result, StoreError};
use chrono::{DateTime, Utc};
use paydesk_core::{
    format_instant, Currency, Customer, CustomerId, Delivery, DeliveryId, DeliveryState, Invoice,
    InvoiceId, InvoiceKind, Lang, Money, OrderId, PaymentFlags, ProviderKind, Status, Via,
};
use sqlx::Row;

pub(crate) fn ts(t: DateTime<Utc>) -> String {
    format_instant(t)
}

pub(crate) fn parse_ts(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| StoreError::Corrupt(format!("timestamp {s:?}")))
}

pub(crate) fn parse_opt_ts(s: Option<String>) -> Result<Option<DateTime<Utc>>> {
    s.as_deref().map(parse_ts).transpose()
}

pub(crate) fn corrupt<E: std::fmt::Display>(what: &str) -> impl Fn(E) -> StoreError + '_ {
    move |e| StoreError::Corrupt(format!("{what}: {e}"))
}

pub(crate) const INVOICE_SELECT: &str =
    "SELECT id, account, provider, provider_id, order_id, kind, name, currency,
    amount_minor, tax_free_minor, paid_minor, status, paid_late, underpaid, overpaid, payment_url,
    payment_number, expires_at, customer_id, created_at, updated_at, last_checked_at, last_error,
    refunded_minor, rest_of, paid_at, refund_url, refund_requested_minor FROM invoices";

pub(crate) const DELIVERY_SELECT: &str =
    "SELECT id, invoice_id, channel, via, recipient, state, attempts,
    channel_message_id, error, created_at, updated_at, lang, subject, body, kind FROM deliveries";

pub(crate) fn account_from_row(r: &sqlx::any::AnyRow) -> Result<AccountRecord> {
    let settings: String = r.try_get("settings")?;
    let settings = match serde_json::from_str(&settings).map_err(corrupt("account settings"))? {
        serde_json::Value::Object(m) => m,
        _ => {
            return Err(StoreError::Corrupt(
                "account settings are not an object".into(),
            ))
        }
    };
    Ok(AccountRecord {
        name: r.try_get("name")?,
        provider: ProviderKind::from_str(&r.try_get::<String, _>("provider")?)
            .map_err(corrupt("provider"))?,
        settings,
        created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
    })
}

pub(crate) fn customer_from_row(r: &sqlx::any::AnyRow) -> Result<Customer> {
    Ok(Customer {
        id: CustomerId::from_stored(r.try_get::<String, _>("id")?),
        name: r.try_get("name")?,
        phone: r.try_get("phone")?,
        email: r.try_get("email")?,
        created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
    })
}

pub(crate) fn invoice_from_row(r: &sqlx::any::AnyRow) -> Result<Invoice> {
    let currency =
        Currency::from_str(&r.try_get::<String, _>("currency")?).map_err(corrupt("currency"))?;
    let money = |col: &str| -> Result<Money> {
        Money::from_minor(r.try_get::<i64, _>(col)?, currency).map_err(corrupt("amount"))
    };
    Ok(Invoice {
        id: InvoiceId::from_stored(r.try_get::<String, _>("id")?),
        account: r.try_get("account")?,
        provider: ProviderKind::from_str(&r.try_get::<String, _>("provider")?)
            .map_err(corrupt("provider"))?,
        provider_id: r.try_get("provider_id")?,
        order_id: OrderId::from_stored(r.try_get::<String, _>("order_id")?),
        kind: InvoiceKind::from_str(&r.try_get::<String, _>("kind")?).map_err(corrupt("kind"))?,
        name: r.try_get("name")?,
        amount: money("amount_minor")?,
        tax_free: money("tax_free_minor")?,
        paid: money("paid_minor")?,
        refunded: money("refunded_minor")?,
        refund_requested: money("refund_requested_minor")?,
        status: Status::from_str(&r.try_get::<String, _>("status")?).map_err(corrupt("status"))?,
        flags: PaymentFlags {
            paid_late: r.try_get::<i64, _>("paid_late")? != 0,
            underpaid: r.try_get::<i64, _>("underpaid")? != 0,
            overpaid: r.try_get::<i64, _>("overpaid")? != 0,
        },
        payment_url: r.try_get("payment_url")?,
        payment_number: r.try_get("payment_number")?,
        expires_at: parse_ts(&r.try_get::<String, _>("expires_at")?)?,
        customer_id: r
            .try_get::<Option<String>, _>("customer_id")?
            .map(CustomerId::from_stored),
        created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
        updated_at: parse_ts(&r.try_get::<String, _>("updated_at")?)?,
        last_checked_at: parse_opt_ts(r.try_get("last_checked_at")?)?,
        last_error: r.try_get("last_error")?,
        rest_of: r
            .try_get::<Option<String>, _>("rest_of")?
            .map(InvoiceId::from_stored),
        paid_at: parse_opt_ts(r.try_get("paid_at")?)?,
        refund_url: r.try_get("refund_url")?,
    })
}

pub(crate) fn delivery_from_row(r: &sqlx::any::AnyRow) -> Result<Delivery> {
    Ok(Delivery {
        id: DeliveryId::from_stored(r.try_get::<String, _>("id")?),
        invoice_id: InvoiceId::from_stored(r.try_get::<String, _>("invoice_id")?),
        channel: r.try_get("channel")?,
        via: Via::from_str(&r.try_get::<String, _>("via")?).map_err(corrupt("via"))?,
        to: r.try_get("recipient")?,
        state: DeliveryState::from_str(&r.try_get::<String, _>("state")?)
            .map_err(corrupt("state"))?,
        attempts: r.try_get("attempts")?,
        channel_message_id: r.try_get("channel_message_id")?,
        error: r.try_get("error")?,
        created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
        updated_at: parse_ts(&r.try_get::<String, _>("updated_at")?)?,
        lang: Lang::from_str(&r.try_get::<String, _>("lang")?).map_err(corrupt("lang"))?,
        subject: r.try_get("subject")?,
        body: r.try_get("body")?,
        kind: paydesk_core::MessageKind::from_str(&r.try_get::<String, _>("kind")?)
            .map_err(corrupt("kind"))?,
    })
}

pub(crate) fn channel_from_row(r: &sqlx::any::AnyRow) -> Result<ChannelRecord> {
    let settings: String = r.try_get("settings")?;
    let settings = match serde_json::from_str(&settings).map_err(corrupt("channel settings"))? {
        serde_json::Value::Object(m) => m,
        _ => return Err(StoreError::Corrupt("channel settings".into())),
    };
    Ok(ChannelRecord {
        name: r.try_get("name")?,
        kind: r.try_get("kind")?,
        settings,
        created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
    })
}
