// Pure helpers of the contacts page.

/** Tags as typed ("EP, foreign affairs") to the list the API takes. */
export function parseTags(text) {
  const seen = new Set();
  const out = [];
  for (const raw of String(text ?? '').split(',')) {
    const tag = raw.trim().replace(/\s+/g, ' ');
    if (tag && !seen.has(tag.toLowerCase())) {
      seen.add(tag.toLowerCase());
      out.push(tag);
    }
  }
  return out;
}

/**
 * The body of a contact's POST (new) or PATCH (changed fields only).
 * @param {Record<string, any>} form the form's values, tags as text
 * @param {Record<string, any> | null} before the contact as loaded, or null
 */
export function contactBody(form, before) {
  const body = {
    name: form.name.trim(),
    email: form.email.trim(),
    title: form.title.trim(),
    institution: form.institution.trim(),
    region: form.region,
    country: form.country,
    language: form.language,
    tags: parseTags(form.tags),
  };
  if (!before) return body;
  const changed = {};
  for (const [key, value] of Object.entries(body)) {
    const old = key === 'tags' ? before.tags ?? [] : before[key] ?? '';
    if (JSON.stringify(old) !== JSON.stringify(value)) changed[key] = value;
  }
  if (form.resubscribe && !before.subscribed) {
    changed.subscribed = true;
    changed.resubscribe_reason = form.reason.trim();
  }
  if (form.unsubscribe && before.subscribed) changed.subscribed = false;
  return changed;
}
