import { describe, expect, it } from 'vitest';
import { initialLocale, missingKeys, translate } from './i18n';

describe('i18n', () => {
  it('has every key in every language', () => {
    expect(missingKeys()).toEqual([]);
  });
  it('fills placeholders and falls back visibly', () => {
    expect(translate('en', 'error.generic', { message: 'x' })).toBe('Something went wrong: x');
    expect(translate('ko', 'status.paid')).toBe('결제 완료');
    expect(translate('ja', 'status.paid')).toBe('支払い済み');
    expect(translate('ko', 'no.such.key')).toBe('no.such.key');
  });
  it('starts in Korean unless told otherwise', () => {
    expect(initialLocale(null, 'ko-KR')).toBe('ko');
    expect(initialLocale(null, 'en-US')).toBe('en');
    expect(initialLocale(null, 'ja-JP')).toBe('ja');
    expect(initialLocale('en', 'ko-KR')).toBe('en');
    expect(initialLocale('xx', undefined)).toBe('ko');
  });
});
