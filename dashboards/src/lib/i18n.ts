/**
 * User-facing text: zh-CN by default, English on request (the switch in the header, or `?lang=en`).
 * Catalogues live in src/i18n; the English one is typed against the Chinese keys so a missing
 * translation fails the dashboards' typecheck.
 */
import { zhCN, type MessageKey } from '../i18n/zh-CN.ts';
import { en } from '../i18n/en.ts';

export type Locale = 'zh-CN' | 'en';
export const LOCALES: Locale[] = ['zh-CN', 'en'];

const CATALOGUES: Record<Locale, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };
const KEY = 'weige.lang';

function initialLocale(): Locale {
  const fromUrl = new URLSearchParams(location.search).get('lang');
  if (fromUrl === 'en' || fromUrl === 'zh-CN') {
    localStorage.setItem(KEY, fromUrl);
    return fromUrl;
  }
  return localStorage.getItem(KEY) === 'en' ? 'en' : 'zh-CN';
}

let current: Locale = initialLocale();
document.documentElement.lang = current;

export function locale(): Locale {
  return current;
}

export function setLocale(next: Locale): void {
  localStorage.setItem(KEY, next);
  current = next;
  // Pages build their text once; a reload is the simplest way to rebuild all of it.
  const url = new URL(location.href);
  url.searchParams.delete('lang');
  location.replace(url);
}

/** The message for `key`, with `{name}` placeholders filled from `vars`. */
export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  const text = CATALOGUES[current][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

/** A message key built from data (an alert kind, an incident state), or the raw value when unknown. */
export function tOr(key: string, fallback: string): string {
  const catalogue = CATALOGUES[current] as Record<string, string>;
  return catalogue[key] ?? fallback;
}

/** Server text that may come in both languages (`{"zh-CN": …, "en": …}`) or already chosen. */
export function localized(text: unknown): string {
  if (typeof text === 'string') return text;
  if (text && typeof text === 'object') {
    const map = text as Record<string, string | undefined>;
    return map[current] ?? map['zh-CN'] ?? Object.values(map).find(Boolean) ?? '';
  }
  return '';
}
