// The countries a signer can name: ISO 3166-1 alpha-2 codes plus XK (Kosovo),
// the same list the server accepts, named from the CLDR data shipped with the
// app (locale.js), never by the browser's Intl, which in Chromium knows no
// Belarusian names.

import { countryCodes, loadAllLocaleData, loadedLocales, localeData } from './locale.js';

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
  const data = localeData(lang); // English until lang's data has loaded: sort again then
  if (sorted.get(lang)?.data !== data) {
    const collator = new Intl.Collator(lang);
    const options = countryCodes.map((code) => ({ code, name: countryName(code, lang), english: countryName(code, 'en') }));
    sorted.set(lang, { data, options: options.sort((a, b) => collator.compare(a.name, b.name)) });
  }
  return sorted.get(lang).options.map((o) => ({ ...o }));
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

/**
 * Fetch the country names of every language, for resolveCountry (the forms
 * call it when touched, and wait for it before they check). Never rejects:
 * offline, the names already here are all there is.
 */
export const loadCountryNames = () => loadAllLocaleData().catch(() => {});

let index = null;
let indexed = 0; // how many languages the index has: it grows as their data loads

/**
 * The code for what a person typed into the country field: a name in the
 * page's language, in Belarusian, Russian or English (people switch
 * languages, and type the name they know), or a code such as "by". Names in
 * a language whose CLDR data has not loaded yet (loadAllLocaleData) are not
 * matched.
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
  const langs = loadedLocales(); // be and ru once loaded (loadAllLocaleData, called by the forms)
  if (!index || indexed !== langs.length) {
    index = new Map();
    for (const l of langs) for (const code of countryCodes) index.set(fold(countryName(code, l)), code);
    indexed = langs.length;
  }
  return index.get(folded) ?? '';
}
