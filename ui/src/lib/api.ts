// Typed wrappers over the backend's Tauri commands and events: the only way the UI
// talks to the engine.
import { invoke } from '@tauri-apps/api/core';
import { shop } from './shop.svelte';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';

import type {
  AccountView, ChannelView, CustomerMatch, CustomerView, DashboardView, DeliveryView, ErrorView, Forms, InputCode, InputError, InvoiceView,
  LinkCopy, ListQuery, ListTotals, MessageKind, MessagePreview, MoneyTotal, NewAccount, NewChannel, NewCustomer, NewLink, PrintOutcome, PrinterView, ProviderKind, RefundInput, SendRequest, SlipPreview, Status,
  SharedStoreInput, StoreView, SyncError, SyncReport, TimelineView, Via,
} from './bindings';

// The shapes are the engine's own, generated from its Rust types (./bindings.ts); the
// names below are the ones the window's code reads best with.
export type {
  AccountForm, BankOption, Capabilities, MessageKind, CustomerMatch, ChannelForm, ChannelKind, Forms, LinkCopy, ListQuery, ListTotals, MessagePreview, MoneyTotal, NewAccount, NewChannel, NewCustomer, NewLink,
  PeriodTotals, PrintOutcome, PrinterView, PrintTo, ProviderKind, SendRequest, SharedStoreInput, SlipPreview, SortBy, SortOption, Status, StoreLocation, StoreView, SyncReport, Via,
} from './bindings';
export type Invoice = InvoiceView;
/** What the list does to one row or a selection at once. */
export type BulkAction = 'resend' | 'print' | 'cancel';
export type Customer = CustomerView;
export type TimelineEntry = TimelineView;
export type Account = AccountView;
export type Channel = ChannelView;
export type Delivery = DeliveryView;
export type Dashboard = DashboardView;
export type SyncProblem = SyncError;
export type FieldError = InputError;
export type AppError = ErrorView;

export const STATUSES: Status[] = [
  'draft', 'open', 'paid_unconfirmed', 'paid', 'partially_refunded', 'refunded', 'expired', 'cancelled', 'failed',
];

/** Money in every currency, as people read it (`₩29,900 · $12.00`), `–` for none. */
export function moneyLine(paid: MoneyTotal[]): string {
  return paid.length ? paid.map((m) => m.amount_display).join(' · ') : '–';
}

/** The text key of a reason an invoice needs the clerk: a payment flag has the same
 * words as its badge in the list, so one reason is never named two ways. */
export function reasonKey(reason: string): string {
  return ['paid_late', 'underpaid', 'overpaid'].includes(reason) ? 'flag.' + reason : 'dashboard.reason.' + reason;
}

/** Bar heights (0–100) for the daily chart, scaled to the busiest day. */
export function barHeights(daily: { paid: number }[]): number[] {
  const max = Math.max(1, ...daily.map((d) => d.paid));
  return daily.map((d) => Math.round((d.paid / max) * 100));
}

/** Whatever a command rejected with, as an AppError. */
export function asError(e: unknown): AppError {
  if (e && typeof e === 'object' && 'kind' in e && 'message' in e) {
    const a = e as Partial<AppError>;
    return {
      kind: a.kind ?? 'internal', field: a.field ?? null, fields: a.fields ?? [],
      provider: a.provider ?? null, code: a.code ?? null, message: String(a.message),
    };
  }
  return { kind: 'internal', field: null, fields: [], provider: null, code: null, message: String(e) };
}

/** Field name → message, for showing each error next to its field: the backend's
 * code in the clerk's language where there is a text for it, its own words otherwise. */
export function fieldErrors(e: AppError, translate?: (code: InputCode, message: string) => string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of e.fields) {
    if (f.field in out) continue;
    out[f.field] = translate?.(f.code, f.message) || f.message;
  }
  return out;
}

/** The translator `fieldErrors` takes, from the window's `t`: the code's text in the
 * clerk's language (with the store's phone example), none where there is no text. */
export function inWords(t: (k: string, p?: Record<string, string>) => string): (code: InputCode, message: string) => string | null {
  return (code, message) => {
    const key = 'error.input.' + code;
    const text = t(key, { message, example: shop.phoneExample });
    return text === key ? null : text;
  };
}

/** One error as one line in the clerk's words: its first field's code where there is a
 * text for it, the engine's own words otherwise. */
export function errorLine(e: AppError, t: (k: string, p?: Record<string, string>) => string): string {
  const f = e.fields[0];
  return (f && inWords(t)(f.code, f.message)) || f?.message || e.message;
}

/** Any failure as a line in the clerk's language: bad input by its code, a provider's or
 * channel's refusal framed in the window's words around their own text (which PayDesk
 * cannot translate), never the engine's bare English. */
