// Generated from the engine's Rust types by crates/paydesk/tests/bindings.rs (ts-rs).
// Do not edit: change the Rust type, then run `./x bindings`.

/**
 * Where an invoice stands; [`Status::can_move_to`] is the one rule of which changes are allowed.
 */
export type Status = "draft" | "open" | "paid_unconfirmed" | "paid" | "partially_refunded" | "refunded" | "expired" | "cancelled" | "failed";

/**
 * A column the invoice list can be sorted by.
 */
export type SortBy = "created" | "name" | "customer" | "amount" | "status" | "when";

/**
 * Who or what caused a change (kept in the audit log).
 */
export type Source = "user" | "sync" | "provider";

/**
 * The providers PayDesk speaks to, by the name each invoice row keeps. What each one
 * can do, needs and is built from is its adapter's `SPEC` in `paydesk-providers`.
 */
export type ProviderKind = "sandbox" | "bootpay" | "portone" | "btcpay" | "pipe" | "bitropay";

/**
 * What an invoice is paid with.
 */
export type InvoiceKind = "link" | "cvs";

/**
 * What kind of thing happened to an invoice (one audit entry).
 */
export type TimelineEvent = "created" | "status" | "delivery" | "error";

/**
 * Where a message stands in the outbox.
 */
export type DeliveryState = "queued" | "sending" | "sent" | "failed" | "unknown";

/**
 * What a provider supports.
 */
export type Capabilities = { 
/**
 * Makes payment links.
 */
links: boolean, 
/**
 * Issues convenience-store payment numbers.
 */
cvs: boolean, 
/**
 * Can cancel an unpaid invoice.
 */
cancel: boolean, 
/**
 * Can give money back.
 */
refund: boolean, 
/**
 * Can give back part of a payment.
 */
partial_refund: boolean, 
/**
 * The provider sends the link to the customer itself (`Via::Provider`).
 */
notify_customer: boolean, 
/**
 * A refund is done some time after the provider accepts the request (PIPE): PayDesk
 * counts it once the provider shows it done.
 */
refund_later: boolean, 
/**
 * A convenience-store (cash) payment is given back by bank transfer to the
 * customer's account, which the refund must name (PortOne).
 */
cash_refund_account: boolean, 
/**
 * The provider reports statuses only by calling back (BitroPay has no lookup): a
 * store server receives them, at a callback URL made for each invoice.
 */
status_by_callback: boolean, 
/**
 * The provider can notify a store server of an invoice's change (BTCPay's webhook,
 * PortOne's and PIPE's notices), which PayDesk takes only as "check now".
 */
notices: boolean, };

/**
 * What is wrong with one field.
 */
export type InputCode = "invalid" | "empty" | "too_long" | "control_chars" | "negative" | "zero" | "not_a_number" | "too_many_decimals" | "too_large" | "unknown_currency" | "invalid_phone" | "invalid_email" | "past" | "too_soon" | "too_far" | "duration_format" | "instant_format" | "unknown_account" | "tax_free_over_amount" | "exists" | "unsupported" | "no_channel" | "logo" | "refund_over_left" | "refund_account_needed" | "not_sent" | "not_found" | "not_now" | "busy" | "refund_asked" | "still_payable" | "not_a_web_address" | "not_a_database_address" | "not_a_host" | "not_a_port" | "unencrypted" | "not_a_sender" | "ca_file" | "secret_missing" | "unknown_secret" | "unknown_bank" | "account_number" | "needs_link" | "alimtalk_template" | "no_link" | "wrong_channel" | "needs_recipient" | "has_invoices" | "built_in" | "nothing_to_print" | "check_interval" | "has_money";

/**
 * A bad value typed by a person: which field, and what is wrong with it.
 */
export type InputError = { 
/**
 * The field, as the form or the command line names it.
 */
field: string, 
/**
 * What is wrong with it, in PayDesk's own (English) words.
 */
message: string, 
/**
 * A stable name of what is wrong (`empty`, `too_long`, `too_many_decimals`, …) that a
 * UI translates; `invalid` when nothing more specific applies.
 */
code: InputCode, };

