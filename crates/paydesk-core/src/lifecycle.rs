//! How what a provider says moves a local invoice: the one reconciliation rule that
//! creating, cancelling, refunding and sync all apply, and the one definition of "the
//! invoice changed" that the store (audit entry) and the engine (event) share.

use chrono::{DateTime, Utc};

use crate::invoice::Invoice;
use crate::money::Currency;
use crate::status::{PaymentFlags, Status};

/// An invoice as the provider sees it, already mapped into PayDesk's lifecycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteInvoice {
    /// The provider's id of the invoice.
    pub provider_id: String,
    /// The order id the provider keeps for it.
    pub order_id: String,
    /// The provider's status, in PayDesk's lifecycle.
    pub status: Status,
    /// Late, short or over payment, as the provider reports it.
    pub flags: PaymentFlags,
    /// Money received, in minor units of `currency`.
    pub paid_minor: i64,
    /// Money given back so far, in minor units of `currency`.
    pub refunded_minor: i64,
    /// The currency the provider keeps the invoice in (checked against PayDesk's).
    pub currency: Option<Currency>,
    /// The link the customer pays at, if the provider gives one.
    pub payment_url: Option<String>,
    /// The convenience-store payment number, if the provider gives one.
    pub payment_number: Option<String>,
    /// The provider's own status words, for the audit log.
    pub raw_status: String,
}

/// Where the provider's view takes a local invoice: its status (with local expiry on
/// top: past its deadline an open invoice is expired here even if the provider has not
/// said so), its flags (late money keeps its flag) and the audit detail.
pub fn target_of(
    local: &Invoice,
    remote: &RemoteInvoice,
    now: DateTime<Utc>,
) -> (Status, PaymentFlags, String) {
    let mut status = remote.status;
    let mut detail = format!("{}: {}", local.provider, remote.raw_status);
    if status == Status::Open && now >= local.expires_at {
        status = Status::Expired;
        detail.push_str("; the deadline has passed");
    }
    // Refunds never un-happen: a provider that reports none (BTCPay keeps saying
    // "settled") leaves what PayDesk refunded standing.
    if matches!(local.status, Status::PartiallyRefunded | Status::Refunded)
        && !matches!(status, Status::PartiallyRefunded | Status::Refunded)
    {
        status = local.status;
    }
    let mut flags = remote.flags;
    if local.status == Status::Expired && matches!(status, Status::Paid | Status::PaidUnconfirmed) {
        flags.paid_late = true;
    }
    flags.paid_late |= local.flags.paid_late;
    (status, flags, detail)
}

/// The invoice's refunded total once the provider's view is applied, in minor units.
/// Refunds only grow: the provider's own figure where it reports one, all of the money
/// when it says refunded, and what PayDesk itself asked for (`asked`, this refund) where
/// the provider reports no figure (BTCPay, PIPE). Never more than was received.
pub fn refunded_of(local: &Invoice, remote: &RemoteInvoice, asked: Option<i64>) -> i64 {
    let known = local.refunded.minor() + asked.unwrap_or(0).max(0);
    let by_status = if remote.status == Status::Refunded {
        remote.paid_minor
    } else {
        0
    };
    remote
        .refunded_minor
        .max(known)
        .max(by_status)
        .clamp(0, remote.paid_minor.max(0))
}

/// A refund status that matches the money: a partial refund that leaves nothing of what
/// was received is a full one (BTCPay reports neither, PayDesk counts both).
pub fn refund_settled(status: Status, refunded_minor: i64, paid_minor: i64) -> Status {
    if status == Status::PartiallyRefunded && paid_minor > 0 && refunded_minor >= paid_minor {
        Status::Refunded
    } else {
        status
    }
}

/// Whether the provider's view leaves a (non-draft) invoice exactly as it is, so that
/// only "checked now" needs writing.
pub fn leaves_unchanged(local: &Invoice, remote: &RemoteInvoice, now: DateTime<Utc>) -> bool {
    let (status, flags, _) = target_of(local, remote, now);
    local.status != Status::Draft
        && remote.currency.is_none_or(|c| c == local.amount.currency())
        && status == local.status
        && flags == local.flags
        && remote.paid_minor == local.paid.minor()
        && refunded_of(local, remote, None) == local.refunded.minor()
        && Some(&remote.provider_id) == local.provider_id.as_ref()
        && remote
            .payment_url
            .as_ref()
            .is_none_or(|u| Some(u) == local.payment_url.as_ref())
        && remote
            .payment_number
            .as_ref()
            .is_none_or(|n| Some(n) == local.payment_number.as_ref())
}

