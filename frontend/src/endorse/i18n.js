// Strings of the public endorse pages, in the site's interface language.
// Kept beside the console's (they belong to the same feature) but in their
// own small dictionaries, so that these pages do not carry the console's.

import { createTranslator, getLang } from '../lib/i18n.js';
import en from './en.js';
import be from './be.js';
import ru from './ru.js';

export const dictionaries = { en, be, ru };
const translators = new Map();

function active() {
  const code = getLang();
  if (!translators.has(code)) translators.set(code, createTranslator(dictionaries, code));
  return translators.get(code);
}

export const t = (key, vars) => active().t(key, vars);