/**
 * A customer's language.
 */
export type Lang = "ko" | "en" | "ja";

/**
 * The kinds of delivery channel a merchant can configure.
 */
export type ChannelKind = "smtp" | "solapi" | "twilio";

/**
 * How a message goes to the customer. `Lms` is an SMS too long for one SMS (Solapi
 * picks it by length); `Provider` is the payment provider's own notification.
 */
export type Via = "sms" | "lms" | "alimtalk" | "email" | "provider";

/**
 * What a message to a customer carries.
 */
export type MessageKind = "link" | "refund_claim";

/**
 * The cost class of a text message.
 */
export type SmsClass = "sms" | "lms";

/**
 * Whether a secret is in the keyring; never its value.
 */
export type SecretState = "set" | "missing" | "unknown";

/**
 * A saved customer, as the window and the command show them.
 */
export type CustomerView = { 
/**
 * PayDesk's id of the customer.
 */
id: string, 
/**
 * Their name.
 */
name: string, 
/**
 * Their phone number (E.164).
 */
phone: string | null, 
/**
 * Their e-mail address.
 */
email: string | null, 
/**
 * When they were first saved.
 */
created_at: string, 
/**
 * In the customer book: how many invoices, and what was kept from them per
 * currency as people read it (`₩269,800`).
 */
totals?: CustomerTotals, };

/**
 * A saved customer that a typed phone or e-mail belongs to, and which of the typed
 * fields differ from what is saved (the window asks before they replace it).
 */
export type CustomerMatch = { 
/**
 * The saved customer.
 */
customer: CustomerView, 
/**
 * `name`, `phone`, `email`: typed differently from the saved customer.
 */
differs: Array<string>, };

/**
 * A customer's invoices, counted.
 */
export type CustomerTotals = { 
/**
 * How many invoices they have.
 */
invoices: number, 
/**
 * What was kept from them, per currency, as people read it.
 */
kept: Array<string>, };

/**
 * One entry of an invoice's history.
 */
export type TimelineView = { 
/**
 * When it happened.
 */
at: string, 
/**
 * What happened.
 */
event: TimelineEvent, 
/**
 * The status after, for a status change.
 */
status: Status | null, 
/**
 * The status before, for a status change.
 */
from_status: Status | null, 
/**
 * Who or what caused it.
 */
source: Source, 
/**
 * PayDesk's record of it, in its own words.
 */
detail: string | null, 
/**
 * The refund this entry recorded, as people read it (`₩100,000`).
 */
refund_display: string | null, };

/**
 * What the clerk can do with an invoice now.
 */
export type Actions = { 
/**
 * Cancel it (nothing paid, the provider allows it).
 */
cancel: boolean, 
/**
 * Give money back.
 */
refund: boolean, 
/**
 * Give back part of it.
 */
partial_refund: boolean, 
/**
 * A convenience-store slip can be printed (open, with a payment number).
 */
slip: boolean, 
/**
 * A one-page invoice PDF can be made (it has a payment link).
 */
invoice_pdf: boolean, 
/**
 * The provider can send the link to the customer itself (a send "by provider").
 */
notify_customer: boolean, 
/**
 * Under-paid and no longer payable: the rest can be asked for with a new link.
 */
request_rest: boolean, 
/**
 * A refund must name the customer's bank account (a cash payment given back by
 * transfer: PortOne's convenience-store payments).
 */
refund_needs_account: boolean, 
/**
 * What a message sends now: a refund's claim link once it can no longer be paid
 * and has one (BTCPay), otherwise the link to pay.
 */
send_what: MessageKind, 
/**
 * The link can be sent again the way it last went (it can still be paid; one never
 * sent is refused with `not_sent`).
 */
resend: boolean, };

/**
 * An invoice as the window and the command show it.
 */
