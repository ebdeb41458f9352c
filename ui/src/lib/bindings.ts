// Generated from the engine's Rust types by crates/paydesk/tests/bindings.rs (ts-rs).
// Do not edit: change the Rust type, then run `./x bindings`.

export type Status = "draft" | "open" | "paid_unconfirmed" | "paid" | "partially_refunded" | "refunded" | "expired" | "cancelled" | "failed";

/**
 * Who or what caused a change (kept in the audit log).
 */
export type Source = "user" | "sync" | "provider";

/**
 * The providers PayDesk speaks to, by the name each invoice row keeps. What each one
 * can do, needs and is built from is its adapter's `SPEC` in `paydesk-providers`.
 */
export type ProviderKind = "sandbox" | "bootpay" | "portone" | "btcpay" | "pipe" | "bitropay";

export type InvoiceKind = "link" | "cvs";

export type TimelineEvent = "created" | "status" | "delivery" | "error";

export type DeliveryState = "queued" | "sending" | "sent" | "failed" | "unknown";

/**
 * What a provider supports.
 */
export type Capabilities = { links: boolean, cvs: boolean, cancel: boolean, refund: boolean, partial_refund: boolean, 
/**
 * The provider sends the link to the customer itself (`Via::Provider`).
 */
notify_customer: boolean, };

/**
 * What is wrong with one field.
 */
export type InputCode = "invalid" | "empty" | "too_long" | "control_chars" | "negative" | "zero" | "not_a_number" | "too_many_decimals" | "too_large" | "unknown_currency" | "invalid_phone" | "invalid_email" | "past" | "too_soon" | "too_far" | "duration_format" | "instant_format" | "unknown_account" | "tax_free_over_amount" | "exists" | "unsupported" | "no_channel" | "logo" | "refund_over_left";

/**
 * A bad value typed by a person: which field, and what is wrong with it.
 */
