//! A new payment link (or convenience-store payment) as typed, parsed once into the
//! values PayDesk keeps: the engine then only looks things up and calls the provider.

use chrono::{DateTime, Duration, Utc};

use crate::error_code::InputCode;
use crate::ids::OrderId;
use crate::input::{amount, Expiry, InputError, ItemName};
use crate::money::{Currency, Money};

/// How long a link stays payable when nothing else is asked for.
pub const DEFAULT_EXPIRY: Duration = Duration::days(3);

/// The fields of a new link, as a form or a command line gives them.
#[derive(Debug, Clone, Copy, Default)]
pub struct LinkFields<'a> {
    /// What is sold.
    pub name: &'a str,
    /// The amount, as typed (`29900`, `12.34`).
    pub amount: &'a str,
    /// The currency's code; the store's currency when not given.
    pub currency: Option<&'a str>,
    /// The tax-free part, as typed.
    pub tax_free: Option<&'a str>,
    /// How long the link stays payable (`30m`, `2h`, `3d`).
    pub expires_in: Option<&'a str>,
    /// When the link stops being payable (an absolute time), instead of `expires_in`.
    pub expires_at: Option<&'a str>,
    /// The shop's own order number; PayDesk makes one when not given.
    pub order_id: Option<&'a str>,
    /// The store's currency, used when none is asked for (KRW when not known).
    pub store_currency: Option<Currency>,
}

/// A new link's values, every one checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkDraft {
    /// What is sold.
    pub name: ItemName,
    /// The amount asked for.
    pub amount: Money,
    /// The tax-free part of it.
    pub tax_free: Money,
    /// When the link stops being payable.
    pub expiry: Expiry,
    /// The order number.
    pub order_id: OrderId,
}

fn given(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

impl LinkFields<'_> {
    /// The currency asked for, else the store's (KRW when not known).
    pub fn currency(&self) -> Result<Currency, InputError> {
        match given(self.currency) {
            Some(c) => c
                .parse()
                .map_err(|e| InputError::new("currency", e).code(InputCode::UnknownCurrency)),
            None => Ok(self.store_currency.unwrap_or(Currency::Krw)),
        }
    }

    /// The amount (more than zero) in the currency asked for.
    pub fn amount(&self) -> Result<Money, InputError> {
        amount("amount", self.amount, self.currency()?, true)
    }

    /// The deadline asked for: `expires_in` (`90m`, `36h`, `3d`) or `expires_at` (RFC
    /// 3339), never both, else `DEFAULT_EXPIRY` from now.
    pub fn expiry(&self, now: DateTime<Utc>) -> Result<Expiry, InputError> {
        match (given(self.expires_in), given(self.expires_at)) {
            (Some(_), Some(_)) => Err(InputError::new(
                "expires_at",
                "give either expires_in or expires_at, not both",
            )),
            (Some(d), None) => Expiry::parse_in("expires_in", d, now),
            (None, Some(at)) => Expiry::parse_instant("expires_at", at, now),
            (None, None) => Expiry::at("expires_in", now + DEFAULT_EXPIRY, now),
        }
    }
}

impl LinkDraft {
    /// Parses every field, and names every one that is wrong.
    pub fn parse(f: &LinkFields<'_>, now: DateTime<Utc>) -> Result<LinkDraft, Vec<InputError>> {
        let mut errors = Vec::new();
        let name = ItemName::parse(f.name).map_err(|e| errors.push(e)).ok();
        let (mut money, mut tax_free) = (None, None);
        match f.currency() {
            Err(e) => errors.push(e),
            Ok(c) => {
                money = amount("amount", f.amount, c, true)
                    .map_err(|e| errors.push(e))
                    .ok();
                tax_free = match given(f.tax_free) {
                    Some(t) => amount("tax_free", t, c, false)
                        .map_err(|e| errors.push(e))
                        .ok(),
                    None => Some(Money::zero(c)),
                };
                if let (Some(a), Some(t)) = (money, tax_free) {
                    if t.minor() > a.minor() {
                        errors.push(
                            InputError::new("tax_free", "must not be more than the amount")
                                .code(InputCode::TaxFreeOverAmount),
                        );
                    }
                }
            }
        }
        let expiry = f.expiry(now).map_err(|e| errors.push(e)).ok();
        let order_id = match given(f.order_id) {
            Some(o) => OrderId::parse("order_id", o)
                .map_err(|e| errors.push(e))
                .ok(),
            None => Some(OrderId::generate()),
        };
        match (name, money, tax_free, expiry, order_id) {
            (Some(name), Some(amount), Some(tax_free), Some(expiry), Some(order_id))
                if errors.is_empty() =>
            {
                Ok(LinkDraft {
                    name,
                    amount,
                    tax_free,
                    expiry,
                    order_id,
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-12-02T12:00:00Z".parse().unwrap()
    }

    #[test]
    fn a_draft_keeps_the_parsed_values() {
        let d = LinkDraft::parse(
            &LinkFields {
                name: " 아이스 라떼 ",
                amount: "12.34",
                currency: Some("usd"),
                tax_free: Some("1.00"),
                expires_in: Some("36h"),
                order_id: Some("A-1"),
                ..Default::default()
            },
            now(),
        )
        .unwrap();
        assert_eq!(d.name.as_str(), "아이스 라떼");
        assert_eq!(
            (d.amount.minor(), d.amount.currency()),
            (1234, Currency::Usd)
        );
        assert_eq!(d.tax_free.minor(), 100);
        assert_eq!(d.expiry.instant(), now() + Duration::hours(36));
        assert_eq!(d.order_id.as_str(), "A-1");
        let plain = LinkDraft::parse(
            &LinkFields {
                name: "x",
                amount: "5000",
                ..Default::default()
            },
            now(),
        )
        .unwrap();
        assert_eq!(plain.amount.currency(), Currency::Krw);
        assert_eq!(plain.expiry.instant(), now() + DEFAULT_EXPIRY);
        assert!(plain.order_id.starts_with("PD"));
    }

    #[test]
    fn every_wrong_field_is_named() {
        let errors = LinkDraft::parse(
            &LinkFields {
                name: "",
                amount: "100",
                tax_free: Some("200"),
                expires_in: Some("1d"),
                expires_at: Some("2026-12-03T00:00:00Z"),
                order_id: Some("no spaces please"),
                ..Default::default()
            },
            now(),
        )
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "tax_free", "expires_at", "order_id"]);
        assert_eq!(errors[1].code, InputCode::TaxFreeOverAmount);
        let bad_currency = LinkDraft::parse(
            &LinkFields {
                name: "x",
                amount: "1",
                currency: Some("EUR"),
                ..Default::default()
            },
            now(),
        )
        .unwrap_err();
        assert_eq!(bad_currency[0].code, InputCode::UnknownCurrency);
    }
}
