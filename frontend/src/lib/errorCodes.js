// The one place where an API refusal becomes words, for the console and
// the public forms alike. The server gives each refused field a stable code with parameters
// ({"code": "too_long", "max": 100}) beside its English message. We show
// the code's text from our dictionaries (key "error.<code>", {max} filled
// in), so that rewording a Go message never turns a page English; the
// message is the fallback for a code we do not know yet. A refusal that is
// not about one field (409, 401) has a reason ("campaign_closed",
// "reason.<reason>"), and every error a class ("rate_limited",
// "status.<code>"). Go tests (TestEveryFieldCodeIsTranslated,
// TestEveryReasonIsTranslated) fail when a dictionary lacks one.
// The texts live in errors/*.json, apart from the public dictionaries, so
// that only the console and the forms that need them load them.

import { createTranslator, formatNumber, getLang } from './i18n.js';
import en from './errors/en.json';
import be from './errors/be.json';
import ru from './errors/ru.json';

const dictionaries = { en, be, ru };
const translators = new Map();

function translator() {
  const lang = getLang(); // reactive, like every interface string
  if (!translators.has(lang)) translators.set(lang, createTranslator(dictionaries, lang));
  return translators.get(lang);
}

function t(key, vars) {
  return translator().t(key, vars);
}

/**
 * The reader's-language text for a coded field error, or "" for an unknown code.
 * @param {{code?: string} & Record<string, unknown>} coded
 */
export function codeMessage(coded) {
  const key = `error.${coded?.code}`;
  if (!coded?.code || !(key in dictionaries.en)) return '';
  const vars = {};
  for (const [name, value] of Object.entries(coded)) {
    if (name !== 'code') vars[name] = typeof value === 'number' ? formatNumber(value) : String(value);
  }
  return t(key, vars);
}

/**
 * A field error in the reader's language: the code's text where we know
 * the code, else the server's message as it is.
 * @param {string} message
 * @param {{code?: string} | undefined} coded
 */
export function fieldErrorText(message, coded) {
  return codeMessage(coded) || String(message ?? '');
}

/**
 * Every refused field of an API error, translated: {field: text}.
 * @param {{fields?: Record<string, string>, codes?: Record<string, {code: string}>}} err
 */
export function fieldErrorTexts(err) {
  const out = {};
  for (const field of new Set([...Object.keys(err?.fields ?? {}), ...Object.keys(err?.codes ?? {})])) {
    out[field] = fieldErrorText(err?.fields?.[field], err?.codes?.[field]);
  }
  return out;
}

/**
 * A refusal as one sentence in the reader's language: its reason where it
 * has one we know (409, 401), else its class (rate_limited, network, ...),
 * a 422's field texts, or "the server could not do this".
 * @param {any} err an ApiError
 * @param {{minutes?: number | null}} [options] minutes to wait, from a 429's Retry-After
 */
export function errorText(err, { minutes = null } = {}) {
  if (err?.reason && `reason.${err.reason}` in dictionaries.en) return t(`reason.${err.reason}`);
  if (err?.code === 'rate_limited' && minutes) return translator().tn('status.rate_limited_wait', minutes);
  if (err?.code === 'validation_failed') {
    const texts = Object.values(fieldErrorTexts(err));
    if (texts.length) return texts.join(' ');
  }
  const key = `status.${err?.code}`;
  return key in dictionaries.en ? t(key) : t('status.internal');
}

/**
 * A refused form submission: each field of the form the server refused,
 * with its text ({name: text}), and a text for the whole form when the
 * refusal is not about the form's fields (a closed campaign, a rate limit,
 * a field the person cannot fix such as the proof of work), else "".
 * @param {any} err an ApiError
 * @param {string[]} formFields the fields the form shows
 * @param {{minutes?: number | null}} [options]
 */
export function describeRefusal(err, formFields, options = {}) {
  const fields = {};
  const others = [];
  if (err?.code === 'validation_failed') {
    for (const [name, text] of Object.entries(fieldErrorTexts(err))) {
      if (formFields.includes(name)) fields[name] = text;
      else others.push(text);
    }
    if (Object.keys(fields).length || others.length) return { fields, form: others.join(' ') };
  }
  return { fields, form: errorText(err, options) };
}
