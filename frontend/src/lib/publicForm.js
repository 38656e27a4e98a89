// The plumbing the public forms (sign, endorse) share: field ids and their
// aria-describedby, focus on the first invalid field, what a refused
// submission means for the person and for the proof of work, and the submit
// flow itself.
import { tick } from 'svelte';
import { loadCountryNames } from './countries.js';
import { getLang } from './i18n.js';
import { retryMinutes } from './signForm.js';

/**
 * Field helpers for one form instance.
 * @param {string} id the form's $props.id()
 * @param {() => HTMLFormElement | undefined} formOf
 * @param {{firstInvalid: (errors: Record<string, string>) => string | undefined, groups?: string[]}} rules
 *   groups are fields made of several inputs (radio buttons, checkboxes): focus goes to the checked one, or the first
 */
export function fieldsOf(id, formOf, { firstInvalid, groups = [] }) {
  const fieldId = (name) => `${id}-${name}`;
  return {
    fieldId,
    /** aria-describedby for a field: its hint (if any) and its error (if any). */
    describedBy(errors, name, hint = true) {
      const ids = [];
      if (hint) ids.push(`${fieldId(name)}-hint`);
      if (errors[name]) ids.push(`${fieldId(name)}-error`);
      return ids.join(' ') || undefined;
    },
    /** Move the focus to the first field with an error (after the DOM has updated). */
    focusFirstInvalid(errors) {
      const name = firstInvalid(errors);
      if (!name) return;
      const form = formOf();
      const target = groups.includes(name)
        ? form?.querySelector(`input[name="${fieldId(name)}"]:checked`) ?? form?.querySelector(`input[name="${fieldId(name)}"]`)
        : document.getElementById(fieldId(name));
      target?.focus();
    },
  };
}

/**
 * What a refused submission means: `fields` (a 422 naming fields), `conflict`
 * (409: closed, or not open yet), `rate` (429, with the minutes to wait when
 * the server said), `network`, or `generic`. powSpent tells whether the proof
 * of work may have been spent: the server checks fields before it, so a
 * solution refused for a field (other than pow itself) is still good.
 * @param {any} err an ApiError
 * @param {(header: string | null | undefined) => number | null} retryMinutes
 */
export function refusal(err, retryMinutes) {
  const fields = err?.status === 422 && Object.keys(err.fields ?? {}).length > 0;
  const powSpent = !fields || 'pow' in err.fields;
  if (fields) return { kind: 'fields', fields: err.fields, powSpent };
  if (err?.status === 409) return { kind: 'conflict', powSpent };
  if (err?.status === 429) return { kind: 'rate', minutes: retryMinutes(err.retryAfter), powSpent };
  if (err?.code === 'network') return { kind: 'network', powSpent };
  return { kind: 'generic', powSpent };
}

/**
 * A refused submission in the reader's language, from the shared mapping of
 * codes to words (errorCodes.js, the console's too): {fields: {name: text},
 * form: text, powSpent}. form is "" when the form's own fields say it all.
 * The mapping and its dictionaries are fetched when first needed (refusals
 * are rare; the public page has a size budget); if that fetch fails, form
 * is null and the page says what it can in its own words.
 * @param {any} err an ApiError
 * @param {string[]} formFields the fields the form shows
 * @param {(header: string | null | undefined) => number | null} retryMinutes
 */
export async function explainRefusal(err, formFields, retryMinutes) {
  const { powSpent } = refusal(err, retryMinutes);
  try {
    const { describeRefusal } = await import('./errorCodes.js');
    return { ...describeRefusal(err, formFields, { minutes: retryMinutes(err?.retryAfter) }), powSpent };
  } catch {
    return { fields: {}, form: null, powSpent };
  }
}

/**
 * A field's error as shown: a message key of the form's own check, or a
 * server refusal already in words ({text}).
 * @param {string | {text: string}} error
 * @param {(key: string) => string} t
 */
export function errorLine(error, t) {
  return typeof error === 'object' && error ? error.text : t(error);
}

/**
 * Submits a public form, the same way for each: the form's own check first
 * (errors next to their fields, focus on the first), then the proof of work
 * (solved in the background since the form was seen or touched), then
 * send; done, or the refusal in words. s is the form's $state: {values,
 * errors, message (a whole-form problem, already translated), phase (form |
 * sending | done), sentTo, doneHeading}.
 * @param {Event} event
 * @param {Record<string, any>} s
 * @param {{
 *   prefix: string, t: (key: string) => string, fields: ReturnType<typeof fieldsOf>, fieldOrder: string[],
 *   pow: {take: () => Promise<string>, discard: () => void, start: () => any},
 *   check: (values: any, lang: string) => {errors: Record<string, any>, body: Record<string, any>},
 *   send: (body: Record<string, any>) => Promise<any>, sentTo: (body: Record<string, any>) => string,
 * }} o prefix names the form's messages (sign.error.summary, ...), which t translates
 */
export async function submitForm(event, s, o) {
  event.preventDefault();
  if (s.phase === 'sending') return;
  const { prefix, t, pow } = o;
  const invalid = async () => {
    await tick();
    o.fields.focusFirstInvalid(s.errors);
  };
  s.message = '';
  // A country may be typed in any of our languages: have all their names
  // (fetched when the form was first touched; at once, usually).
  await loadCountryNames();
  if (s.phase === 'sending') return;
  const checked = o.check(s.values, getLang());
  s.errors = checked.errors;
  if (Object.keys(s.errors).length) {
    s.message = t(`${prefix}.error.summary`);
    return invalid();
  }
  s.phase = 'sending';
  try {
    checked.body.pow = await pow.take();
  } catch {
    s.phase = 'form';
    s.message = t(`${prefix}.pow.failed`);
    return;
  }
  try {
    await o.send(checked.body);
    pow.discard(); // spent: another submission from this page needs a new one
    s.sentTo = o.sentTo(checked.body);
    s.phase = 'done';
    await tick();
    s.doneHeading?.focus();
  } catch (err) {
    s.phase = 'form';
    const r = await explainRefusal(err, o.fieldOrder, retryMinutes);
    if (r.powSpent) {
      pow.discard();
      pow.start();
    }
    s.errors = Object.fromEntries(Object.entries(r.fields).map(([name, text]) => [name, { text }]));
    if (r.form === null) s.message = t(`${prefix}.error.${err?.code === 'network' ? 'network' : 'generic'}`);
    else s.message = r.form || t(`${prefix}.error.summary`);
    if (Object.keys(s.errors).length) return invalid();
  }
}