export type InvoiceView = { 
/**
 * PayDesk's id of the invoice.
 */
id: string, 
/**
 * The payment account it was made through.
 */
account: string, 
/**
 * The provider behind that account.
 */
provider: ProviderKind, 
/**
 * True for the embedded sandbox: no real money.
 */
sandbox: boolean, 
/**
 * The provider's id of it, once it has answered.
 */
provider_id: string | null, 
/**
 * The shop's order number.
 */
order_id: string, 
/**
 * A link or a convenience-store number.
 */
kind: InvoiceKind, 
/**
 * What is sold.
 */
name: string, 
/**
 * Plain decimal in the major unit (`29900`, `12.34`).
 */
amount: string, 
/**
 * The currency's code.
 */
currency: string, 
/**
 * The amount in the currency's minor unit (exact: JSON numbers hold 2^53).
 */
amount_minor: number, 
/**
 * As people read it (`₩29,900`).
 */
amount_display: string, 
/**
 * The tax-free part, as a plain decimal.
 */
tax_free: string, 
/**
 * Where it stands.
 */
status: Status, 
/**
 * Paid after the deadline.
 */
paid_late: boolean, 
/**
 * Paid less than was asked.
 */
underpaid: boolean, 
/**
 * Paid more than was asked.
 */
overpaid: boolean, 
/**
 * Money received, as a plain decimal.
 */
paid_amount: string, 
/**
 * The money received as people read it (`₩29,900`).
 */
paid_display: string, 
/**
 * Money given back so far (`0` when none), and as people read it.
 */
refunded_amount: string, 
/**
 * Money given back, as people read it.
 */
refunded_display: string, 
/**
 * What is left of the money received: what can still be refunded, and what the
 * shop keeps (`₩250,000`).
 */
kept_display: string, 
/**
 * What is still owed on an under-paid invoice (`₩9,800`), none otherwise.
 */
due_display: string | null, 
/**
 * The under-paid invoice whose rest this one asks for.
 */
rest_of: string | null, 
/**
 * The newest link asking for this invoice's rest (in one invoice's detail only).
 */
rest_link?: string, 
/**
 * Where the customer claims the newest refund, when the provider does not send the
 * money by itself (BTCPay: the pull payment's page; the clerk copies or sends it).
 */
refund_url: string | null, 
/**
 * A refund asked of a provider that does it later (PIPE), not yet done there, as
 * people read it; none when no refund is waiting.
 */
refund_requested_display: string | null, 
/**
 * The link the customer pays at.
 */
payment_url: string | null, 
/**
 * The convenience-store payment number.
 */
payment_number: string | null, 
/**
 * When it stops being payable.
 */
expires_at: string, 
/**
 * When it was first paid (or seen paid), none before.
 */
paid_at: string | null, 
/**
 * When it was made.
 */
created_at: string, 
/**
 * When anything about it last changed.
 */
updated_at: string, 
/**
 * When the provider was last asked about it.
 */
last_checked_at: string | null, 
/**
 * The last problem sync or a message met with it.
 */
last_error: string | null, 
/**
 * Its saved customer.
 */
customer: CustomerView | null, 
/**
 * The language its customer is written to and printed for unless another is chosen
 * (from the customer's phone, else the store's country).
 */
lang: Lang, 
/**
 * What the clerk can do with it now (its state and its provider decide).
 */
actions: Actions, 
/**
 * Its history, oldest first (in one invoice's detail only).
 */
timeline?: Array<TimelineView>, };

/**
 * A payment account as the window and the command show it.
 */
