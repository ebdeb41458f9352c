//! What the engine hands to its shells: the JSON shapes of `../shared/cli.md`.

use std::collections::BTreeMap;

use paydesk_core::{
    format_instant, Customer, Invoice, InvoiceKind, ProviderKind, Source, Status, TimelineEntry,
    TimelineEvent,
};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A saved customer, as the window and the command show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CustomerView {
    /// PayDesk's id of the customer.
    pub id: String,
    /// Their name.
    pub name: String,
    /// Their phone number (E.164).
    pub phone: Option<String>,
    /// Their e-mail address.
    pub email: Option<String>,
    /// When they were first saved.
    pub created_at: String,
    /// In the customer book: how many invoices, and what was kept from them per
    /// currency as people read it (`₩269,800`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[ts(optional)]
    pub totals: Option<CustomerTotals>,
}

/// A customer's invoices, counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CustomerTotals {
    /// How many invoices they have.
    #[ts(type = "number")]
    pub invoices: i64,
    /// What was kept from them, per currency, as people read it.
    pub kept: Vec<String>,
}

/// A saved customer that a typed phone or e-mail belongs to, and which of the typed
/// fields differ from what is saved (the window asks before they replace it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CustomerMatch {
    /// The saved customer.
    pub customer: CustomerView,
    /// `name`, `phone`, `email`: typed differently from the saved customer.
    pub differs: Vec<String>,
}

impl From<&Customer> for CustomerView {
    fn from(c: &Customer) -> Self {
        CustomerView {
            id: c.id.to_string(),
            name: c.name.clone(),
            phone: c
                .phone
                .as_ref()
                .map(|p| paydesk_core::Phone::from_e164(p.clone()).display()),
            email: c.email.clone(),
            created_at: format_instant(c.created_at),
            totals: None,
        }
    }
}

/// One entry of an invoice's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TimelineView {
    /// When it happened.
    pub at: String,
    /// What happened.
    pub event: TimelineEvent,
    /// The status after, for a status change.
    pub status: Option<Status>,
    /// The status before, for a status change.
    pub from_status: Option<Status>,
    /// Who or what caused it.
    pub source: Source,
    /// PayDesk's record of it, in its own words.
    pub detail: Option<String>,
    /// The refund this entry recorded, as people read it (`₩100,000`).
    pub refund_display: Option<String>,
}

impl TimelineView {
    /// An audit entry of an invoice kept in `currency`.
    pub fn new(t: &TimelineEntry, currency: paydesk_core::Currency) -> Self {
        TimelineView {
            at: format_instant(t.at),
            event: t.event,
            status: t.status,
            from_status: t.from_status,
            source: t.source,
            detail: t.detail.clone(),
            refund_display: t
                .refund_minor
                .and_then(|m| paydesk_core::Money::from_minor(m, currency).ok())
                .map(|m| m.to_display()),
        }
    }
}

/// An invoice as the window and the command show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct InvoiceView {
    /// PayDesk's id of the invoice.
    pub id: String,
    /// The payment account it was made through.
    pub account: String,
    /// The provider behind that account.
    pub provider: ProviderKind,
    /// True for the embedded sandbox: no real money.
    pub sandbox: bool,
    /// The provider's id of it, once it has answered.
    pub provider_id: Option<String>,
    /// The shop's order number.
    pub order_id: String,
    /// A link or a convenience-store number.
    pub kind: InvoiceKind,
    /// What is sold.
    pub name: String,
    /// Plain decimal in the major unit (`29900`, `12.34`).
    pub amount: String,
    /// The currency's code.
    pub currency: String,
    /// The amount in the currency's minor unit (exact: JSON numbers hold 2^53).
    #[ts(type = "number")]
    pub amount_minor: i64,
    /// As people read it (`₩29,900`).
    pub amount_display: String,
    /// The tax-free part, as a plain decimal.
    pub tax_free: String,
    /// Where it stands.
    pub status: Status,
    /// Paid after the deadline.
    pub paid_late: bool,
    /// Paid less than was asked.
    pub underpaid: bool,
    /// Paid more than was asked.
    pub overpaid: bool,
    /// Money received, as a plain decimal.
    pub paid_amount: String,
    /// The money received as people read it (`₩29,900`).
    pub paid_display: String,
    /// Money given back so far (`0` when none), and as people read it.
    pub refunded_amount: String,
    /// Money given back, as people read it.
    pub refunded_display: String,
    /// What is left of the money received: what can still be refunded, and what the
    /// shop keeps (`₩250,000`).
    pub kept_display: String,
    /// What is still owed on an under-paid invoice (`₩9,800`), none otherwise.
    pub due_display: Option<String>,
    /// The under-paid invoice whose rest this one asks for.
    pub rest_of: Option<String>,
    /// The newest link asking for this invoice's rest (in one invoice's detail only).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[ts(optional)]
    pub rest_link: Option<String>,
    /// Where the customer claims the newest refund, when the provider does not send the
    /// money by itself (BTCPay: the pull payment's page; the clerk copies or sends it).
    pub refund_url: Option<String>,
    /// A refund asked of a provider that does it later (PIPE), not yet done there, as
    /// people read it; none when no refund is waiting.
    pub refund_requested_display: Option<String>,
    /// The link the customer pays at.
    pub payment_url: Option<String>,
    /// The convenience-store payment number.
    pub payment_number: Option<String>,
    /// When it stops being payable.
    pub expires_at: String,
    /// When it was first paid (or seen paid), none before.
    pub paid_at: Option<String>,
    /// When it was made.
    pub created_at: String,
    /// When anything about it last changed.
    pub updated_at: String,
    /// When the provider was last asked about it.
    pub last_checked_at: Option<String>,
    /// The last problem sync or a message met with it.
    pub last_error: Option<String>,
    /// Its saved customer.
    pub customer: Option<CustomerView>,
    /// The language its customer is written to and printed for unless another is chosen
    /// (from the customer's phone, else the store's country).
    pub lang: paydesk_core::Lang,
    /// What the clerk can do with it now (its state and its provider decide).
    pub actions: Actions,
    /// Its history, oldest first (in one invoice's detail only).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[ts(optional)]
    pub timeline: Option<Vec<TimelineView>>,
}