export function errorText(e: unknown, t: (k: string, p?: Record<string, string>) => string): string {
  const a = asError(e);
  if (a.kind === 'input' && a.fields.length) return errorLine(a, t);
  const key = a.kind === 'input' ? 'error.generic' : a.kind === 'printer' ? 'error.printer.' + (a.code ?? 'refused') : 'error.' + a.kind;
  return t(key, { message: a.message, provider: a.provider ?? '' });
}

/** What became of a print, in the clerk's words: sent to a printer, or saved and opened. */
export function printedText(out: PrintOutcome, t: (k: string, p?: Record<string, string>) => string): string {
  return out.printer ? t('print.sent', { printer: out.printer, path: out.path }) : t('print.saved', { path: out.path });
}

/** Milliseconds from the page's start to the script, the mount and the first list. */
function pagePhases(): string {
  const at = (name: string) => Math.round(performance.getEntriesByName(name)[0]?.startTime ?? -1);
  return `script=${at('paydesk-script')} mounted=${at('paydesk-mounted')} list_loaded=${at('paydesk-list-loaded')}; ${firstCalls.join(', ')}`;
}

/** Start and end (ms from page start) of each command's first call, for the start-up log. */
const firstCalls: string[] = [];

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  const started = performance.now();
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw asError(e);
  } finally {
    if (firstCalls.length < 12 && !firstCalls.some((c) => c.startsWith(cmd + ' '))) {
      firstCalls.push(`${cmd} ${Math.round(started)}-${Math.round(performance.now())}`);
    }
  }
}

export const api = {
  listInvoices: (query: ListQuery) => call<Invoice[]>('list_invoices', { query }),
  countInvoices: (query: ListQuery) => call<number>('count_invoices', { query }),
  getInvoice: (id: string) => call<Invoice>('get_invoice', { id }),
  createLink: (link: NewLink) => call<Invoice>('create_link', { link }),
  issueCvs: (link: NewLink) => call<Invoice>('issue_cvs', { link }),
  dashboard: () => call<Dashboard>('dashboard'),
  /** How many invoices are open and what was paid today (the line above the list). */
  listTotals: () => call<ListTotals>('list_totals'),
  diagnostics: () => call<string>('diagnostics'),
  invoiceQr: (id: string) => call<string>('invoice_qr', { id }),
  /** A convenience-store slip exactly as it prints, in the clerk's language. */
  slipPreview: (id: string, lang: string) => call<SlipPreview>('slip_preview', { id, lang }),
  exportCsv: (lang: string) => call<string>('export_csv', { lang }),
  listCustomers: (search?: string) => call<Customer[]>('list_customers', { search: search || null }),
  requestRest: (id: string) => call<Invoice>('request_rest', { id }),
  duplicateForm: (id: string) => call<LinkCopy>('duplicate_form', { id }),
  matchCustomer: (link: NewLink) => call<CustomerMatch | null>('match_customer', { link }),
  addCustomer: (customer: NewCustomer) => call<Customer>('add_customer', { customer }),
  cancelLink: (id: string) => call<Invoice>('cancel_link', { id }),
  /** A refund: all that is left, or `refund.amount`; a cash payment names the customer's account. */
  refundLink: (id: string, refund: RefundInput = {}) => call<Invoice>('refund_link', { id, refund }),
  listAccounts: () => call<Account[]>('list_accounts'),
  /** What the add-account and add-channel forms ask for, per provider and channel kind. */
  forms: () => call<Forms>('forms'),
  /** Keeps the store's logo (the file's bytes, base64); refused with field `logo` if it is not a small PNG/JPEG. */
  setLogo: (data: string) => call<void>('set_logo', { data }),
  removeLogo: () => call<void>('remove_logo'),
  storeLogo: () => call<string | null>('store_logo'),
  syncNow: () => call<SyncReport>('sync_now'),
  /** Saves the slips (every open one when `ids` is empty) and prints them as Settings say. */
  printSlips: (ids: string[]) => call<PrintOutcome>('print_slips', { ids }),
  printInvoice: (id: string) => call<PrintOutcome>('print_invoice', { id }),
  listPrinters: () => call<PrinterView[]>('list_printers'),
  appInfo: () => call<{ version: string; data_dir: string }>('app_info'),
  openDataFolder: () => call<string>('open_data_folder'),
  storeView: () => call<StoreView>('store_view'),
  useSharedStore: (input: SharedStoreInput) => call<StoreView>('use_shared_store', { input }),
  moveToSharedStore: (input: SharedStoreInput) => call<StoreView>('move_to_shared_store', { input }),
  useLocalStore: () => call<StoreView>('use_local_store'),
  restartApp: () => call<void>('restart_app'),
  /** Tells the app the list is on screen: background sync starts after it. */
  listShown: () => call<void>('list_shown', { pageMs: performance.now(), pagePhases: pagePhases() }),
  listChannels: () => call<Channel[]>('list_channels'),
  getSettings: () => call<Record<string, string>>('get_settings'),
  setSetting: (key: string, value: string) => call<void>('set_setting', { key, value }),
  addChannel: (channel: NewChannel, secrets: Record<string, string>) => call<Channel>('add_channel', { channel, secrets }),
  /** Changes a channel's settings; secrets left empty are kept. */
  editChannel: (channel: NewChannel, secrets: Record<string, string>) => call<Channel>('edit_channel', { channel, secrets }),
  testChannel: (name: string, to?: string) => call<string>('test_channel', { name, to: to || null }),
  removeChannel: (name: string) => call<void>('remove_channel', { name }),
  addAccount: (account: NewAccount, secrets: Record<string, string>) => call<Account>('add_account', { account, secrets }),
  testAccount: (name: string) => call<string>('test_account', { name }),
  removeAccount: (name: string) => call<void>('remove_account', { name }),
  previewMessage: (id: string, via: Via, lang?: string, what: MessageKind = 'link') => call<MessagePreview>('preview_message', { id, via, lang, what }),
  previewNewLink: (link: NewLink, via: Via) => call<MessagePreview>('preview_new_link', { link, via }),
  previewTemplate: (lang: string, part: string, text: string) => call<MessagePreview>('preview_template', { lang, part, text }),
  sendLink: (request: SendRequest) => call<Delivery>('send_link', { request }),
  /** Sends a link again the way it last went. */
  resendLink: (id: string) => call<Delivery>('resend_link', { id }),
  listDeliveries: (id: string) => call<Delivery[]>('list_deliveries', { id }),
};

