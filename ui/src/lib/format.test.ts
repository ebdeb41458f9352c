import { describe, expect, it } from 'vitest';
import { formatAmount, groupDigits, previewTyped, formatInstant } from './format';
import { parseOffset, setStoreTimeZone } from './zone.svelte';

describe('amounts', () => {
  it('groups digits', () => {
    expect(groupDigits('1')).toBe('1');
    expect(groupDigits('999')).toBe('999');
    expect(groupDigits('1000')).toBe('1,000');
    expect(groupDigits('999999999999999')).toBe('999,999,999,999,999');
  });
  it('formats per currency from exact strings', () => {
    expect(formatAmount('29900', 'KRW')).toBe('₩29,900');
    expect(formatAmount('3000', 'JPY')).toBe('¥3,000');
    expect(formatAmount('1234.50', 'USD')).toBe('$1,234.50');
    expect(formatAmount('0.00150000', 'BTC')).toBe('0.0015 BTC');
    expect(formatAmount('1.00000000', 'BTC')).toBe('1 BTC');
    // Beyond what a float can hold exactly, still exact.
    expect(formatAmount('9007199254740993', 'KRW')).toBe('₩9,007,199,254,740,993');
  });
  it('previews what is typed, or nothing while it is not a number', () => {
    expect(previewTyped('29,900', 'KRW')).toBe('₩29,900');
    expect(previewTyped('12.3', 'USD')).toBe('$12.3');
    expect(previewTyped('1e5', 'KRW')).toBeNull();
    expect(previewTyped('-5', 'KRW')).toBeNull();
    expect(previewTyped('', 'KRW')).toBeNull();
  });
});

describe('instants', () => {
  it('shows the merchant time zone', () => {
    expect(formatInstant('2026-11-22T15:30:00Z', 'ko')).toContain('00:30');
    expect(formatInstant('2026-11-22T15:30:00Z', 'ko')).toContain('23');
    expect(formatInstant(null, 'ko')).toBe('');
  });
});

describe('the store time zone', () => {
  it('shows every time in the store zone whatever the language', () => {
    setStoreTimeZone('+09:00');
    expect(formatInstant('2026-12-02T05:52:00Z', 'en')).toBe('02/12/2026, 14:52');
    expect(formatInstant('2026-12-02T15:30:00Z', 'ko')).toContain('00:30');
    setStoreTimeZone('-05:30');
    expect(formatInstant('2026-12-02T05:52:00Z', 'en')).toBe('02/12/2026, 00:22');
    setStoreTimeZone(null);
  });
  it('reads offsets as Settings keeps them, and nothing else', () => {
    expect(parseOffset('+09:00')).toBe(540);
    expect(parseOffset('-05:30')).toBe(-330);
    for (const bad of ['', '9', '+9:00', '+15:00', '+09:60', 'Asia/Seoul']) expect(parseOffset(bad)).toBeNull();
  });
});
