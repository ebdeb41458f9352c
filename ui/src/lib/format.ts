// Presentation of amounts and instants. Amounts arrive as exact decimal strings
// ("29900", "12.34", "0.00150000") and are formatted as strings: no float ever holds money.

import { storeZone } from './zone.svelte';

const SYMBOLS: Record<string, { prefix: string; suffix: string }> = {
  KRW: { prefix: '₩', suffix: '' },
  JPY: { prefix: '¥', suffix: '' },
  USD: { prefix: '$', suffix: '' },
  BTC: { prefix: '', suffix: ' BTC' },
};

/** Inserts thousands separators into a string of digits. */
export function groupDigits(digits: string): string {
  let out = '';
  const n = digits.length;
  for (let i = 0; i < n; i++) {
    if (i > 0 && (n - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return out;
}

/** `("29900","KRW")` → `₩29,900`; `("0.00150000","BTC")` → `0.0015 BTC`. Only for what
 * the clerk is typing (no call to the backend per keystroke): amounts PayDesk keeps
 * arrive formatted by the engine (`amount_display`, `paid_display`, `Money::to_display`). */
export function formatAmount(plain: string, currency: string): string {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(plain.trim());
  if (!m) return `${plain} ${currency}`;
  const int = groupDigits(m[1].replace(/^0+(?=\d)/, ''));
  let frac = m[2] ?? '';
  if (currency === 'BTC') frac = frac.replace(/0+$/, '');
  const sym = SYMBOLS[currency] ?? { prefix: '', suffix: ` ${currency}` };
  return `${sym.prefix}${int}${frac ? '.' + frac : ''}${sym.suffix}`;
}

/**
 * What the amount field will mean, shown while typing (`29900` → `₩29,900`), or null
 * while the text is not a plain number yet. The backend decides what is valid.
 */
export function previewTyped(typed: string, currency: string): string | null {
  const t = typed.trim().replace(/,/g, '');
  if (!/^\d+(\.\d+)?$/.test(t)) return null;
  return formatAmount(t, currency);
}

export function timeZoneFor(locale: string): string {
  if (locale === 'ko') return 'Asia/Seoul';
  if (locale === 'ja') return 'Asia/Tokyo';
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** An RFC 3339 instant in the merchant's time zone (the store's setting once it is
 * known; until then the zone of the clerk's language). */
export function formatInstant(iso: string | null | undefined, locale: string): string {
  if (!iso) return '';
  let d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const offset = storeZone.offsetMinutes;
  // A fixed offset is applied by hand and the result read as UTC (every engine knows UTC;
  // not every one takes "+09:00" as a time zone).
  if (offset !== null) d = new Date(d.getTime() + offset * 60_000);
  return new Intl.DateTimeFormat(locale === 'ko' ? 'ko-KR' : locale === 'ja' ? 'ja-JP' : 'en-GB', {
    timeZone: offset !== null ? 'UTC' : timeZoneFor(locale),
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(d);
}