export type AccountView = { 
/**
 * The merchant's name for it.
 */
name: string, 
/**
 * Its provider.
 */
provider: ProviderKind, 
/**
 * The embedded sandbox: no real money.
 */
sandbox: boolean, 
/**
 * Its settings (never a secret).
 */
settings: Record<string, unknown>, 
/**
 * What PayDesk can do with this account's provider.
 */
capabilities: Capabilities, 
/**
 * Per secret name only whether it is set: `"set"`, `"missing"` or `"unknown"`
 * (the keyring did not answer). Never a value.
 */
secrets: { [key in string]?: SecretState }, 
/**
 * When it was added.
 */
created_at: string, 
/**
 * Where the provider reaches the store server with its notices (BTCPay's webhook,
 * PortOne's notification URL, PIPE's callback URL): to paste at the provider. None
 * without a public URL, or for a provider that sends none.
 */
callback_url: string | null, };

/**
 * Which invoices the list shows, and which page of them.
 */
export type ListQuery = { 
/**
 * Only invoices in this status.
 */
status?: Status | null, 
/**
 * Only this customer's invoices (the customer book).
 */
customer?: string | null, 
/**
 * Only invoices created from / to these days (`YYYY-MM-DD`, store's time zone, inclusive).
 */
from?: string | null, 
/**
 * The last day (see `from`).
 */
to?: string | null, 
/**
 * Only invoices of this payment account.
 */
account?: string | null, 
/**
 * Words, an order number, a phone number or an e-mail to search for.
 */
search?: string | null, 
/**
 * How many to show (50 when not given).
 */
limit?: number | null, 
/**
 * How many to skip.
 */
offset?: number | null, 
/**
 * The page after this invoice (its id, as the last row of the page before shows it),
 * in the list's order; the offset is not used with it.
 */
after?: string | null, 
/**
 * The column to sort by (newest first when not given): `created`, `name`,
 * `customer`, `amount`, `status` or `when`.
 */
sort?: SortBy | null, 
/**
 * Largest, latest or last first (when not given: the column's first direction —
 * newest and largest first, names and statuses from the start).
 */
descending?: boolean | null, };

/**
 * A new payment link, as typed in the form or on the command line.
 */
export type NewLink = { 
/**
 * The payment account to make the link with.
 */
account: string, 
/**
 * What is sold, as the customer will see it.
 */
name: string, 
/**
 * The amount (`29900`, `12.34`).
 */
amount: string, 
/**
 * The currency's code (the store's currency when not given).
 */
currency?: string, 
/**
 * The tax-free part of the amount.
 */
tax_free?: string, 
/**
 * How long the link stays payable (`30m`, `2h`, `3d`; 3 days when not given).
 */
expires_in?: string, 
/**
 * When the link stops being payable, instead of a duration.
 */
expires_at?: string, 
/**
 * A saved customer's id.
 */
customer_id?: string, 
/**
 * The customer's name.
 */
customer_name?: string, 
/**
 * The customer's phone number.
 */
phone?: string, 
/**
 * The customer's e-mail address.
 */
email?: string, 
/**
 * The shop's own order number (PayDesk makes one when not given).
 */
order_id?: string, 
/**
 * Send the link to the customer once it exists: `sms`, `alimtalk`, `email`, `provider`.
 */
send?: Array<Via>, 
/**
 * The channel to send through (otherwise the first that can).
 */
channel?: string, 
/**
 * The message's language (otherwise the customer's: from their phone number, else
 * the store's country).
 */
lang?: string, 
/**
 * Also save the typed name, phone and e-mail on the customer they matched (without
 * it the saved customer stays as it was; the link goes to what was typed either way).
 */
update_customer?: boolean, };

/**
 * A new customer for the customer book, as typed.
 */
export type NewCustomer = { 
/**
 * Their name.
 */
name: string, 
/**
 * Their phone number, as typed.
 */
phone?: string, 
/**
 * Their e-mail address.
 */
email?: string, };

/**
 * A new provider account, as typed (validated here).
 */