export type InputError = { field: string, message: string, 
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
 * The cost class of a text message.
 */
export type SmsClass = "sms" | "lms";

/**
 * Whether a secret is in the keyring; never its value.
 */
export type SecretState = "set" | "missing" | "unknown";

export type CustomerView = { id: string, name: string, phone: string | null, email: string | null, created_at: string, 
/**
 * In the customer book: how many invoices, and what was kept from them per
 * currency as people read it (`₩269,800`).
 */
totals?: CustomerTotals, };

/**
 * A saved customer that a typed phone or e-mail belongs to, and which of the typed
 * fields differ from what is saved (the window asks before they replace it).
 */
export type CustomerMatch = { customer: CustomerView, 
/**
 * `name`, `phone`, `email`: typed differently from the saved customer.
 */
differs: Array<string>, };

export type CustomerTotals = { invoices: number, kept: Array<string>, };

export type TimelineView = { at: string, event: TimelineEvent, status: Status | null, from_status: Status | null, source: Source, detail: string | null, 
/**
 * The refund this entry recorded, as people read it (`₩100,000`).
 */
refund_display: string | null, };

export type Actions = { cancel: boolean, refund: boolean, partial_refund: boolean, 
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
request_rest: boolean, };

export type InvoiceView = { id: string, account: string, provider: ProviderKind, 
/**
 * True for the embedded sandbox: no real money.
 */
sandbox: boolean, provider_id: string | null, order_id: string, kind: InvoiceKind, name: string, 
/**
 * Plain decimal in the major unit (`29900`, `12.34`).
 */
amount: string, currency: string, 
/**
 * The amount in the currency's minor unit (exact: JSON numbers hold 2^53).
 */
amount_minor: number, 
/**
 * As people read it (`₩29,900`).
 */
amount_display: string, tax_free: string, status: Status, paid_late: boolean, underpaid: boolean, overpaid: boolean, paid_amount: string, 
/**
 * The money received as people read it (`₩29,900`).
 */
paid_display: string, 
/**
 * Money given back so far (`0` when none), and as people read it.
 */
refunded_amount: string, refunded_display: string, 
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
rest_link?: string, payment_url: string | null, payment_number: string | null, expires_at: string, 
/**
 * When it was first paid (or seen paid), none before.
 */
paid_at: string | null, created_at: string, updated_at: string, last_checked_at: string | null, last_error: string | null, customer: CustomerView | null, 
/**
 * The language its customer is written to and printed for unless another is chosen
 * (from the customer's phone, else the store's country).
 */
lang: Lang, 
/**
 * What the clerk can do with it now (its state and its provider decide).
 */
actions: Actions, timeline?: Array<TimelineView>, };

export type AccountView = { name: string, provider: ProviderKind, sandbox: boolean, settings: Record<string, unknown>, 
/**
 * What PayDesk can do with this account's provider.
 */
capabilities: Capabilities, 
/**
 * Per secret name only whether it is set: `"set"`, `"missing"` or `"unknown"`
 * (the keyring did not answer). Never a value.
 */
secrets: { [key in string]?: SecretState }, created_at: string, };

export type ListQuery = { status?: Status | null, 
/**
 * Only this customer's invoices (the customer book).
 */
customer?: string | null, 
/**
 * Only invoices created from / to these days (`YYYY-MM-DD`, store's time zone, inclusive).
 */
from?: string | null, to?: string | null, account?: string | null, search?: string | null, limit?: number | null, offset?: number | null, };

/**
 * A new payment link, as typed in the form or on the command line.
 */
export type NewLink = { account: string, name: string, amount: string, currency?: string, tax_free?: string, expires_in?: string, expires_at?: string, customer_id?: string, customer_name?: string, phone?: string, email?: string, order_id?: string, 
/**
 * Send the link to the customer once it exists: `sms`, `alimtalk`, `email`, `provider`.
 */
send?: Array<Via>, 
/**
 * The channel to send through (otherwise the first that can).
 */
channel?: string, 
/**
 * The customer's language for the message (otherwise from the phone number, or ko).
 */
lang?: string, 
/**
 * Also save the typed name, phone and e-mail on the customer they matched (without
 * it the saved customer stays as it was; the link goes to what was typed either way).
 */
update_customer?: boolean, };

export type NewCustomer = { name: string, phone?: string, email?: string, };

/**
 * A new provider account, as typed (validated here).
 */
export type NewAccount = { name: string, provider: ProviderKind, base_url?: string, store_id?: string, channel_key?: string, mode?: string, 
/**
 * The merchant's own page the customer lands on after paying (BitroPay, PIPE).
 */
redirect_url?: string, 
/**
 * The merchant's own server that receives the provider's payment notices (PIPE:
 * under the app URL registered with PIPE; BitroPay).
 */
callback_url?: string, };

/**
 * A new delivery channel, as typed.
 */
export type NewChannel = { name: string, kind: ChannelKind, host?: string, port?: number, 
/**
 * starttls (default, port 587), tls (465) or none (a local relay).
 */
tls?: string, username?: string, 
/**
 * The sender, e.g. "하나상회 <shop@hana.kr>".
 */
from?: string, 
/**
 * A PEM file with a private mail server's certificate authority.
 */
ca_file?: string, base_url?: string, 
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

export type ChannelView = { name: string, kind: ChannelKind, settings: Record<string, unknown>, 
/**
 * Per secret name: `set`, `missing`, or `unknown` (keyring did not answer).
 */
secrets: { [key in string]?: SecretState }, 
/**
 * The ways of sending it offers (`sms`, `alimtalk`, `email`).
 */
vias: Array<Via>, created_at: string, };

/**
 * Send an invoice's link to its customer.
 */
export type SendRequest = { invoice: string, via: Via, channel?: string, to?: string, lang?: string, };

export type DeliveryView = { id: string, invoice_id: string, channel: string, via: Via, to: string, state: DeliveryState, attempts: number, channel_message_id: string | null, error: string | null, created_at: string, updated_at: string, lang: Lang, subject: string | null, body: string | null, };

/**
 * Exactly what a customer will get, before it is sent.
 */
export type MessagePreview = { via: Via, lang: Lang, subject: string | null, text: string, 
/**
 * SMS only: the length in EUC-KR bytes and the cost class (`sms` ≤ 90 bytes, `lms`).
 */
bytes: number | null, class: SmsClass | null, };

/**
 * What one outbox pass did.
 */
export type OutboxReport = { sent: number, failed: number, unknown: number, 
/**
 * Waiting for their link (the invoice is still a draft).
 */
waiting: number, };

/**
 * What kind of problem a sync pass met with one invoice.
 */
export type SyncErrorKind = "unreachable" | "keys" | "invoice" | "local";

export type SyncError = { invoice_id: string, account: string, provider: ProviderKind, kind: SyncErrorKind, message: string, };

export type SyncReport = { checked: number, changed: Array<InvoiceView>, errors: Array<SyncError>, 
/**
 * What the outbox did in the same pass.
 */
outbox: OutboxReport, 
/**
 * The pass itself failed (PayDesk's own fault, never a provider's); the next pass
 * runs as usual.
 */
failure: string | null, };

export type MoneyTotal = { currency: string, count: number, amount: string, amount_display: string, };

export type PeriodTotals = { 
/**
 * `today`, `week` (since Monday) or `month`.
 */
period: "today" | "week" | "month", since: string, 
/**
 * Money received on invoices that became paid in the period, per currency.
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

export type DayCount = { day: string, paid: number, };

export type Attention = { invoice: InvoiceView, 
/**
 * `paid_late`, `underpaid`, `overpaid`, `delivery_failed`, `provider_error`.
 */
reasons: Array<"paid_late" | "underpaid" | "overpaid" | "delivery_failed" | "provider_error">, };

export type DashboardView = { periods: Array<PeriodTotals>, 
/**
 * Invoices paid per day over the last 14 days (days with none included).
 */
daily: Array<DayCount>, attention: Array<Attention>, };

export type AccountForm = { provider: ProviderKind, settings: Array<keyof NewAccount>, secrets: Array<string>, };

export type ChannelForm = { kind: ChannelKind, settings: Array<keyof NewChannel>, secrets: Array<string>, };

/**
 * What the add-account and add-channel forms ask for, per provider and per channel
 * kind: settings (field names of `NewAccount` / `NewChannel`) and the secrets that go
 * to the keyring. The window draws its forms from this.
 */
export type Forms = { accounts: Array<AccountForm>, channels: Array<ChannelForm>, };

/**
 * A convenience-store slip exactly as it prints, for the window's preview: its words
 * in the slip's language and the barcode as SVG (the link's QR code is the detail's).
 */
export type SlipPreview = { title: string, store: string, customer_label: string, customer: string | null, item_label: string, item: string, amount_label: string, amount: string, deadline_label: string, deadline: string, order_label: string, order_id: string | null, number_label: string, payment_number: string, 
/**
 * The number in groups of four, as printed under the barcode.
 */
number_spaced: string, barcode_svg: string, instruction: string, };

/**
 * What the window shows above the invoice list: how many are open now, and the money
 * paid today (the store's day), per currency.
 */
export type ListTotals = { open: number, 
/**
 * Kept today per currency; one zero in the store's currency when nothing was.
 */
paid_today: Array<MoneyTotal>, };

/**
 * The error as the shells print it (`--json` on stderr, and the UI's `invoke` rejections).
 */
export type ErrorView = { kind: "input" | "provider" | "channel" | "keyring" | "internal", field: string | null, fields: Array<InputError>, provider: ProviderKind | null, code: string | null, message: string, };