/// Whether anything a clerk sees changed between two versions of an invoice: status,
/// flags, money received, the provider's id, the link or the payment number. A change
/// gets an audit entry and an event to the window.
pub fn changed(before: &Invoice, after: &Invoice) -> bool {
    before.status != after.status
        || before.flags != after.flags
        || before.paid != after.paid
        || before.refunded != after.refunded
        || before.provider_id != after.provider_id
        || before.payment_url != after.payment_url
        || before.payment_number != after.payment_number
        || before.refund_url != after.refund_url
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invoice::{InvoiceKind, ProviderKind};
    use crate::money::Money;
    use chrono::Duration;

    fn now() -> DateTime<Utc> {
        "2026-12-02T12:00:00Z".parse().unwrap()
    }

    fn local(status: Status) -> Invoice {
        let krw = |m| Money::from_minor(m, Currency::Krw).unwrap();
        Invoice {
            id: crate::ids::InvoiceId::from_stored("inv_1"),
            account: "shop".into(),
            provider: ProviderKind::Portone,
            provider_id: Some("imp_1".into()),
            order_id: crate::ids::OrderId::from_stored("PD1"),
            kind: InvoiceKind::Cvs,
            name: "item".into(),
            amount: krw(29_900),
            tax_free: krw(0),
            paid: krw(0),
            refunded: krw(0),
            refund_requested: krw(0),
            status,
            flags: PaymentFlags::default(),
            payment_url: None,
            payment_number: None,
            expires_at: now() + Duration::days(1),
            customer_id: None,
            created_at: now(),
            updated_at: now(),
            last_checked_at: None,
            last_error: None,
            rest_of: None,
            refund_url: None,
            paid_at: None,
        }
    }

    fn remote(status: Status) -> RemoteInvoice {
        RemoteInvoice {
            provider_id: "imp_1".into(),
            order_id: "PD1".into(),
            status,
            flags: PaymentFlags::default(),
            paid_minor: 0,
            refunded_minor: 0,
            currency: Some(Currency::Krw),
            payment_url: None,
            payment_number: None,
            raw_status: "ready".into(),
        }
    }

    #[test]
    fn refunds_only_grow_and_never_pass_what_was_paid() {
        let krw = |m| Money::from_minor(m, Currency::Krw).unwrap();
        let mut paid = local(Status::Paid);
        paid.paid = krw(29_900);
        let mut r = remote(Status::PartiallyRefunded);
        r.paid_minor = 29_900;
        // The provider's own figure wins where it reports one.
        r.refunded_minor = 10_000;
        assert_eq!(refunded_of(&paid, &r, None), 10_000);
        // Where it reports none, what PayDesk asked for is added to what it knew.
        r.refunded_minor = 0;
        paid.refunded = krw(5_000);
        assert_eq!(refunded_of(&paid, &r, Some(3_000)), 8_000);
        // A later view without a figure keeps what was known.
        assert_eq!(refunded_of(&paid, &r, None), 5_000);
        // "Refunded" is all of it; never more than was paid.
        assert_eq!(
            refunded_of(&paid, &remote_paid(Status::Refunded, 29_900), None),
            29_900
        );
        assert_eq!(refunded_of(&paid, &r, Some(99_999)), 29_900);
        // A refunded figure that changed is a change the clerk sees.
        let mut after = paid.clone();
        after.refunded = krw(8_000);
        assert!(changed(&paid, &after));
        assert!(!leaves_unchanged(
            &paid,
            &{
                let mut x = remote_paid(Status::Paid, 29_900);
                x.refunded_minor = 8_000;
                x
            },
            now()
        ));
    }

    #[test]
    fn a_provider_that_reports_no_refunds_leaves_them_standing() {
        let krw = |m| Money::from_minor(m, Currency::Krw).unwrap();
        for (local_status, remote_status) in [
            (Status::PartiallyRefunded, Status::Paid),
            (Status::Refunded, Status::Paid),
            (Status::PartiallyRefunded, Status::Expired),
        ] {
            let mut l = local(local_status);
            l.paid = krw(29_900);
            l.refunded = krw(10_000);
            let r = remote_paid(remote_status, 29_900);
            let (status, _, _) = target_of(&l, &r, now());
            assert_eq!(
                status, local_status,
                "{local_status} seen as {remote_status}"
            );
            assert!(leaves_unchanged(&l, &r, now()));
        }
    }

    fn remote_paid(status: Status, paid: i64) -> RemoteInvoice {
        let mut r = remote(status);
        r.paid_minor = paid;
        r
    }

    #[test]
    fn only_a_payment_number_filled_in_is_a_change() {
        let before = local(Status::Open);
        let mut after = before.clone();
        after.payment_number = Some("1234-5678".into());
        assert!(changed(&before, &after));
        assert!(!changed(&before, &before.clone()));
    }

    #[test]
    fn every_field_a_clerk_sees_counts_as_a_change() {
        let before = local(Status::Open);
        let edits: [fn(&mut Invoice); 6] = [
            |i| i.status = Status::Paid,
            |i| i.flags.underpaid = true,
            |i| i.paid = Money::from_minor(1, Currency::Krw).unwrap(),
            |i| i.provider_id = Some("other".into()),
            |i| i.payment_url = Some("https://pay".into()),
            |i| i.payment_number = Some("1".into()),
        ];
        for edit in edits {
            let mut after = before.clone();
            edit(&mut after);
            assert!(changed(&before, &after), "{after:?}");
        }
        let mut checked = before.clone();
        checked.last_checked_at = Some(now());
        assert!(
            !changed(&before, &checked),
            "a check time alone is no change"
        );
    }

    #[test]
    fn an_open_invoice_past_its_deadline_expires_here() {
        let inv = local(Status::Open);
        let later = inv.expires_at + Duration::seconds(1);
        let (status, _, detail) = target_of(&inv, &remote(Status::Open), later);
        assert_eq!(status, Status::Expired);
        assert!(detail.ends_with("the deadline has passed"), "{detail}");
        let (status, _, detail) = target_of(&inv, &remote(Status::Open), now());
        assert_eq!((status, detail.as_str()), (Status::Open, "portone: ready"));
    }

    #[test]
    fn money_after_expiry_is_paid_late_and_keeps_the_flag() {
        let inv = local(Status::Expired);
        let (status, flags, _) = target_of(&inv, &remote(Status::Paid), now());
        assert_eq!(status, Status::Paid);
        assert!(flags.paid_late);
        let mut paid = local(Status::Paid);
        paid.flags.paid_late = true;
        let (_, flags, _) = target_of(&paid, &remote(Status::Refunded), now());
        assert!(flags.paid_late, "a refund keeps the late flag");
    }

    #[test]
    fn leaves_unchanged_only_when_nothing_would_move() {
        let inv = local(Status::Open);
        assert!(leaves_unchanged(&inv, &remote(Status::Open), now()));
        assert!(!leaves_unchanged(&inv, &remote(Status::Paid), now()));
        let mut numbered = remote(Status::Open);
        numbered.payment_number = Some("1234".into());
        assert!(!leaves_unchanged(&inv, &numbered, now()));
        let mut other_money = remote(Status::Open);
        other_money.currency = Some(Currency::Jpy);
        assert!(!leaves_unchanged(&inv, &other_money, now()));
        assert!(!leaves_unchanged(
            &local(Status::Draft),
            &remote(Status::Open),
            now()
        ));
    }

    #[test]
    fn partial_refunds_that_give_back_everything_are_a_full_refund() {
        use Status::*;
        assert_eq!(refund_settled(PartiallyRefunded, 500, 500), Refunded);
        assert_eq!(
            refund_settled(PartiallyRefunded, 499, 500),
            PartiallyRefunded
        );
        assert_eq!(refund_settled(Refunded, 500, 500), Refunded);
        assert_eq!(refund_settled(Paid, 0, 500), Paid);
        assert_eq!(refund_settled(PartiallyRefunded, 0, 0), PartiallyRefunded);
    }
}
