// The server gives each refused field a stable code with parameters
// ({"code": "too_long", "max": 100}) beside its English message. We show
// the code's text from our dictionaries (key "error.<code>", {max} filled
// in), so that rewording a Go message never turns a page English; the
// message is the fallback for a code we do not know yet. A Go test
// (TestEveryFieldCodeIsTranslated) fails when a dictionary lacks a code.
// The texts live in errors/*.json, apart from the public dictionaries, so
// that only the console and the forms that need them load them.

import { createTranslator, formatNumber, getLang } from './i18n.js';
import en from './errors/en.json';
import be from './errors/be.json';
import ru from './errors/ru.json';

const dictionaries = { en, be, ru };
const translators = new Map();

function t(key, vars) {
  const lang = getLang(); // reactive, like every interface string
  if (!translators.has(lang)) translators.set(lang, createTranslator(dictionaries, lang));
  return translators.get(lang).t(key, vars);
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
