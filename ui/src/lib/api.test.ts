import { afterEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { api, errorText, fieldErrors, printedText, linkAccounts, providerProblems, reasonKey, type Account, type AppError, type ProviderKind, type SyncProblem } from './api';
import { hasText, LOCALES, translate } from './i18n';

afterEach(() => clearMocks());

describe('api wrappers', () => {
  it('call the backend commands with their arguments', async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      return [];
    });
    await api.listInvoices({ search: '김' });
    await api.getInvoice('inv_1');
    expect(calls).toEqual([
      ['list_invoices', { query: { search: '김' } }],
      ['get_invoice', { id: 'inv_1' }],
    ]);
  });

  it('turn rejections into errors with their fields', async () => {
    const rejection: AppError = {
      kind: 'input', field: 'amount', provider: null, code: null, message: 'amount: must not be negative',
      fields: [{ field: 'amount', message: 'must not be negative', code: 'negative' }, { field: 'name', message: 'must not be empty', code: 'empty' }],
    };
    mockIPC(() => {
      throw rejection;
    });
    const err = await api.createLink({ account: 'sandbox', name: '', amount: '-5' }).catch((e: AppError) => e);
    expect(err.kind).toBe('input');
    expect(fieldErrors(err as AppError)).toEqual({ amount: 'must not be negative', name: 'must not be empty' });
    // Codes are shown in the clerk's language where a text exists.
    const coded: AppError = { ...rejection, fields: [{ field: 'amount', message: 'has 3 decimal places', code: 'too_many_decimals' }, { field: 'name', message: 'odd', code: 'logo' }, { field: 'order_id', message: 'may use only letters', code: 'invalid' }] };
    const texts: Record<string, string> = { too_many_decimals: '소수점 자릿수를 넘었습니다', invalid: '확인해 주세요: {message}' };
    const tr = (c: string, message: string) => texts[c]?.replace('{message}', message) ?? null;
    expect(fieldErrors(coded, tr)).toEqual({ amount: '소수점 자릿수를 넘었습니다', name: 'odd', order_id: '확인해 주세요: may use only letters' });
  });

  it('wrap unexpected failures as internal errors', async () => {
    mockIPC(() => {
      throw 'boom';
    });
    const err = await api.syncNow().catch((e: AppError) => e);
    expect(err).toMatchObject({ kind: 'internal', message: 'boom' });
  });
});

describe('capabilities', () => {
  it('offer links only on accounts whose provider makes them', () => {
    const acc = (name: ProviderKind, links: boolean): Account => ({
      name, provider: name, sandbox: false, settings: {}, secrets: {}, created_at: '', callback_url: null,
      capabilities: { links, cvs: !links, cancel: true, refund: true, partial_refund: true, notify_customer: false, refund_later: false, cash_refund_account: false, status_by_callback: false, notices: false },
    });
    expect(linkAccounts([acc('sandbox', true), acc('portone', false), acc('btcpay', true)]).map((a) => a.name)).toEqual(['sandbox', 'btcpay']);
  });
});

describe('provider problems', () => {
  it('keep one banner per account and kind, and leave invoice problems on the invoice', () => {
    const p = (invoice_id: string, account: string, kind: SyncProblem['kind']): SyncProblem => ({ invoice_id, account, provider: 'btcpay', kind, message: 'm' });
    const outbox = { sent: 0, failed: 0, unknown: 0, waiting: 0 };
    const r = { checked: 4, changed: [], outbox, failure: null, store_unreachable: false, errors: [p('1', 'shop', 'unreachable'), p('2', 'shop', 'unreachable'), p('3', 'shop', 'invoice'), p('4', 'other', 'keys')] };
    expect(providerProblems(r).map((e) => `${e.account}/${e.kind}`)).toEqual(['shop/unreachable', 'other/keys']);
    expect(providerProblems({ checked: 1, changed: [], errors: [], outbox, failure: null, store_unreachable: false })).toEqual([]);
  });
});