export type NewAccount = { 
/**
 * The merchant's name for the account (`a-z0-9-_`).
 */
name: string, 
/**
 * Which provider it is (`bootpay`, `portone`, `btcpay`, `pipe`, `bitropay`).
 */
provider: ProviderKind, 
/**
 * The provider's API address, when not its usual one (BTCPay: the merchant's server).
 */
base_url?: string, 
/**
 * The BTCPay store the key belongs to.
 */
store_id?: string, 
/**
 * The PortOne channel key of the convenience-store channel.
 */
channel_key?: string, 
/**
 * `test` or `live`, where the provider has both.
 */
mode?: string, 
/**
 * The merchant's own page the customer lands on after paying (BitroPay, PIPE).
 */
redirect_url?: string, 
/**
 * The merchant's own server that receives the provider's payment notices (PIPE:
 * under the app URL registered with PIPE; BitroPay).
 */
callback_url?: string, 
/**
 * The public address of this shop's store server (`paydesk serve`: the merchant's
 * own domain, reverse proxy or tunnel), where a provider that only calls back
 * (BitroPay) reports each invoice's statuses.
 */
public_url?: string, };

/**
 * A new delivery channel, as typed.
 */
export type NewChannel = { 
/**
 * The merchant's name for the channel (`a-z0-9-_`).
 */
name: string, 
/**
 * What it sends through: `smtp`, `solapi` or `twilio`.
 */
kind: ChannelKind, 
/**
 * The mail server's host name.
 */
host?: string, 
/**
 * The mail server's port.
 */
port?: number, 
/**
 * starttls (default, port 587), tls (465) or none (a local relay).
 */
tls?: string, 
/**
 * The mail server's user name (its password goes to the keyring).
 */
username?: string, 
/**
 * The sender, e.g. "하나상회 <shop@hana.kr>".
 */
from?: string, 
/**
 * A PEM file with a private mail server's certificate authority.
 */
ca_file?: string, 
/**
 * The service's API address, when not its usual one.
 */
base_url?: string, 
/**
 * The sending number (Solapi: registered sender; Twilio: +1… or MG… service SID).
 */
sender?: string, 
/**
 * KakaoTalk channel id (AlimTalk).
 */
pf_id?: string, 
/**
 * Approved AlimTalk template id.
 */
template_id?: string, 
/**
 * Send an SMS instead when AlimTalk is refused.
 */
alimtalk_fallback?: boolean, };

/**
 * A delivery channel as the window and the command show it.
 */
export type ChannelView = { 
/**
 * The merchant's name for it.
 */
name: string, 
/**
 * What it sends through.
 */
kind: ChannelKind, 
/**
 * Its settings (never a secret).
 */
settings: Record<string, unknown>, 
/**
 * Per secret name: `set`, `missing`, or `unknown` (keyring did not answer).
 */
secrets: { [key in string]?: SecretState }, 
/**
 * The ways of sending it offers (`sms`, `alimtalk`, `email`).
 */
vias: Array<Via>, 
/**
 * Where it sends from, in one line: an SMTP channel's server and sender address,
 * an SMS channel's sender number.
 */
sends_from: string, 
/**
 * When it was added.
 */
created_at: string, };

/**
 * Send an invoice's link to its customer.
 */
export type SendRequest = { 
/**
 * The invoice (its id or order number).
 */
invoice: string, 
/**
 * How: `sms`, `alimtalk`, `email` or `provider`.
 */
via: Via, 
/**
 * The channel to send through (otherwise the first that can).
 */
channel?: string, 
/**
 * The phone number or address (otherwise the customer's).
 */
to?: string, 
/**
 * The language of the message (otherwise the customer's).
 */
lang?: string, 
/**
 * What to send: the link to pay (default), or a refund's claim link.
 */
what?: MessageKind, };

/**
 * A refund, as typed in the detail's refund form or on the command line.
 */
export type RefundInput = { 
/**
 * How much to give back (all that is left when not given).
 */
amount?: string, 
/**
 * The customer's account holder, for a cash payment given back by transfer
 * (PortOne's convenience-store payments).
 */
refund_holder?: string, 
/**
 * Their bank: its three-digit code (004 KB국민은행, 088 신한은행, …) or its name.
 */
refund_bank?: string, 
/**
 * Their account number (never saved: it goes to the provider only).
 */
refund_account?: string, };

