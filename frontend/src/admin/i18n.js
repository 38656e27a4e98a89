// The console's strings, in the interface language the reader chose for the
// whole site (switchable in the header; reactive like the public strings).
// They live apart from the public dictionaries so that the public page does
// not carry them: the console is its own lazily loaded chunk.

import { createTranslator, getLang } from '../lib/i18n.js';
import { formatDate, formatDateTime as formatDateTimeIn } from '../lib/locale.js';
import en from './messages/en.js';
import be from './messages/be.js';
import ru from './messages/ru.js';
import { explainConflict, explainFieldMessage } from './serverMessages.js';

export const dictionaries = { en, be, ru };
const translators = new Map();

function active() {
  const code = getLang(); // subscribes the caller to language changes
  if (!translators.has(code)) translators.set(code, createTranslator(dictionaries, code));
  return translators.get(code);
}

/** The interface language in use (reactive). */
export const currentLang = () => active().lang;
/** The console string for key, {name} placeholders filled from vars. */
export const t = (key, vars) => active().t(key, vars);
/** The plural form of key for count. */
export const tn = (key, count, vars) => active().tn(key, count, vars);
/** A number in the interface language. */
export const formatNumber = (n) => active().number(n);

/**
 * A moment (RFC 3339) as date and time in the reader's language, in the
 * reader's zone or in timeZone (an IANA name) when given.
 */
export function formatDateTime(iso, timeZone) {
  const lang = currentLang();
  if (!iso) return '';
  return formatDateTimeIn(lang, iso, { timeZone });
}

/** A day (YYYY-MM-DD, a calendar day in UTC) in the reader's language. */
export function formatDay(iso) {
  const lang = currentLang();
  if (!iso) return '';
  return formatDate(lang, iso, 'medium');
}

/** A message key of ours with values from explainFieldMessage/explainConflict, numbers formatted. */
function say(found) {
  const vars = Object.fromEntries(Object.entries(found.vars).map(([k, v]) => [k, typeof v === 'number' ? formatNumber(v) : v]));
  return t(found.key, vars);
}

/**
 * The message for a field error from the API in the reader's language when
 * it is one of the server's common messages; any other as the server wrote
 * it (in English).
 */
export function fieldMessage(message) {
  const found = explainFieldMessage(message);
  return found ? say(found) : String(message ?? '');
}

/** The message of a 409 in the reader's language where we know it, else as the server wrote it. */
export function conflictMessage(message) {
  const found = explainConflict(message);
  return found ? say(found) : String(message ?? '');
}

/** A field-errors object of the API with fieldMessage applied to each. */
export function fieldMessages(fields) {
  return Object.fromEntries(Object.entries(fields ?? {}).map(([k, v]) => [k, fieldMessage(v)]));
}