describe('sending', () => {
  const ch = (vias: string[]) => ({ name: 'c', kind: 'solapi', settings: {}, secrets: {}, vias, created_at: '' }) as never;

  it('offers the ways the channels send, in a fixed order, plus the provider where it sends itself', async () => {
    const { sendWays } = await import('./api');
    expect(sendWays([ch(['email']), ch(['sms', 'alimtalk'])], false, 'open')).toEqual(['sms', 'alimtalk', 'email']);
    expect(sendWays([], true, 'open')).toEqual(['provider']);
    expect(sendWays([ch(['sms'])], true, 'paid')).toEqual([]);
  });

  it('sends a refund\'s claim link by SMS or e-mail only, whatever the invoice\'s status', async () => {
    const { sendWays } = await import('./api');
    expect(sendWays([ch(['email']), ch(['sms', 'alimtalk'])], true, 'refunded', 'refund_claim')).toEqual(['sms', 'email']);
    expect(sendWays([ch(['alimtalk'])], true, 'partially_refunded', 'refund_claim')).toEqual([]);
  });

  it('sends to the customer\'s address for the way chosen', async () => {
    const { defaultRecipient } = await import('./api');
    const invoice = { customer: { id: 'c', name: '김민준', phone: '+821012345678', email: 'kim@example.kr', created_at: '' } };
    expect(defaultRecipient(invoice, 'email')).toBe('kim@example.kr');
    expect(defaultRecipient(invoice, 'sms')).toBe('+821012345678');
    expect(defaultRecipient({ customer: null }, 'sms')).toBe('');
  });

  it('calls the send command with the request', async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      return { id: 'dlv_1', state: 'sent' };
    });
    await api.sendLink({ invoice: 'inv_1', via: 'email', to: 'a@b.kr' });
    await api.previewMessage('inv_1', 'sms', 'ko');
    expect(calls).toEqual([
      ['send_link', { request: { invoice: 'inv_1', via: 'email', to: 'a@b.kr' } }],
      ['preview_message', { id: 'inv_1', via: 'sms', lang: 'ko', what: 'link' }],
    ]);
  });
});

describe('dashboard chart', () => {
  it('scales bars to the busiest day and keeps empty days at zero', async () => {
    const { barHeights } = await import('./api');
    expect(barHeights([{ paid: 0 }, { paid: 2 }, { paid: 4 }])).toEqual([0, 50, 100]);
    expect(barHeights([{ paid: 0 }, { paid: 0 }])).toEqual([0, 0]);
  });
});

describe('the virtual list', () => {
  it('renders the rows in view with a margin, never past the ends', async () => {
    const { visibleRange } = await import('./api');
    expect(visibleRange(0, 380, 38, 100000)).toEqual({ start: 0, end: 25 });
    expect(visibleRange(38 * 5000, 380, 38, 100000)).toEqual({ start: 4985, end: 5025 });
    expect(visibleRange(38 * 99995, 380, 38, 100000)).toEqual({ start: 99980, end: 100000 });
    expect(visibleRange(0, 380, 38, 3)).toEqual({ start: 0, end: 3 });
  });
});

describe('logo upload', () => {
  it('sends a file as the base64 the backend decodes, also past one 32 KiB chunk', async () => {
    const { bytesToBase64 } = await import('./api');
    const text = (s: string) => new TextEncoder().encode(s);
    // RFC 4648's own test vectors.
    for (const [plain, encoded] of [['', ''], ['f', 'Zg=='], ['fo', 'Zm8='], ['foo', 'Zm9v'], ['foob', 'Zm9vYg=='], ['fooba', 'Zm9vYmE='], ['foobar', 'Zm9vYmFy']]) {
      expect(bytesToBase64(text(plain))).toBe(encoded);
    }
    const bytes = new Uint8Array(70000).map((_, i) => (i * 7) % 256);
    const back = atob(bytesToBase64(bytes));
    expect(back.length).toBe(bytes.length);
    expect(Array.from(back, (c) => c.charCodeAt(0))).toEqual(Array.from(bytes));
  });
});

