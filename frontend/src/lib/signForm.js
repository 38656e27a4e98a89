// The sign form's logic, kept out of the component so it can be tested:
// the partner code from the URL, checks before sending (the same limits as
// the server), and the server's 422 fields turned into our own messages.

import { resolveCountry } from './countries.js';

const refPattern = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** The fields in the order the form shows them: the first invalid one gets focus. */
export const fieldOrder = ['name', 'email', 'country', 'comment', 'visibility', 'consent'];

export const visibilities = ['private', 'initials', 'public'];

export const limits = { name: 100, comment: 500 };

/**
 * What the form and the privacy page promise about who can see what, in
 * the order they are shown. server/internal/api/truth_test.go checks each
 * against what the server does: a new promise needs a check there.
 */
export const promises = ['truth.public', 'truth.staff', 'truth.coalition', 'truth.server', 'truth.close', 'truth.email', 'truth.countOnly'];

/**
 * The partner's share code from a page URL's query (?ref=CODE), or "" when
 * it is missing or not a valid code (the server would refuse the signature).
 * @param {string} search e.g. location.search
 */
export function parseRef(search) {
  const ref = new URLSearchParams(search ?? '').get('ref') ?? '';
  return refPattern.test(ref) ? ref : '';
}

// A pragmatic check: one @, something before it, a dot in the domain, no spaces.
// The server decides; this only catches typos before a round trip.
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Check the form and build the request body.
 * @param {{name: string, email: string, country: string, comment: string, visibility: string, updates: boolean, consent: boolean}} values
 * @param {{lang: string, ref?: string, pow?: string}} context
 * @returns {{errors: Record<string, string>, body: object}} errors maps a field to a message key
 */
export function checkSignForm(values, { lang, ref = '', pow = '' }) {
  const errors = {};
  const name = String(values.name ?? '').trim().replace(/\s+/g, ' ');
  const visibility = visibilities.includes(values.visibility) ? values.visibility : 'private';
  // Count-only: a private signature may leave the name out entirely.
  if (!name && visibility !== 'private') errors.name = 'sign.error.name.listed';
  else if ([...name].length > limits.name) errors.name = 'sign.error.name.long';

  const email = String(values.email ?? '').trim();
  if (!email) errors.email = 'sign.error.email.required';
  else if (!emailPattern.test(email)) errors.email = 'sign.error.email.invalid';

  const country = resolveCountry(values.country, lang);
  if (!String(values.country ?? '').trim()) errors.country = 'sign.error.country.required';
  else if (!country) errors.country = 'sign.error.country.unknown';

  const comment = String(values.comment ?? '').trim();
  if ([...comment].length > limits.comment) errors.comment = 'sign.error.comment.long';

  if (!values.consent) errors.consent = 'sign.error.consent';

  // language: the confirmation email is written in the page's language, not the browser's.
  const body = { email, country, visibility, updates: Boolean(values.updates), consent: Boolean(values.consent), pow, language: lang };
  if (name) body.name = name;
  if (comment) body.comment = comment;
  if (ref) body.ref = ref;
  return { errors, body };
}

/** The first field, in form order, that has an error, or "". */
export function firstInvalid(errors) {
  return fieldOrder.find((f) => errors[f]) ?? '';
}

/**
 * Whole minutes to wait from a Retry-After header (seconds or an HTTP date),
 * at least 1; null when there is none.
 * @param {string | null} header
 * @param {number} [now]
 */
export function retryMinutes(header, now = Date.now()) {
  if (!header) return null;
  let seconds = Number(header);
  if (!Number.isFinite(seconds)) {
    const at = Date.parse(header);
    if (Number.isNaN(at)) return null;
    seconds = (at - now) / 1000;
  }
  return Math.max(1, Math.ceil(seconds / 60));
}
