// The endorse form's logic, apart from the component so it can be tested:
// checks before sending (the server's limits), the request body, and the
// server's 422 fields turned into our own message keys.

import { resolveCountry } from '../lib/countries.js';

export const orgTypes = ['ngo', 'trade_union', 'media', 'diaspora', 'party', 'academic', 'other'];

/** The fields in the order the form shows them: the first invalid one gets focus. */
export const fieldOrder = ['organization', 'org_type', 'country', 'website', 'contact_name', 'contact_email', 'statement', 'calls'];

export const limits = { organization: 200, website: 300, contact_name: 100, statement: 1000 };

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const squash = (s) => String(s ?? '').trim().replace(/\s+/g, ' ');
const length = (s) => [...s].length;

/**
 * Check the form and build the request body.
 * @param {{organization: string, org_type: string, country: string, website: string, contact_name: string,
 *   contact_email: string, statement: string, scope: 'all' | 'some', calls: string[], confidential: boolean}} values
 * @param {{lang: string, pow?: string}} context
 * @returns {{errors: Record<string, string>, body: Record<string, any>}} errors map a field to a message key
 */
export function checkEndorseForm(values, { lang, pow = '' }) {
  const errors = {};
  const organization = squash(values.organization);
  if (!organization) errors.organization = 'endorse.error.organization.required';
  else if (length(organization) < 2 || length(organization) > limits.organization) errors.organization = 'endorse.error.organization.length';

  if (!orgTypes.includes(values.org_type)) errors.org_type = 'endorse.error.org_type';

  const country = resolveCountry(values.country, lang);
  if (!String(values.country ?? '').trim()) errors.country = 'endorse.error.country.required';
  else if (!country) errors.country = 'endorse.error.country.unknown';

  let website = String(values.website ?? '').trim();
  if (website && !/^https?:\/\//i.test(website) && /^[^\s/]+\.[^\s/]+/.test(website)) website = `https://${website}`;
  if (website && (length(website) > limits.website || !isWebAddress(website))) errors.website = 'endorse.error.website';

  const contactName = squash(values.contact_name);
  if (!contactName) errors.contact_name = 'endorse.error.contact_name.required';
  else if (length(contactName) > limits.contact_name) errors.contact_name = 'endorse.error.contact_name.long';

  const contactEmail = String(values.contact_email ?? '').trim();
  if (!contactEmail) errors.contact_email = 'endorse.error.contact_email.required';
  else if (!emailPattern.test(contactEmail)) errors.contact_email = 'endorse.error.contact_email.invalid';

  const statement = String(values.statement ?? '').trim();
  if (length(statement) > limits.statement) errors.statement = 'endorse.error.statement.long';

  if (values.scope === 'some' && !(values.calls?.length > 0)) errors.calls = 'endorse.error.calls';

  const body = {
    organization,
    org_type: values.org_type,
    country,
    contact_name: contactName,
    contact_email: contactEmail,
    confidential: Boolean(values.confidential),
    pow,
    // The emails are written in the page's language, not the browser's.
    language: lang,
  };
  if (website) body.website = website;
  if (statement) body.statement = statement;
  // Leaving calls out endorses the whole statement.
  if (values.scope === 'some') body.calls = [...values.calls];
  return { errors, body };
}

function isWebAddress(text) {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.includes('.') && !url.username;
  } catch {
    return false;
  }
}

/** The first field, in form order, that has an error, or "". */
export function firstInvalid(errors) {
  return fieldOrder.find((f) => errors[f]) ?? '';
}