/**
 * A message to a customer, as the invoice's history shows it.
 */
export type DeliveryView = { 
/**
 * PayDesk's id of the message.
 */
id: string, 
/**
 * The invoice whose link it carries.
 */
invoice_id: string, 
/**
 * The channel it goes through.
 */
channel: string, 
/**
 * How it reaches the customer.
 */
via: Via, 
/**
 * The phone number or address it goes to.
 */
to: string, 
/**
 * Where it stands.
 */
state: DeliveryState, 
/**
 * How many times sending was tried.
 */
attempts: number, 
/**
 * The channel's id of the sent message.
 */
channel_message_id: string | null, 
/**
 * Why the last try failed.
 */
error: string | null, 
/**
 * When it was queued.
 */
created_at: string, 
/**
 * When it last changed.
 */
updated_at: string, 
/**
 * The language it is written in.
 */
lang: Lang, 
/**
 * The e-mail's subject (e-mail only).
 */
subject: string | null, 
/**
 * The text that was sent.
 */
body: string | null, 
/**
 * What it carries: the link to pay, or a refund's claim link.
 */
kind: MessageKind, };

/**
 * Exactly what a customer will get, before it is sent.
 */
export type MessagePreview = { 
/**
 * How it would go.
 */
via: Via, 
/**
 * The language it is written in.
 */
lang: Lang, 
/**
 * The e-mail's subject (e-mail only).
 */
subject: string | null, 
/**
 * The text, exactly as it would go.
 */
text: string, 
/**
 * SMS only: the length in EUC-KR bytes and the cost class (`sms` ≤ 90 bytes, `lms`).
 */
bytes: number | null, 
/**
 * SMS only: whether it goes as a short or a long message.
 */
class: SmsClass | null, };

/**
 * What one outbox pass did.
 */
export type OutboxReport = { 
/**
 * Messages the channel took.
 */
sent: number, 
/**
 * Messages refused, or given up on.
 */
failed: number, 
/**
 * Messages that may or may not have gone out (the clerk decides).
 */
unknown: number, 
/**
 * Waiting for their link (the invoice is still a draft).
 */
waiting: number, };

/**
 * What kind of problem a sync pass met with one invoice.
 */
export type SyncErrorKind = "unreachable" | "keys" | "invoice" | "local";

/**
 * A problem a sync pass met with one invoice.
 */
export type SyncError = { 
/**
 * The invoice.
 */
invoice_id: string, 
/**
 * Its payment account.
 */
account: string, 
/**
 * Its provider.
 */
provider: ProviderKind, 
/**
 * What kind of problem.
 */
kind: SyncErrorKind, 
/**
 * What went wrong (secrets masked).
 */
message: string, };

/**
 * What one sync pass did.
 */
export type SyncReport = { 
/**
 * How many invoices were asked about.
 */
checked: number, 
/**
 * The invoices that changed.
 */
changed: Array<InvoiceView>, 
/**
 * What went wrong, per invoice.
 */
errors: Array<SyncError>, 
/**
 * What the outbox did in the same pass.
 */
outbox: OutboxReport, 
/**
 * The pass itself failed (PayDesk's own fault, never a provider's); the next pass
 * runs as usual.
 */
failure: string | null, 
/**
 * The pass failed because the store's database did not answer (a shared store out
 * of reach): nothing can be recorded until it does.
 */
store_unreachable: boolean, };

/**
 * Money of one currency, and how many invoices it came from.
 */
export type MoneyTotal = { 
/**
 * The currency's code.
 */
currency: string, 
/**
 * How many invoices.
 */
count: number, 
/**
 * The sum as a plain decimal.
 */
amount: string, 
/**
 * The sum as people read it.
 */
amount_display: string, };

/**
 * The overview's figures for one period.
 */