/// What the clerk can do with an invoice now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
pub struct Actions {
    /// Cancel it (nothing paid, the provider allows it).
    pub cancel: bool,
    /// Give money back.
    pub refund: bool,
    /// Give back part of it.
    pub partial_refund: bool,
    /// A convenience-store slip can be printed (open, with a payment number).
    pub slip: bool,
    /// A one-page invoice PDF can be made (it has a payment link).
    pub invoice_pdf: bool,
    /// The provider can send the link to the customer itself (a send "by provider").
    pub notify_customer: bool,
    /// Under-paid and no longer payable: the rest can be asked for with a new link.
    pub request_rest: bool,
    /// A refund must name the customer's bank account (a cash payment given back by
    /// transfer: PortOne's convenience-store payments).
    pub refund_needs_account: bool,
    /// What a message sends now: a refund's claim link once it can no longer be paid
    /// and has one (BTCPay), otherwise the link to pay.
    pub send_what: paydesk_core::MessageKind,
    /// The link can be sent again the way it last went (it can still be paid; one never
    /// sent is refused with `not_sent`).
    pub resend: bool,
}

impl Actions {
    /// The actions its status and its provider allow.
    pub fn for_invoice(i: &Invoice) -> Self {
        use paydesk_core::Status;
        let caps = paydesk_providers::spec(i.provider).capabilities;
        let refundable = i.refundable();
        Actions {
            // A draft that never reached the provider can always be dropped.
            cancel: i.cancellable() && (caps.cancel || i.provider_id.is_none()),
            refund: refundable && caps.refund,
            partial_refund: refundable && caps.partial_refund,
            slip: i.payment_number.is_some() && matches!(i.status, Status::Open | Status::Draft),
            invoice_pdf: i.payment_url.is_some(),
            notify_customer: caps.notify_customer
                && matches!(i.status, Status::Open | Status::Draft),
            request_rest: i.rest_to_ask().is_some(),
            send_what: if i.refund_url.is_some() && !i.may_still_be_paid() {
                paydesk_core::MessageKind::RefundClaim
            } else {
                paydesk_core::MessageKind::Link
            },
            refund_needs_account: refundable
                && caps.cash_refund_account
                && i.kind == paydesk_core::InvoiceKind::Cvs,
            resend: matches!(i.status, Status::Open | Status::Draft),
        }
    }
}

