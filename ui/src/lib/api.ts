// Typed wrappers over the backend's Tauri commands and events: the only way the UI
// talks to the engine.
import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';

export type Status =
  | 'draft' | 'open' | 'paid_unconfirmed' | 'paid' | 'partially_refunded'
  | 'refunded' | 'expired' | 'cancelled' | 'failed';

export const STATUSES: Status[] = [
  'draft', 'open', 'paid_unconfirmed', 'paid', 'partially_refunded', 'refunded', 'expired', 'cancelled', 'failed',
];

export interface Customer { id: string; name: string; phone: string | null; email: string | null; created_at: string }

export interface TimelineEntry {
  at: string; event: 'created' | 'status' | 'delivery' | 'error';
  status: Status | null; from_status: Status | null; source: 'user' | 'sync' | 'provider'; detail: string | null;
}

export interface Invoice {
  id: string; account: string; provider: string; sandbox: boolean; provider_id: string | null; order_id: string;
  kind: 'link' | 'cvs'; name: string; amount: string; currency: string; amount_minor: number; amount_display: string;
  tax_free: string; status: Status; paid_late: boolean; underpaid: boolean; overpaid: boolean; paid_amount: string;
  payment_url: string | null; payment_number: string | null; expires_at: string; created_at: string; updated_at: string;
  last_checked_at: string | null; last_error: string | null; customer: Customer | null; timeline?: TimelineEntry[];
  actions: { cancel: boolean; refund: boolean; partial_refund: boolean; slip: boolean; invoice_pdf: boolean };
}

export interface Capabilities { links: boolean; cvs: boolean; cancel: boolean; refund: boolean; partial_refund: boolean }

export interface Account {
  name: string; provider: string; sandbox: boolean; settings: Record<string, unknown>; capabilities: Capabilities;
  secrets: Record<string, 'set' | 'missing' | 'unknown'>; created_at: string;
}

export interface ListQuery {
  status?: string | null; account?: string | null; customer?: string | null; search?: string | null;
  from?: string | null; to?: string | null; limit?: number; offset?: number;
}

export interface NewLink {
  account: string; name: string; amount: string; currency?: string; tax_free?: string;
  expires_in?: string; expires_at?: string; customer_name?: string; phone?: string; email?: string;
  customer_id?: string; send?: Via[]; lang?: string;
}

export interface MoneyTotal { currency: string; count: number; amount: string; amount_display: string }
export interface PeriodTotals { period: 'today' | 'week' | 'month'; since: string; paid: MoneyTotal[]; open: number; expired: number }
export interface Dashboard {
  periods: PeriodTotals[]; daily: { day: string; paid: number }[];
  attention: { invoice: Invoice; reasons: string[] }[];
}

/** Bar heights (0–100) for the daily chart, scaled to the busiest day. */
export function barHeights(daily: { paid: number }[]): number[] {
  const max = Math.max(1, ...daily.map((d) => d.paid));
  return daily.map((d) => Math.round((d.paid / max) * 100));
}

export interface NewCustomer { name: string; phone?: string; email?: string }

export type Via = 'sms' | 'alimtalk' | 'email' | 'provider';

export interface Channel {
  name: string; kind: 'smtp' | 'solapi' | 'twilio'; settings: Record<string, unknown>;
  secrets: Record<string, 'set' | 'missing' | 'unknown'>; vias: Via[]; created_at: string;
}

export interface NewChannel {
  name: string; kind: Channel['kind']; host?: string; port?: number; tls?: string; username?: string; from?: string;
  base_url?: string; sender?: string; pf_id?: string; template_id?: string; alimtalk_fallback?: boolean;
}

/** The fields of the add-channel form for each kind, and the secrets it keeps in the keyring. */
export const CHANNEL_FORMS: Record<Channel['kind'], { fields: (keyof NewChannel)[]; secrets: string[] }> = {
  smtp: { fields: ['host', 'port', 'tls', 'username', 'from'], secrets: ['password'] },
  solapi: { fields: ['sender', 'pf_id', 'template_id', 'alimtalk_fallback'], secrets: ['api_key', 'api_secret'] },
  twilio: { fields: ['sender'], secrets: ['account_sid', 'auth_token'] },
};

export type ProviderKind = 'bootpay' | 'portone' | 'btcpay' | 'pipe' | 'bitropay';

export interface NewAccount {
  name: string; provider: ProviderKind; base_url?: string; store_id?: string; channel_key?: string; mode?: string;
}