export type PeriodTotals = { 
/**
 * `today`, `week` (since Monday) or `month`.
 */
period: "today" | "week" | "month", 
/**
 * When the period began (the store's time zone).
 */
since: string, 
/**
 * Money kept (received minus refunded) on invoices paid in the period, per currency.
 */
paid: Array<MoneyTotal>, 
/**
 * Invoices made in the period that are still waiting for the customer.
 */
open: number, 
/**
 * Invoices that expired in the period.
 */
expired: number, };

/**
 * How many invoices were paid on one day.
 */
export type DayCount = { 
/**
 * The day (`YYYY-MM-DD`, the store's time zone).
 */
day: string, 
/**
 * Invoices paid that day.
 */
paid: number, };

/**
 * An invoice the clerk should look at, and why.
 */
export type Attention = { 
/**
 * The invoice.
 */
invoice: InvoiceView, 
/**
 * `paid_late`, `underpaid`, `overpaid`, `delivery_failed`, `provider_error`.
 */
reasons: Array<"paid_late" | "underpaid" | "overpaid" | "delivery_failed" | "provider_error">, };

/**
 * The overview screen: periods, the last 14 days, what needs attention.
 */
export type DashboardView = { 
/**
 * Today, this week, this month.
 */
periods: Array<PeriodTotals>, 
/**
 * Invoices paid per day over the last 14 days (days with none included).
 */
daily: Array<DayCount>, 
/**
 * Invoices that need the clerk (late, short or over paid, a failed message, a provider error).
 */
attention: Array<Attention>, };

/**
 * What adding an account of one provider asks for.
 */
export type AccountForm = { 
/**
 * The provider.
 */
provider: ProviderKind, 
/**
 * The fields it needs.
 */
settings: Array<keyof NewAccount>, 
/**
 * The keys it needs (they go to the keyring).
 */
secrets: Array<string>, };

/**
 * What adding a channel of one kind asks for.
 */
export type ChannelForm = { 
/**
 * The channel kind.
 */
kind: ChannelKind, 
/**
 * The fields it needs.
 */
settings: Array<keyof NewChannel>, 
/**
 * The keys it needs (they go to the keyring).
 */
secrets: Array<string>, };

/**
 * A bank a refund can be sent to.
 */
export type BankOption = { 
/**
 * Its three-digit code.
 */
code: string, 
/**
 * Its name.
 */
name: string, };

/**
 * A column the invoice list sorts by, and the direction its first click sorts in.
 */
export type SortOption = { 
/**
 * The column.
 */
column: SortBy, 
/**
 * Newest and largest first (dates, amounts); names and statuses from the start.
 */
first_descending: boolean, };

/**
 * What the add-account and add-channel forms ask for, per provider and per channel
 * kind: settings (field names of `NewAccount` / `NewChannel`) and the secrets that go
 * to the keyring. The window draws its forms from this.
 */
export type Forms = { 
/**
 * One form per provider.
 */
accounts: Array<AccountForm>, 
/**
 * One form per channel kind.
 */
channels: Array<ChannelForm>, 
/**
 * The banks a refund account can be at (a cash payment's refund).
 */
banks: Array<BankOption>, 
/**
 * The columns the invoice list sorts by.
 */
sorts: Array<SortOption>, };

/**
 * A convenience-store slip exactly as it prints, for the window's preview: its words
 * in the slip's language and the barcode as SVG (the link's QR code is the detail's).
 */
export type SlipPreview = { 
/**
 * The slip's title (편의점 결제 안내, …).
 */
title: string, 
/**
 * The shop's name.
 */
store: string, 
/**
 * The label before the customer's name.
 */
customer_label: string, 
/**
 * The customer's name, if the invoice has one.
 */
customer: string | null, 
/**
 * The label before what is sold.
 */
item_label: string, 
/**
 * What is sold.
 */
item: string, 
/**
 * The label before the amount.
 */
amount_label: string, 
/**
 * The amount as people read it.
 */
amount: string, 
/**
 * The label before the deadline.
 */
deadline_label: string, 
/**
 * The deadline in the store's time zone.
 */
deadline: string, 
/**
 * The label before the order number.
 */
order_label: string, 
/**
 * The shop's order number.
 */
order_id: string | null, 
/**
 * The label before the payment number.
 */
number_label: string, 
/**
 * The payment number the barcode carries.
 */
payment_number: string, 
/**
 * The number in groups of four, as printed under the barcode.
 */
number_spaced: string, 
/**
 * The barcode as an SVG image.
 */
barcode_svg: string, 
/**
 * What the customer does at the counter.
 */
instruction: string, };