impl InvoiceView {
    /// The invoice's view, with its customer, history and the store's country.
    pub fn new(
        i: &Invoice,
        customer: Option<&Customer>,
        timeline: Option<&[TimelineEntry]>,
        store: paydesk_core::Country,
    ) -> Self {
        InvoiceView {
            id: i.id.to_string(),
            account: i.account.clone(),
            provider: i.provider,
            sandbox: i.provider == paydesk_core::ProviderKind::Sandbox,
            provider_id: i.provider_id.clone(),
            order_id: i.order_id.to_string(),
            kind: i.kind,
            name: i.name.clone(),
            amount: i.amount.to_plain(),
            currency: i.amount.currency().code().to_string(),
            amount_minor: i.amount.minor(),
            amount_display: i.amount.to_display(),
            tax_free: i.tax_free.to_plain(),
            status: i.status,
            paid_late: i.flags.paid_late,
            underpaid: i.flags.underpaid,
            overpaid: i.flags.overpaid,
            paid_amount: i.paid.to_plain(),
            paid_display: i.paid.to_display(),
            refunded_amount: i.refunded.to_plain(),
            refunded_display: i.refunded.to_display(),
            kept_display: i.kept().to_display(),
            due_display: i.due().map(|m| m.to_display()),
            rest_of: i.rest_of.as_ref().map(|r| r.to_string()),
            rest_link: None,
            refund_url: i.refund_url.clone(),
            refund_requested_display: (!i.refund_requested.is_zero())
                .then(|| i.refund_requested.to_display()),
            payment_url: i.payment_url.clone(),
            payment_number: i.payment_number.clone(),
            expires_at: format_instant(i.expires_at),
            paid_at: i.paid_at.map(format_instant),
            created_at: format_instant(i.created_at),
            updated_at: format_instant(i.updated_at),
            last_checked_at: i.last_checked_at.map(format_instant),
            last_error: i.last_error.clone(),
            customer: customer.map(CustomerView::from),
            lang: paydesk_core::Lang::for_customer(
                customer.and_then(|c| c.phone.as_deref()),
                store,
            ),
            actions: Actions::for_invoice(i),
            timeline: timeline.map(|t| {
                t.iter()
                    .map(|e| TimelineView::new(e, i.amount.currency()))
                    .collect()
            }),
        }
    }
}

/// A payment account as the window and the command show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AccountView {
    /// The merchant's name for it.
    pub name: String,
    /// Its provider.
    pub provider: ProviderKind,
    /// The embedded sandbox: no real money.
    pub sandbox: bool,
    /// Its settings (never a secret).
    #[ts(type = "Record<string, unknown>")]
    pub settings: serde_json::Map<String, serde_json::Value>,
    /// What PayDesk can do with this account's provider.
    pub capabilities: paydesk_core::Capabilities,
    /// Per secret name only whether it is set: `"set"`, `"missing"` or `"unknown"`
    /// (the keyring did not answer). Never a value.
    pub secrets: BTreeMap<String, SecretState>,
    /// When it was added.
    pub created_at: String,
    /// Where the provider reaches the store server with its notices (BTCPay's webhook,
    /// PortOne's notification URL, PIPE's callback URL): to paste at the provider. None
    /// without a public URL, or for a provider that sends none.
    pub callback_url: Option<String>,
}

/// Whether a secret is in the keyring; never its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum SecretState {
    /// In the keyring.
    Set,
    /// Not in the keyring.
    Missing,
    /// The keyring did not answer.
    Unknown,
}

impl SecretState {
    /// The state's name (`set`, `missing`, `unknown`).
    pub fn as_str(self) -> &'static str {
        match self {
            SecretState::Set => "set",
            SecretState::Missing => "missing",
            SecretState::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for SecretState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the add-account and add-channel forms ask for, per provider and per channel
/// kind: settings (field names of `NewAccount` / `NewChannel`) and the secrets that go
/// to the keyring. The window draws its forms from this.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Forms {
    /// One form per provider.
    pub accounts: Vec<AccountForm>,
    /// One form per channel kind.
    pub channels: Vec<ChannelForm>,
    /// The banks a refund account can be at (a cash payment's refund).
    pub banks: Vec<BankOption>,
    /// The columns the invoice list sorts by.
    pub sorts: Vec<SortOption>,
}

/// A column the invoice list sorts by, and the direction its first click sorts in.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SortOption {
    /// The column.
    pub column: paydesk_core::SortBy,
    /// Newest and largest first (dates, amounts); names and statuses from the start.
    pub first_descending: bool,
}

/// A bank a refund can be sent to.
#[derive(Debug, Clone, Serialize, TS)]
pub struct BankOption {
    /// Its three-digit code.
    pub code: &'static str,
    /// Its name.
    pub name: &'static str,
}

/// What adding an account of one provider asks for.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AccountForm {
    /// The provider.
    pub provider: paydesk_core::ProviderKind,
    /// The fields it needs.
    #[ts(type = "Array<keyof NewAccount>")]
    pub settings: Vec<&'static str>,
    /// The keys it needs (they go to the keyring).
    #[ts(type = "Array<string>")]
    pub secrets: Vec<&'static str>,
}