/** The add-account form for each provider: its settings, and the keys kept in the keyring. */
export const ACCOUNT_FORMS: Record<ProviderKind, { fields: (keyof NewAccount)[]; secrets: string[] }> = {
  bootpay: { fields: ['base_url'], secrets: ['client_key', 'secret_key'] },
  portone: { fields: ['channel_key', 'base_url'], secrets: ['imp_key', 'imp_secret'] },
  btcpay: { fields: ['base_url', 'store_id'], secrets: ['api_key'] },
  pipe: { fields: ['base_url'], secrets: ['api_key'] },
  bitropay: { fields: ['base_url'], secrets: ['api_key'] },
};

export interface Delivery {
  id: string; invoice_id: string; channel: string; via: Via | 'lms'; to: string;
  state: 'queued' | 'sending' | 'sent' | 'failed' | 'unknown'; attempts: number;
  channel_message_id: string | null; error: string | null; created_at: string; updated_at: string;
  lang: string; subject: string | null; body: string | null;
}

export interface MessagePreview {
  via: Via; lang: string; subject: string | null; text: string; bytes: number | null; class: 'sms' | 'lms' | null;
}

export interface SendRequest { invoice: string; via: Via; channel?: string; to?: string; lang?: string }

export interface SyncProblem { invoice_id: string; account: string; provider: string; kind: 'unreachable' | 'keys' | 'invoice'; message: string }
export interface SyncReport { checked: number; changed: Invoice[]; errors: SyncProblem[] }

export interface FieldError { field: string; message: string; code?: string }
export interface AppError {
  kind: 'input' | 'provider' | 'channel' | 'keyring' | 'internal'; field: string | null; fields: FieldError[];
  provider: string | null; code: string | null; message: string;
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
export function fieldErrors(e: AppError, translate?: (code: string) => string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of e.fields) {
    if (f.field in out) continue;
    out[f.field] = (f.code && translate?.(f.code)) || f.message;
  }
  return out;
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
  diagnostics: () => call<string>('diagnostics'),
  invoiceQr: (id: string) => call<string>('invoice_qr', { id }),
  exportCsv: () => call<string>('export_csv'),
  listCustomers: (search?: string) => call<Customer[]>('list_customers', { search: search || null }),
  addCustomer: (customer: NewCustomer) => call<Customer>('add_customer', { customer }),
  cancelLink: (id: string) => call<Invoice>('cancel_link', { id }),
  refundLink: (id: string, amount?: string) => call<Invoice>('refund_link', { id, amount: amount || null }),
  listAccounts: () => call<Account[]>('list_accounts'),
  syncNow: () => call<SyncReport>('sync_now'),
  printSlips: (ids: string[]) => call<string>('print_slips', { ids }),
  printInvoice: (id: string) => call<string>('print_invoice', { id }),
  appInfo: () => call<{ version: string; data_dir: string }>('app_info'),
  openDataFolder: () => call<string>('open_data_folder'),
  /** Tells the app the list is on screen: background sync starts after it. */
  listShown: () => call<void>('list_shown', { pageMs: performance.now(), pagePhases: pagePhases() }),
  listChannels: () => call<Channel[]>('list_channels'),
  getSettings: () => call<Record<string, string>>('get_settings'),
  setSetting: (key: string, value: string) => call<void>('set_setting', { key, value }),
  addChannel: (channel: NewChannel, secrets: Record<string, string>) => call<Channel>('add_channel', { channel, secrets }),
  testChannel: (name: string, to?: string) => call<string>('test_channel', { name, to: to || null }),
  removeChannel: (name: string) => call<void>('remove_channel', { name }),
  addAccount: (account: NewAccount, secrets: Record<string, string>) => call<Account>('add_account', { account, secrets }),
  testAccount: (name: string) => call<string>('test_account', { name }),
  removeAccount: (name: string) => call<void>('remove_account', { name }),
  previewMessage: (id: string, via: Via, lang?: string) => call<MessagePreview>('preview_message', { id, via, lang }),
  previewNewLink: (link: NewLink, via: Via) => call<MessagePreview>('preview_new_link', { link, via }),
  previewTemplate: (lang: string, part: string, text: string) => call<MessagePreview>('preview_template', { lang, part, text }),
  sendLink: (request: SendRequest) => call<Delivery>('send_link', { request }),
  listDeliveries: (id: string) => call<Delivery[]>('list_deliveries', { id }),
};

/** The ways an invoice's link can be sent: what the configured channels offer, plus the
 * provider's own notification where the backend's account supports it (Bootpay). */
export function sendWays(channels: Channel[], invoice: Pick<Invoice, 'provider' | 'status'>): Via[] {
  if (invoice.status !== 'open' && invoice.status !== 'draft') return [];
  const order: Via[] = ['sms', 'alimtalk', 'email', 'provider'];
  const offered = new Set<Via>(channels.flatMap((c) => c.vias));
  if (invoice.provider === 'bootpay') offered.add('provider');
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
