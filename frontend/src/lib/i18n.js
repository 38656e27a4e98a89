// Interface strings by language. The language comes from the browser, or
// from the reader's own choice in the header (kept in localStorage, and in a
// lang cookie that the server-rendered pages read; nothing else is). Missing
// keys fall back to English, then to the key itself (a visible key is easier
// to spot in review than an empty string).
//
// t() and friends are plain functions, yet reactive: they register with
// Svelte through createSubscriber, so that every piece of text re-renders
// when the language changes, without reloading and without losing a
// half-filled form.
//
// The dictionaries are JSON (messages/*.json) so that the server renders its
// pages from the same strings: one source, read by Vite and by Go's embed.
// be.json and ru.json have en.json's keys (a test checks); {name} marks a
// value filled in by t(); keys ending in .one/.few/.many/.other are plural
// forms chosen by tn().
//
// Only English, the fallback, is in the main bundle: the public page has a
// size budget (docs/design.md, scripts/check-dist.js), and a reader needs one
// language. Belarusian and Russian (their strings and their CLDR data) are
// lazy chunks: loadLanguage fetches them, `ready` is the first language's
// load (main.js mounts once it has settled, so English never flashes), and
// setLanguage loads before it switches. Whatever reads dictionaries or
// localeData synchronously therefore finds the active language loaded.

import { createSubscriber } from 'svelte/reactivity';
import { formatDate as formatDateIn, formatNumber as formatNumberIn, loadLocaleData, pluralForm } from './locale.js';
import en from './messages/en.json';

export const fallbackLanguage = 'en';
/** The dictionaries loaded so far: English always, the others once loadLanguage has fetched them. */
export const dictionaries = { en };
const loaders = {
  be: () => import('./messages/be.json'),
  ru: () => import('./messages/ru.json'),
};

/** The languages offered in the header, each named in itself. */
export const languages = [
  { code: 'be', name: 'Беларуская' },
  { code: 'ru', name: 'Русский' },
  { code: 'en', name: 'English' },
];

const codes = languages.map((l) => l.code);
const storageKey = 'lang';
const loading = new Map();

/**
 * Fetch a language's strings and CLDR data (once); resolves when t() and
 * localeData can use them. Rejects when a chunk cannot be fetched (offline,
 * a deploy in between), so that the caller can stay in the language it has.
 * @param {string} code
 * @returns {Promise<void>}
 */
export function loadLanguage(code) {
  if (!codes.includes(code)) return Promise.reject(new Error(`no such language: ${code}`));
  if (code in dictionaries) return loadLocaleData(code);
  if (!loading.has(code)) {
    const p = Promise.all([loaders[code](), loadLocaleData(code)]).then(
      ([m]) => {
        dictionaries[code] = m.default;
      },
      (err) => {
        loading.delete(code); // try again next time
        throw err;
      },
    );
    loading.set(code, p);
  }
  return loading.get(code);
}

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
  // CLDR's rules and separators, shipped with the app (locale.js): not the
  // browser's Intl, which in Chromium has no Belarusian.
  const number = (n) => formatNumberIn(lang, n);

  /** The string for key, with {name} placeholders filled from vars. */
  function t(key, vars = {}) {
    const text = own[key] ?? fallback[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
  }

  /** The plural form of key for count ("key.one", "key.few", ... "key.other"), count formatted. */
  function tn(key, count, vars = {}) {
    const form = `${key}.${pluralForm(lang, count)}`;
    const chosen = form in own || form in fallback ? form : `${key}.other`;
    return t(chosen, { ...vars, count: number(count) });
  }

  return { lang, t, tn, number };
}

function storedLanguage() {
  try {
    const saved = globalThis.localStorage?.getItem(storageKey);
    return saved && codes.includes(saved) ? saved : null;
  } catch {
    return null; // storage blocked: follow the browser
  }
}

/**
 * The language the server rendered this page in, when it did (it chose from
 * ?lang=, the lang cookie, then Accept-Language): the SPA starts in it, so
 * that taking the page over changes nothing on screen.
 */
/** The language a link asked for (?lang=be: email links carry the signer's). */
function urlLanguage() {
  try {
    const lang = new URLSearchParams(globalThis.location?.search ?? '').get('lang');
    return lang && codes.includes(lang) ? lang : null;
  } catch {
    return null;
  }
}

function serverLanguage() {
  const doc = globalThis.document;
  if (!doc?.getElementById?.('app')?.dataset?.ssr) return null;
  const lang = doc.documentElement.lang;
  return codes.includes(lang) ? lang : null;
}

/** Remember a choice where the server reads it too: a cookie (language only, nothing else). */
function rememberForServer(code) {
  try {
    if (globalThis.document) document.cookie = `${storageKey}=${code}; path=/; max-age=31536000; samesite=lax`;
  } catch {
    // Cookies blocked: server pages follow the browser's languages.
  }
}

const chosen = storedLanguage();
if (chosen && globalThis.document && !document.cookie.split('; ').includes(`${storageKey}=${chosen}`)) rememberForServer(chosen);

const wanted = urlLanguage() ?? serverLanguage() ?? chosen ?? pickLanguage(globalThis.navigator?.languages ?? [], codes);

// English until the wanted language has loaded (at once when it is English).
let active = createTranslator(dictionaries, fallbackLanguage);

let changed = () => {};
const subscribe = createSubscriber((update) => {
  changed = update;
  return () => (changed = () => {});
});

/** The interface language in use (reactive). */
export function getLang() {
  subscribe();
  return active.lang;
}

let latest = wanted; // the language asked for last: a slower earlier load must not win

function switchTo(code) {
  if (code === active.lang) return;
  active = createTranslator(dictionaries, code);
  if (globalThis.document) document.documentElement.lang = code;
  changed();
}

/**
 * The first language, loaded: resolves (never rejects) once the interface is
 * in it, or still in English when its chunks could not be fetched.
 */
export const ready = loadLanguage(wanted).then(
  () => {
    if (latest === wanted) switchTo(wanted);
  },
  () => {}, // stay in English: readable, and the switcher can try again
);

/**
 * Switch the interface language, once its data has loaded, and remember the
 * choice in this browser. Resolves when switched (or when it could not load:
 * the interface stays as it was).
 */
export async function setLanguage(code) {
  if (!codes.includes(code)) return;
  latest = code;
  if (code === active.lang) return;
  try {
    await loadLanguage(code);
  } catch {
    return;
  }
  if (latest !== code) return; // the reader has chosen again meanwhile
  try {
    globalThis.localStorage?.setItem(storageKey, code);
  } catch {
    // Not remembered, but switched all the same.
  }
  rememberForServer(code);
  switchTo(code);
}

/** The interface string for key. */
export function t(key, vars) {
  subscribe();
  return active.t(key, vars);
}

/** The plural form of key for count. */
export function tn(key, count, vars) {
  subscribe();
  return active.tn(key, count, vars);
}

/** A number in the interface language, e.g. "1,234" or "1 234". */
export function formatNumber(n) {
  subscribe();
  return active.number(n);
}

/**
 * A date (RFC 3339 string or YYYY-MM-DD) in the reader's language, e.g.
 * "30 November 2025"; style "long", "medium", "short" or "MMMd" (chart axes).
 * A bare date is a calendar day: that day wherever the reader is.
 */
export function formatDate(iso, style = 'long') {
  subscribe();
  return formatDateIn(active.lang, iso, style);
}