/**
 * What the window shows above the invoice list: how many are open now, and the money
 * paid today (the store's day), per currency.
 */
export type ListTotals = { 
/**
 * Invoices open now.
 */
open: number, 
/**
 * Kept today per currency; one zero in the store's currency when nothing was.
 */
paid_today: Array<MoneyTotal>, };

/**
 * Where the store is.
 */
export type StoreLocation = { "backend": "local", 
/**
 * The file.
 */
path: string, } | { "backend": "postgres", 
/**
 * The address without a password (`postgres://user@host:port/db?sslmode=…`).
 */
url: string, };

/**
 * A shared store as the merchant types it (Settings, `paydesk store use/move`).
 */
export type SharedStoreInput = { 
/**
 * `postgres://USER@HOST:PORT/DATABASE` (a password in it is taken out).
 */
address: string, 
/**
 * The database password (kept in the OS keyring), unless in the address or kept.
 */
password?: string, 
/**
 * A CA certificate file to check the server's against (`sslmode=verify-full`).
 */
ca_file?: string, };

/**
 * The store database as Settings shows it.
 */
export type StoreView = { 
/**
 * What the data folder names: used from the next start.
 */
chosen: StoreLocation, 
/**
 * Where this running PayDesk keeps its invoices.
 */
in_use: StoreLocation, 
/**
 * Whether PayDesk must start again to use the chosen one.
 */
restart_needed: boolean, 
/**
 * How many invoices a move just copied.
 */
copied: number | null, };

/**
 * What a copy of an invoice carries over: account, kind, item, amount, currency,
 * tax-free part, customer, and the deadline's length when it is one of the usual ones.
 * Never its order id, its link, its payments or its messages.
 */
export type LinkCopy = { 
/**
 * A payment link or a convenience-store payment number, as the original.
 */
kind: InvoiceKind, 
/**
 * The create form's fields, as the original's.
 */
link: NewLink, };

/**
 * Where "Print" sends a PDF (`print_to`).
 */
export type PrintTo = "viewer" | "printer";

/**
 * What became of a print.
 */
export type PrintOutcome = { 
/**
 * The saved PDF (kept whatever happened to the print).
 */
path: string, 
/**
 * The printer it went to; none when it is for the viewer.
 */
printer: string | null, 
/**
 * The print system's job (CUPS: `counter-12`).
 */
job: string | null, };

/**
 * A printer the print system knows.
 */
export type PrinterView = { 
/**
 * Its name in the print system.
 */
name: string, 
/**
 * Whether it is the system's default printer.
 */
default: boolean, };

/**
 * The error as the shells print it (`--json` on stderr, and the UI's `invoke` rejections).
 */
export type ErrorView = { 
/**
 * `input`, `provider`, `channel`, `printer`, `keyring` or `internal`.
 */
kind: "input" | "provider" | "channel" | "printer" | "keyring" | "internal", 
/**
 * The first field that is wrong (bad input only).
 */
field: string | null, 
/**
 * Every field that is wrong, with its code.
 */
fields: Array<InputError>, 
/**
 * The provider that failed.
 */
provider: ProviderKind | null, 
/**
 * The provider's or the channel's own error code; a printer's reason
 * (`no_print_system`, `no_default_printer`, `unknown_printer`, `refused`).
 */
code: string | null, 
/**
 * What went wrong, in words (secrets masked).
 */
message: string, };