/// What adding a channel of one kind asks for.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ChannelForm {
    /// The channel kind.
    pub kind: paydesk_notify::ChannelKind,
    /// The fields it needs.
    #[ts(type = "Array<keyof NewChannel>")]
    pub settings: Vec<&'static str>,
    /// The keys it needs (they go to the keyring).
    #[ts(type = "Array<string>")]
    pub secrets: Vec<&'static str>,
}

impl Forms {
    /// Every provider a merchant can add (the sandbox is always there) and every channel kind.
    pub fn all() -> Self {
        use paydesk_core::ProviderKind;
        use paydesk_notify::ChannelKind;
        Forms {
            accounts: paydesk_providers::PROVIDERS
                .iter()
                .filter(|p| p.kind != ProviderKind::Sandbox)
                .map(|p| AccountForm {
                    provider: p.kind,
                    settings: p.settings.to_vec(),
                    secrets: p.secrets.to_vec(),
                })
                .collect(),
            channels: ChannelKind::ALL
                .into_iter()
                .map(|k| ChannelForm {
                    kind: k,
                    settings: k.setting_names().to_vec(),
                    secrets: k.secret_names().to_vec(),
                })
                .collect(),
            banks: paydesk_core::KOREAN_BANKS
                .iter()
                .map(|&(code, name)| BankOption { code, name })
                .collect(),
            sorts: paydesk_core::SortBy::ALL
                .into_iter()
                .map(|column| SortOption {
                    column,
                    first_descending: column.first_descending(),
                })
                .collect(),
        }
    }
}

/// What one sync pass did.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct SyncReport {
    /// How many invoices were asked about.
    #[ts(type = "number")]
    pub checked: usize,
    /// The invoices that changed.
    pub changed: Vec<InvoiceView>,
    /// What went wrong, per invoice.
    pub errors: Vec<SyncError>,
    /// What the outbox did in the same pass.
    #[serde(default)]
    pub outbox: crate::OutboxReport,
    /// The pass itself failed (PayDesk's own fault, never a provider's); the next pass
    /// runs as usual.
    #[serde(default)]
    pub failure: Option<String>,
    /// The pass failed because the store's database did not answer (a shared store out
    /// of reach): nothing can be recorded until it does.
    #[serde(default)]
    pub store_unreachable: bool,
}

/// What kind of problem a sync pass met with one invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SyncErrorKind {
    /// No answer: the invoice's status may be stale.
    Unreachable,
    /// The provider refused the account's keys (or they are not in the keyring).
    Keys,
    /// Something about this one invoice.
    Invoice,
    /// PayDesk's own database failed; the provider is not to blame.
    Local,
}

/// A problem a sync pass met with one invoice.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SyncError {
    /// The invoice.
    pub invoice_id: String,
    /// Its payment account.
    pub account: String,
    /// Its provider.
    pub provider: paydesk_core::ProviderKind,
    /// What kind of problem.
    pub kind: SyncErrorKind,
    /// What went wrong (secrets masked).
    pub message: String,
}

/// The sandbox's own record of a payment (what its page shows).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SandboxPaymentView {
    /// The sandbox's id of the payment.
    pub id: String,
    /// The order id it was made for.
    pub order_id: String,
    /// `waiting`, `partial`, `paid`, `expired`, `cancelled`, `partially_refunded` or `refunded`.
    pub state: String,
    /// The amount asked, as a plain decimal.
    pub amount: String,
    /// The amount paid so far.
    pub paid_amount: String,
    /// The currency's code.
    pub currency: String,
    /// Paid after the deadline.
    pub late: bool,
    /// When it stops being payable.
    pub expires_at: String,
}

/// The desktop notification for an invoice sync found paid ("₩29,900 결제 완료 · 김민준 ·
/// 테스트 상품"), or `None` when it is not a payment worth telling the clerk about.
pub fn paid_notice(v: &InvoiceView) -> Option<String> {
    if !matches!(v.status, Status::Paid | Status::PaidUnconfirmed) {
        return None;
    }
    let mut text = format!("{} 결제 완료", v.amount_display);
    if let Some(c) = &v.customer {
        text.push_str(&format!(" · {}", c.name));
    }
    text.push_str(&format!(" · {}", v.name));
    if v.paid_late {
        text.push_str(" (기한 후 입금)");
    } else if v.underpaid {
        text.push_str(" (덜 받음)");
    } else if v.overpaid {
        text.push_str(" (더 받음)");
    }
    Some(text)
}
