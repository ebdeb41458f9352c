// UI text lives in src/locales/*.json, never in components.
import ko from '../locales/ko.json';
import en from '../locales/en.json';

export type Locale = 'ko' | 'en';
export const LOCALES: Locale[] = ['ko', 'en'];
const DICTS: Record<Locale, Record<string, string>> = { ko, en };

/** The text for `key` in `locale` with `{name}` placeholders filled; falls back to
 * English, then to the key itself, so a missing text is visible, never blank. */
export function translate(locale: Locale, key: string, params: Record<string, string> = {}): string {
  const text = DICTS[locale]?.[key] ?? DICTS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? `{${name}}`);
}

export function hasText(locale: Locale, key: string): boolean {
  return key in DICTS[locale] || key in DICTS.en;
}

export function initialLocale(saved: string | null, browser: string | undefined): Locale {
  if (saved && (LOCALES as string[]).includes(saved)) return saved as Locale;
  if (browser?.toLowerCase().startsWith('en')) return 'en';
  return 'ko';
}

export function missingKeys(): string[] {
  const keys = new Set([...Object.keys(ko), ...Object.keys(en)]);
  return [...keys].filter((k) => !(k in ko) || !(k in en));
}
