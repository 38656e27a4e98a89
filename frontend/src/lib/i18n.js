// Interface strings by language. Add a language by adding a dictionary to
// `dictionaries`; missing keys fall back to English, then to the key itself
// (a visible key is easier to spot in review than an empty string).

import en from './messages/en.js';

export const fallbackLanguage = 'en';
const dictionaries = { en };

/**
 * The first of the user's preferred languages that we have, by primary subtag
 * ("be-BY" → "be"), else the fallback.
 * @param {readonly string[]} preferred e.g. navigator.languages
 * @param {string[]} available
 */
export function pickLanguage(preferred, available) {
  for (const tag of preferred ?? []) {
    const primary = String(tag).toLowerCase().split('-')[0];
    if (available.includes(primary)) return primary;
  }
  return fallbackLanguage;
}

/**
 * A translator for one language over a set of dictionaries.
 * @param {Record<string, Record<string, string>>} dicts must include the fallback language
 * @param {string} lang
 */
export function createTranslator(dicts, lang) {
  const own = dicts[lang] ?? {};
  const fallback = dicts[fallbackLanguage];
  const plurals = new Intl.PluralRules(lang);
  const numbers = new Intl.NumberFormat(lang);

  /** The string for key, with {name} placeholders filled from vars. */
  function t(key, vars = {}) {
    const text = own[key] ?? fallback[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
  }

  /** The plural form of key for count ("key.one", "key.few", ... "key.other"), count formatted. */
  function tn(key, count, vars = {}) {
    const form = `${key}.${plurals.select(count)}`;
    const chosen = form in own || form in fallback ? form : `${key}.other`;
    return t(chosen, { ...vars, count: numbers.format(count) });
  }

  return { lang, t, tn, number: (n) => numbers.format(n) };
}

const browserLanguages = globalThis.navigator?.languages ?? [];
const active = createTranslator(dictionaries, pickLanguage(browserLanguages, Object.keys(dictionaries)));

/** The interface language in use. */
export const lang = active.lang;
export const t = active.t;
export const tn = active.tn;
export const formatNumber = active.number;

/** A date (RFC 3339 string) in the reader's language and time zone, e.g. "30 November 2025". */
export function formatDate(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(lang, { dateStyle: 'long' }).format(d);
}
