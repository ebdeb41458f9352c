// UI text lives in src/locales/*.json, never in components.
import ko from '../locales/ko.json';
import en from '../locales/en.json';
import ja from '../locales/ja.json';

export type Locale = 'ko' | 'ja' | 'en';
export const LOCALES: Locale[] = ['ko', 'ja', 'en'];
const DICTS: Record<Locale, Record<string, string>> = { ko, ja, en };

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
  if (browser?.toLowerCase().startsWith('ja')) return 'ja';
  return 'ko';
}

export function missingKeys(): string[] {
  const dicts = Object.values(DICTS);
  const keys = new Set(dicts.flatMap((d) => Object.keys(d)));
  return [...keys].filter((k) => dicts.some((d) => !(k in d)));
}
