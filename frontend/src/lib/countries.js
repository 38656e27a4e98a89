// The countries a signer can name: ISO 3166-1 alpha-2 codes plus XK (Kosovo),
// the same list the server accepts, named from the CLDR data shipped with the
// app (locale.js), never by the browser's Intl, which in Chromium knows no
// Belarusian names.

import { countryCodes, localeData } from './locale.js';

export { countryCodes };

const known = new Set(countryCodes);

/**
 * A country's name in lang (English for a language we do not have), or the
 * code for an unknown one.
 * @param {string} code e.g. "BY"
 * @param {string} lang e.g. "be"
 */
export function countryName(code, lang) {
  return localeData(lang).countries[code] ?? code;
}

const sorted = new Map();

/**
 * Every country as {code, name, english} in lang, sorted as a reader of lang expects.
 * @param {string} lang
 */
export function countryOptions(lang) {
  if (!sorted.has(lang)) {
    const collator = new Intl.Collator(lang);
    const options = countryCodes.map((code) => ({ code, name: countryName(code, lang), english: countryName(code, 'en') }));
    sorted.set(lang, options.sort((a, b) => collator.compare(a.name, b.name)));
  }
  return sorted.get(lang).map((o) => ({ ...o }));
}

/** Lower case, ё as е, any apostrophe as ’, spaces squeezed: how people type names. */
function fold(text) {
  return String(text)
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/['ʼ`]/g, '’')
    .replace(/\s+/g, ' ')
    .trim();
}

let index = null;

/**
 * The code for what a person typed into the country field: a name in the
 * page's language, in Belarusian, Russian or English (people switch
 * languages, and type the name they know), or a code such as "by".
 * Returns "" when it is none of these.
 * @param {string} input
 * @param {string} lang
 */
export function resolveCountry(input, lang) {
  const text = String(input ?? '').trim();
  if (!text) return '';
  if (/^[a-z]{2}$/i.test(text) && known.has(text.toUpperCase())) return text.toUpperCase();
  const folded = fold(text);
  for (const code of countryCodes) if (fold(countryName(code, lang)) === folded) return code;
  if (!index) {
    index = new Map();
    for (const l of ['en', 'be', 'ru']) for (const code of countryCodes) index.set(fold(countryName(code, l)), code);
  }
  return index.get(folded) ?? '';
}
