// The console's strings, in the interface language the reader chose for the
// whole site (switchable in the header; reactive like the public strings).
// They live apart from the public dictionaries so that the public page does
// not carry them: the console is its own lazily loaded chunk.

import { createTranslator, getLang } from '../lib/i18n.js';
import { formatDate, formatDateTime as formatDateTimeIn } from '../lib/locale.js';
import en from './messages/en.js';
import be from './messages/be.js';
import ru from './messages/ru.js';
import { errorText, fieldErrorText, fieldErrorTexts } from '../lib/errorCodes.js';

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

/**
 * An hour of the surge view ("2026-12-01T23", UTC) as its start in the
 * reader's language and zone, e.g. "1 сне 2026 г., 23:00".
 */
export function formatHour(hour) {
  const text = String(hour ?? '');
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}$/.test(text)) return text;
  return formatDateTimeIn(currentLang(), `${text}:00:00Z`);
}

/** A day (YYYY-MM-DD, a calendar day in UTC) in the reader's language. */
export function formatDay(iso) {
  const lang = currentLang();
  if (!iso) return '';
  return formatDate(lang, iso, 'medium');
}

/**
 * A field error from the API in the reader's language: translated from its
 * machine code ({code: "too_long", max: 100}), not matched by its English
 * words; a code we do not know shows the server's message.
 * @param {string} message the English message (err.fields[name])
 * @param {{code: string} | undefined} coded err.codes[name]
 */
export function fieldMessage(message, coded) {
  return fieldErrorText(message, coded);
}

/** Any API refusal in the reader's language, from its reason or class (lib/errorCodes.js). */
export { errorText };

/**
 * Every refused field of an API error (a 422), translated: {field: text}.
 * Given only a fields object ({field: message}), as older callers do, the
 * messages come back as the server wrote them.
 */
export function fieldMessages(err) {
  if (err && !('fields' in err) && !('codes' in err)) return fieldErrorTexts({ fields: err });
  return fieldErrorTexts(err);
}

/**
 * A campaign's title in the console's language where it has a translation
 * with a title, else in its own language.
 * @param {{title?: string, slug?: string, titles?: Record<string, string>, translations?: Record<string, {title?: string}>} | undefined} c
 */
export function campaignTitle(c) {
  const lang = currentLang();
  return c?.titles?.[lang] || c?.translations?.[lang]?.title || c?.title || c?.slug || '';
}

/** An audit action ("digest.send") in words, or the action itself when we have none. */
export function auditAction(action) {
  const key = `auditAction.${action}`;
  const text = t(key);
  return text === key ? String(action ?? '') : text;
}

/** A language code ("be") by its name in the console's language, or the code when we have none. */
export function languageName(code) {
  const key = `language.${code}`;
  const text = t(key);
  return text === key ? String(code ?? '') : text;
}
