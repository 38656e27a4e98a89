// The plumbing the public forms (sign, endorse) share: field ids and their
// aria-describedby, focus on the first invalid field, and what a refused
// submission means for the person and for the proof of work.

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
