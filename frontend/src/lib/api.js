// The JSON API client. Every failure becomes an ApiError so pages handle one
// shape: the server's {"error": {code, message, fields}}, or a code of our own
// when the answer never came or was not JSON.

const base = '/api/v1';

/** An API failure: status is 0 when the server could not be reached. */
export class ApiError extends Error {
  /**
   * @param {string} message
   * @param {{status: number, code: string, reason?: string, fields?: Record<string, string>, codes?: Record<string, {code: string}>, retryAfter?: string | null}} details
   */
  constructor(message, { status, code, reason = '', fields = {}, codes = {}, retryAfter = null }) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    /** Which refusal of its class this is (a 409's "campaign_closed"), for lib/errorCodes.js to translate. */
    this.reason = reason;
    this.fields = fields;
    /** Each field's reason as a machine code with parameters: {name: {code: 'too_long', max: 100}}. */
    this.codes = codes;
    /** The Retry-After header of a 429, as sent. */
    this.retryAfter = retryAfter;
  }
}

/**
 * Send a request to the API and return the decoded JSON body.
 * @param {string} method
 * @param {string} path relative to /api/v1, e.g. "/campaigns"
 * @param {{body?: unknown, signal?: AbortSignal}} [options]
 */
export function request(method, path, { body, signal } = {}) {
  return send(method, path, { body, signal });
}

/**
 * The one fetch client, for the public pages and (with a bearer token) the
 * console: a JSON body or a raw one, a JSON, text or blob answer, and every
 * failure as an ApiError, with the Retry-After of a 429.
 * @param {string} method
 * @param {string} path relative to /api/v1
 * @param {{
 *   body?: unknown, rawBody?: BodyInit, contentType?: string, accept?: string,
 *   as?: 'json' | 'text' | 'blob', signal?: AbortSignal, bearer?: string, fetch?: typeof fetch,
 * }} [options]
 */
export async function send(method, path, { body, rawBody, contentType, accept, as = 'json', signal, bearer, fetch: fetchFn } = {}) {
  const headers = { Accept: accept ?? (as === 'json' ? 'application/json' : '*/*') };
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  let payload;
  if (rawBody !== undefined) {
    payload = rawBody;
    headers['Content-Type'] = contentType ?? 'application/octet-stream';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  let res;
  try {
    res = await (fetchFn ?? globalThis.fetch)(base + path, { method, headers, body: payload, credentials: 'same-origin', signal });
  } catch (err) {
    if (err?.name === 'AbortError') throw err; // the caller moved on; not an error to show
    throw new ApiError('The server could not be reached.', { status: 0, code: 'network' });
  }
  if (res.ok) {
    if (res.status === 204) return null;
    if (as === 'text') return res.text();
    if (as === 'blob') return res.blob();
    // An HTML page here means a route fell through to the SPA fallback.
    const data = await readJSON(res);
    if (data === undefined) throw new ApiError('The server sent an answer that is not JSON.', { status: res.status, code: 'bad_response' });
    return data;
  }
  const e = (await readJSON(res))?.error;
  if (e && typeof e.code === 'string') {
    throw new ApiError(e.message || e.code, {
      status: res.status,
      code: e.code,
      reason: typeof e.reason === 'string' ? e.reason : '',
      fields: e.fields ?? {},
      codes: e.codes ?? {},
      retryAfter: res.headers.get('Retry-After'),
    });
  }
  // A proxy or load balancer answered (HTML 502 and the like): no API error body.
  throw new ApiError(`Unexpected answer from the server (HTTP ${res.status}).`, { status: res.status, code: 'http_error' });
}

/**
 * GET a same-origin resource outside the API (the transparency log's
 * checkpoints and tiles) as bytes, without cookies. A failed answer throws
 * an ApiError with its status.
 * @param {string} path absolute, such as /log/key
 */
export async function getBytes(path, { fetch: fetchFn } = {}) {
  let res;
  try {
    res = await (fetchFn ?? globalThis.fetch)(path, { credentials: 'omit' });
  } catch {
    throw new ApiError('The server could not be reached.', { status: 0, code: 'network' });
  }
  if (!res.ok) throw new ApiError(`GET ${path}: ${res.status}`, { status: res.status, code: 'http_error' });
  return new Uint8Array(await res.arrayBuffer());
}

/** The decoded body, or undefined when it is not JSON. */
async function readJSON(res) {
  const type = res.headers.get('Content-Type') ?? '';
  if (!type.includes('json')) return undefined;
  try {
    return await res.json();
  } catch {
    return undefined;
  }
}

/** GET a JSON resource. */
export function get(path, options) {
  return request('GET', path, options);
}

/**
 * The public campaigns, open and closed: with `lang`, each in that language
 * where it has a complete translation (its `language` says which).
 */
export async function listCampaigns({ lang, ...options } = {}) {
  const data = await get(lang ? `/campaigns?lang=${encodeURIComponent(lang)}` : '/campaigns', options);
  return data?.items ?? [];
}

/** One public campaign with its calls. */
export function getCampaign(slug, options) {
  return get(`/campaigns/${encodeURIComponent(slug)}`, options);
}

/** POST a JSON body. */
export function post(path, body, options) {
  return request('POST', path, { ...options, body });
}

const campaignPath = (slug) => `/campaigns/${encodeURIComponent(slug)}`;

/** Confirmed signatures by country (small cells folded into "other") and by day. */
export function getStats(slug, options) {
  return get(`${campaignPath(slug)}/stats`, options);
}

/** One page of listed signers: {items, next_cursor} ("" on the last page). */
export function listSigners(slug, cursor = '', options) {
  const query = cursor ? `?cursor=${encodeURIComponent(cursor)}` : '';
  return get(`${campaignPath(slug)}/signers${query}`, options);
}

/** The approved, public endorsements: {items: [{name, org_type, country, website, statement, all_calls, calls}]}. */
export function listEndorsements(slug, options) {
  return get(`${campaignPath(slug)}/endorsements`, options);
}

/** Sign a campaign: 202 {status: "pending"}, and a confirmation email. */
export function sign(slug, body, options) {
  return post(`${campaignPath(slug)}/signatures`, body, options);
}

/** What the site says about itself: {contact_email} ("" when the organisers gave none). */
export function getSite(options) {
  return get('/site', options);
}

/** Confirm a signature with the token from its email: {status, campaign}. */
export function confirmSignature(token) {
  return post('/signatures/confirm', { token });
}

/** Withdraw a signature with the token from its email: {status, campaign}. */
export function withdrawSignature(token) {
  return post('/signatures/withdraw', { token });
}

/** Stop digests to an official, with the token from a digest's unsubscribe link: {status}. */
export function unsubscribeContact(token) {
  return post('/contacts/unsubscribe', { token });
}

/** Set a staff account's new password with the token from the reset email. */
export function confirmPasswordReset(token, password) {
  return post('/auth/password-reset/confirm', { token, password });
}
