// The campaign editor's pure parts: the form from a campaign, the request
// body from the form, and times between <input type="datetime-local"> and
// RFC 3339.

export const audiences = ['belarus', 'eu', 'us', 'intl'];
export const statuses = ['draft', 'open', 'closed'];
export const contentLanguages = ['en', 'be', 'ru'];

/** An RFC 3339 time as a datetime-local value in the browser's zone ("" for none). */
export function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local value (the browser's zone) as RFC 3339 in UTC, or null when empty. */
export function fromLocalInput(value) {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The editor's form for a campaign (or a new one). */
export function campaignToForm(c) {
  const calls = (c?.calls ?? []).map((call) => ({ id: call.id ?? '', audiences: [...(call.audiences ?? [])], text: call.text ?? '' }));
  const language = c?.language ?? 'en';
  const translations = {};
  for (const lang of contentLanguages) {
    if (lang === language) continue;
    const tr = c?.translations?.[lang];
    translations[lang] = {
      enabled: Boolean(tr),
      title: tr?.title ?? '',
      summary: tr?.summary ?? '',
      body: tr?.body ?? '',
      calls: calls.map((_, i) => tr?.calls?.[i] ?? ''),
    };
  }
  return {
    slug: c?.slug ?? '',
    title: c?.title ?? '',
    summary: c?.summary ?? '',
    body: c?.body ?? '',
    language,
    goal: c?.goal ?? 0,
    status: c?.status ?? 'draft',
    opens_at: toLocalInput(c?.opens_at),
    closes_at: toLocalInput(c?.closes_at),
    retention_days: c?.retention_days ?? 90,
    contact_email: c?.contact_email ?? '',
    sender_name: c?.sender_name ?? '',
    calls,
    translations,
  };
}

/**
 * The body of POST or PATCH from the form: every field (PATCH takes the
 * whole campaign as well; the server keeps what is not sent). Translations
 * are sent only for the languages that are switched on; a translation's
 * calls only when every one is filled in.
 */
export function formToBody(form) {
  const calls = form.calls.map((call) => {
    const out = { audiences: audiences.filter((a) => call.audiences.includes(a)), text: call.text.trim() };
    if (call.id) out.id = call.id;
    return out;
  });
  const translations = {};
  for (const [lang, tr] of Object.entries(form.translations)) {
    if (!tr.enabled || lang === form.language) continue;
    const trCalls = tr.calls.slice(0, calls.length).map((c) => c.trim());
    translations[lang] = {
      title: tr.title.trim(),
      summary: tr.summary.trim(),
      body: tr.body,
      calls: trCalls.length === calls.length && trCalls.every(Boolean) ? trCalls : [],
    };
  }
  return {
    slug: form.slug.trim(),
    title: form.title.trim(),
    summary: form.summary.trim(),
    body: form.body,
    language: form.language,
    goal: Number(form.goal) || 0,
    status: form.status,
    opens_at: fromLocalInput(form.opens_at),
    closes_at: fromLocalInput(form.closes_at),
    retention_days: Number(form.retention_days) || 90,
    contact_email: (form.contact_email ?? '').trim(),
    sender_name: (form.sender_name ?? '').trim(),
    calls,
    translations,
  };
}

/** Where a server field error belongs: "calls[2].text" → {call: 2, field: "text"}. */
export function locateField(name) {
  const call = name.match(/^calls\[(\d+)\]\.(\w+)$/);
  if (call) return { call: Number(call[1]), field: call[2] };
  const tr = name.match(/^translations\.([a-z-]+)(?:\.(\w+)(?:\[(\d+)\])?)?$/i);
  if (tr) return { translation: tr[1], field: tr[2] ?? '', call: tr[3] === undefined ? undefined : Number(tr[3]) };
  return { field: name };
}

/**
 * What a translation lacks to be served (the server keeps an incomplete one
 * as a draft that readers never see): [{part: "title"|"summary"|"body"} |
 * {part: "call", n}] in form order; empty when it is complete.
 */
export function translationMissing(tr, calls) {
  const missing = [];
  for (const part of ['title', 'summary', 'body']) if (!String(tr?.[part] ?? '').trim()) missing.push({ part });
  calls.forEach((_, i) => {
    if (!String(tr?.calls?.[i] ?? '').trim()) missing.push({ part: 'call', n: i + 1 });
  });
  return missing;
}
