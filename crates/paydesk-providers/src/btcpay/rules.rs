//! BTCPay's own rules, pure: its statuses in PayDesk's lifecycle, the API-key
//! permissions PayDesk needs, and the webhook signature.

use hmac::{Hmac, Mac};
use paydesk_core::{PaymentFlags, Status};

/// Maps BTCPay's `status` + `additionalStatus` into PayDesk's lifecycle (one row per
/// documented combination that matters; tested row by row).
pub fn map_status(status: &str, additional: &str) -> Option<(Status, PaymentFlags)> {
    let mut flags = PaymentFlags {
        underpaid: additional == "PaidPartial",
        overpaid: additional == "PaidOver",
        paid_late: additional == "PaidLate",
    };
    let known_additional = matches!(
        additional,
        "None" | "PaidLate" | "PaidPartial" | "Marked" | "Invalid" | "PaidOver"
    );
    if !known_additional {
        return None;
    }
    let s = match (status, additional) {
        ("New", _) => Status::Open,
        ("Processing", _) => Status::PaidUnconfirmed,
        ("Settled", _) => Status::Paid,
        // Money seen after the deadline (BTCPay's InvoiceWatcher keeps the invoice
        // Expired and does not wait for its confirmation): a late payment, not yet paid,
        // never a plain expiry. The merchant settles it by marking it.
        ("Expired", "PaidLate" | "PaidOver") => {
            flags.paid_late = true;
            Status::PaidUnconfirmed
        }
        ("Expired", _) => Status::Expired,
        // Marked invalid by the merchant (PayDesk's cancel) is a cancellation.
        ("Invalid", "Marked") => Status::Cancelled,
        // Failed to confirm in time; the merchant may still mark it settled.
        ("Invalid", _) => Status::Failed,
        _ => return None,
    };
    Some((s, flags))
}

/// The store permissions PayDesk uses: see, create and mark invoices; refund them (a pull
/// payment the customer claims).
pub const NEEDED_PERMISSIONS: [&str; 4] = [
    "btcpay.store.canviewinvoices",
    "btcpay.store.cancreateinvoice",
    "btcpay.store.canmodifyinvoices",
    "btcpay.store.cancreatenonapprovedpullpayments",
];

/// Which policies include which (the part of BTCPay Server's `Permission.PolicyMap`
/// that reaches the permissions above).
const INCLUDES: &[(&str, &[&str])] = &[
    (
        "btcpay.store.canmodifystoresettings",
        &[
            "btcpay.store.canmanagepullpayments",
            "btcpay.store.canmodifyinvoices",
            "btcpay.store.canviewstoresettings",
        ],
    ),
    (
        "btcpay.store.canmanagepullpayments",
        &["btcpay.store.cancreatepullpayments"],
    ),
    (
        "btcpay.store.cancreatepullpayments",
        &["btcpay.store.cancreatenonapprovedpullpayments"],
    ),
    (
        "btcpay.store.canmodifyinvoices",
        &[
            "btcpay.store.canviewinvoices",
            "btcpay.store.cancreateinvoice",
        ],
    ),
    (
        "btcpay.store.canviewstoresettings",
        &["btcpay.store.canviewinvoices"],
    ),
];

fn includes(held: &str, wanted: &str) -> bool {
    held == "unrestricted"
        || held == wanted
        || INCLUDES
            .iter()
            .filter(|(p, _)| *p == held)
            .flat_map(|(_, children)| children.iter())
            .any(|c| includes(c, wanted))
}

/// The needed permissions a key with `held` (`policy` or `policy:storeId`, as BTCPay
/// lists them) lacks for `store`.
pub fn missing_permissions(held: &[String], store: &str) -> Vec<&'static str> {
    NEEDED_PERMISSIONS
        .into_iter()
        .filter(|wanted| {
            !held.iter().any(|h| {
                let h = h.trim().to_ascii_lowercase();
                let (policy, scope) = match h.split_once(':') {
                    Some((p, s)) => (p.to_string(), Some(s.to_string())),
                    None => (h, None),
                };
                let in_store = scope.is_none_or(|s| s.eq_ignore_ascii_case(store));
                in_store && includes(&policy, wanted)
            })
        })
        .collect()
}

/// Checks a `BTCPay-Sig: sha256=HEX` webhook signature over the raw body, in constant time.
pub fn verify_webhook(secret: &[u8], body: &[u8], header: &str) -> bool {
    let Some(hex_sig) = header.trim().strip_prefix("sha256=") else {
        return false;
    };
    let Ok(sig) = hex::decode(hex_sig) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(secret) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&sig).is_ok()
}