/** The ways an invoice's link can be sent: what the configured channels offer, plus the
 * provider's own notification where the engine says the provider sends links itself
 * (`capabilities.notify_customer`). */
export function sendWays(channels: Channel[], byProvider: boolean, status: Status, what: MessageKind = 'link'): Via[] {
  // A refund's claim link goes by SMS or e-mail (AlimTalk needs its own approved template).
  if (what === 'refund_claim') {
    const offered = new Set<Via>(channels.flatMap((c) => c.vias));
    return (['sms', 'email'] as Via[]).filter((v) => offered.has(v));
  }
  if (status !== 'open' && status !== 'draft') return [];
  const order: Via[] = ['sms', 'alimtalk', 'email', 'provider'];
  const offered = new Set<Via>(channels.flatMap((c) => c.vias));
  if (byProvider) offered.add('provider');
  return order.filter((v) => offered.has(v));
}

/** Who a message goes to by default: the customer's e-mail for e-mail, phone otherwise. */
export function defaultRecipient(invoice: Pick<Invoice, 'customer'>, via: Via): string {
  const c = invoice.customer;
  if (!c) return '';
  return (via === 'email' ? c.email : c.phone) ?? '';
}

/** Which rows of a fixed-row-height list are in view (with a margin), for rendering
 * only those: `[start, end)` of `count` rows. */
export function visibleRange(scrollTop: number, height: number, row: number, count: number, margin = 15): { start: number; end: number } {
  const first = Math.floor(Math.max(0, scrollTop) / row);
  const start = Math.max(0, first - margin);
  const end = Math.min(count, first + Math.ceil(Math.max(height, row) / row) + margin);
  return { start, end: Math.max(start, end) };
}

/** The accounts that can make payment links (the capability matrix comes from the backend). */
export function linkAccounts(accounts: Account[]): Account[] {
  return accounts.filter((a) => a.capabilities?.links);
}

/** The accounts that can issue convenience-store payment numbers. */
export function cvsAccounts(accounts: Account[]): Account[] {
  return accounts.filter((a) => a.capabilities?.cvs);
}

/** Calls `cb` with every invoice the engine changes (created, synced, cancelled). */
export function onInvoiceChanged(cb: (inv: Invoice) => void): Promise<UnlistenFn> {
  return listen<Invoice>('invoice-changed', (e) => cb(e.payload));
}

/** Calls `cb` with the result of every background sync pass. */
export function onSyncReport(cb: (r: SyncReport) => void): Promise<UnlistenFn> {
  return listen<SyncReport>('sync-report', (e) => cb(e.payload));
}

/** The account-wide problems of a sync pass (unreachable provider, rejected keys), one
 * per account and kind; problems with single invoices stay on those invoices. */
export function providerProblems(r: SyncReport): SyncProblem[] {
  const seen = new Set<string>();
  return r.errors.filter((e) => {
    if (e.kind === 'invoice') return false;
    const key = `${e.account}/${e.kind}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A file's bytes as standard base64 (how a picked logo travels to the backend). */
export async function fileToBase64(file: Blob): Promise<string> {
  return bytesToBase64(new Uint8Array(await file.arrayBuffer()));
}

/** Standard base64 (RFC 4648) of `bytes`, in chunks so large files do not overflow the call stack. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