describe('list totals', () => {
  it('name what was paid in every currency, and ₩0 when nothing was', async () => {
    const { moneyLine } = await import('./api');
    const total = (currency: string, amount_display: string) => ({ currency, count: 1, amount: '', amount_display });
    expect(moneyLine([total('KRW', '₩29,900'), total('USD', '$12.00')])).toBe('₩29,900 · $12.00');
    expect(moneyLine([])).toBe('–');
  });
});

describe('reasonKey', () => {
  const reasons = ['paid_late', 'underpaid', 'overpaid', 'delivery_failed', 'provider_error'];
  it('names each reason once, with the same words as the list badges', () => {
    for (const locale of LOCALES) {
      const labels = reasons.map((r) => translate(locale, reasonKey(r)));
      expect(new Set(labels).size).toBe(reasons.length);
      for (const [i, r] of reasons.entries()) {
        expect(hasText(locale, reasonKey(r))).toBe(true);
        if (i < 3) expect(labels[i]).toBe(translate(locale, 'flag.' + r));
      }
    }
  });
});

describe('errorText', () => {
  const ko = (k: string, p?: Record<string, string>) => translate('ko', k, p);
  const refusal = (kind: AppError['kind'], fields: AppError['fields'], message: string) => ({
    kind, field: fields[0]?.field ?? null, fields, provider: null, code: null, message,
  });
  it('says bad input by its code in the clerk\'s language, not the engine\'s English', () => {
    const e = refusal('input', [{ field: 'id', code: 'not_now', message: 'is cancelled and cannot be cancelled' }], 'id: is cancelled and cannot be cancelled');
    expect(errorText(e, ko)).toBe(translate('ko', 'error.input.not_now'));
    const secret = refusal('input', [{ field: 'secret', code: 'secret_missing', message: 'channel mail has no password in the keyring; edit the channel' }], '');
    expect(errorText(secret, ko)).not.toMatch(/keyring|paydesk|channel/);
  });
  it('frames what only a provider or channel can say in the window\'s words', () => {
    expect(errorText(refusal('provider', [], 'HTTP 401: bad key'), ko)).toBe(translate('ko', 'error.provider', { message: 'HTTP 401: bad key' }));
    expect(errorText(refusal('keyring', [], 'locked'), ko)).toContain('키체인');
    expect(errorText(new Error('boom'), ko)).toBe(translate('ko', 'error.internal', { message: 'Error: boom' }));
  });
  it('falls back to the engine\'s words inside a sentence of the window\'s', () => {
    const e = refusal('input', [{ field: 'x', code: 'invalid', message: 'is odd' }], 'x: is odd');
    expect(errorText(e, ko)).toBe(translate('ko', 'error.input.invalid', { message: 'is odd' }));
  });
  it('says why a printer did not print, by its reason, in every language', () => {
    for (const code of ['no_print_system', 'no_default_printer', 'unknown_printer', 'refused']) {
      const e = { ...refusal('printer', [], 'lp: The printer or class does not exist.'), code };
      for (const lang of LOCALES) {
        const tr = (k: string, p?: Record<string, string>) => translate(lang, k, p);
        expect(hasText(lang, 'error.printer.' + code), `${lang} ${code}`).toBe(true);
        expect(errorText(e, tr)).toBe(tr('error.printer.' + code, { message: e.message }));
      }
    }
  });
});

describe('printedText', () => {
  const ko = (k: string, p?: Record<string, string>) => translate('ko', k, p);
  it('names the printer a print went to, and the saved file either way', () => {
    const sent = printedText({ path: '/d/prints/slips.pdf', printer: 'counter', job: 'counter-3' }, ko);
    expect(sent).toContain('counter');
    expect(sent).toContain('/d/prints/slips.pdf');
    expect(printedText({ path: '/d/prints/slips.pdf', printer: null, job: null }, ko)).toBe(translate('ko', 'print.saved', { path: '/d/prints/slips.pdf' }));
  });
});
