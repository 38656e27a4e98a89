import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../lib/api.js';
import { createSession } from './session.js';

const user = { id: 'u1', email: 'a@example.org', role: 'editor' };

function json(status, body) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}
const denied = () => json(401, { error: { code: 'unauthorized', message: 'sign in first' } });
const issued = (token) => json(200, { access_token: token, token_type: 'Bearer', expires_in: 900, user });

/** A fake server: routes by "METHOD path", records every call with its bearer. */
function server(routes) {
  const calls = [];
  const fetch = vi.fn(async (url, init) => {
    const key = `${init.method} ${url}`;
    calls.push({ key, auth: init.headers.Authorization ?? '', body: init.body });
    const handler = routes[key];
    if (!handler) throw new Error(`unexpected ${key}`);
    return handler(init, calls);
  });
  return { fetch, calls };
}

describe('session', () => {
  it('keeps the Retry-After of a 429, as the public pages do (one fetch client)', async () => {
    const { fetch } = server({
      'POST /api/v1/auth/login': () => issued('t1'),
      'POST /api/v1/admin/digests/d1/test': () =>
        new Response(JSON.stringify({ error: { code: 'rate_limited', message: 'slow down' } }), {
          status: 429, headers: { 'Content-Type': 'application/json', 'Retry-After': '7' },
        }),
    });
    const s = createSession({ fetch, locks: null });
    await s.login('a@example.org', 'secret secret');
    const err = await s.post('/admin/digests/d1/test', { email: 'b@example.org' }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('rate_limited');
    expect(err.retryAfter).toBe('7');
  });

  it('signs in and sends the access token, kept in memory only', async () => {
    const { fetch, calls } = server({
      'POST /api/v1/auth/login': () => issued('t1'),
      'GET /api/v1/admin/contacts': () => json(200, { items: [] }),
    });
    const onChange = vi.fn();
    const s = createSession({ fetch, onChange, locks: null });
    expect(await s.login('a@example.org', 'secret secret')).toEqual(user);
    expect(JSON.parse(calls[0].body)).toEqual({ email: 'a@example.org', password: 'secret secret' });
    expect(onChange).toHaveBeenCalledWith(user);
    await s.get('/admin/contacts');
    expect(calls[1].auth).toBe('Bearer t1');
    expect(globalThis.localStorage?.getItem?.('access_token') ?? null).toBeNull();
  });

  it('refreshes once on a 401 and retries with the new token', async () => {
    let n = 0;
    const { fetch, calls } = server({
      'POST /api/v1/auth/login': () => issued('old'),
      'POST /api/v1/auth/refresh': () => issued('new'),
      'GET /api/v1/admin/digests': (init) => (init.headers.Authorization === 'Bearer new' ? json(200, { items: [n++] }) : denied()),
    });
    const s = createSession({ fetch, locks: null });
    await s.login('a@example.org', 'pw');
    expect(await s.get('/admin/digests')).toEqual({ items: [0] });
    expect(calls.map((c) => c.key)).toEqual([
      'POST /api/v1/auth/login',
      'GET /api/v1/admin/digests',
      'POST /api/v1/auth/refresh',
      'GET /api/v1/admin/digests',
    ]);
    expect(calls[3].auth).toBe('Bearer new');
  });

  it('signs out locally when the refresh is refused, and does not loop', async () => {
    const { fetch, calls } = server({
      'POST /api/v1/auth/login': () => issued('old'),
      'POST /api/v1/auth/refresh': () => denied(),
      'GET /api/v1/admin/users': () => denied(),
    });
    const onChange = vi.fn();
    const s = createSession({ fetch, onChange, locks: null });
    await s.login('a@example.org', 'pw');
    const err = await s.get('/admin/users').catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(401);
    expect(s.user).toBeNull();
    expect(onChange).toHaveBeenLastCalledWith(null);
    expect(calls.filter((c) => c.key.endsWith('/refresh'))).toHaveLength(1);
  });

  it('signs out when the retried request is refused again', async () => {
    const { fetch, calls } = server({
      'POST /api/v1/auth/login': () => issued('a'),
      'POST /api/v1/auth/refresh': () => issued('b'),
      'GET /api/v1/admin/audit': () => denied(),
    });
    const s = createSession({ fetch, locks: null });
    await s.login('a@example.org', 'pw');
    await expect(s.get('/admin/audit')).rejects.toMatchObject({ status: 401 });
    expect(s.user).toBeNull();
    expect(calls.map((c) => c.key)).toHaveLength(4);
  });

  it('shares one refresh between concurrent 401s (a second would revoke the session)', async () => {
    let release;
    const gate = new Promise((r) => (release = r));
    const { fetch, calls } = server({
      'POST /api/v1/auth/login': () => issued('old'),
      'POST /api/v1/auth/refresh': async () => {
        await gate;
        return issued('new');
      },
      'GET /api/v1/admin/a': (init) => (init.headers.Authorization === 'Bearer new' ? json(200, { a: 1 }) : denied()),
      'GET /api/v1/admin/b': (init) => (init.headers.Authorization === 'Bearer new' ? json(200, { b: 1 }) : denied()),
    });
    const s = createSession({ fetch, locks: null });
    await s.login('a@example.org', 'pw');
    const both = Promise.all([s.get('/admin/a'), s.get('/admin/b')]);
    await new Promise((r) => setTimeout(r, 0));
    release();
    expect(await both).toEqual([{ a: 1 }, { b: 1 }]);
    expect(calls.filter((c) => c.key.endsWith('/refresh'))).toHaveLength(1);
  });

  it('serialises refreshes through Web Locks when the browser has them', async () => {
    const { fetch } = server({ 'POST /api/v1/auth/refresh': () => issued('t') });
    const request = vi.fn((name, fn) => fn());
    const s = createSession({ fetch, locks: { request } });
    expect(await s.refresh()).toEqual(user);
    expect(request).toHaveBeenCalledWith('undersigned-refresh', expect.any(Function));
  });

  it('restores no session when there is no refresh cookie', async () => {
    const { fetch } = server({ 'POST /api/v1/auth/refresh': () => denied() });
    const s = createSession({ fetch, locks: null });
    expect(await s.refresh()).toBeNull();
    expect(s.user).toBeNull();
  });

  it('does not retry a wrong password', async () => {
    const { fetch, calls } = server({ 'POST /api/v1/auth/login': () => denied() });
    const s = createSession({ fetch, locks: null });
    await expect(s.login('a@example.org', 'wrong')).rejects.toMatchObject({ status: 401 });
    expect(calls).toHaveLength(1);
  });

  it('forgets the user on logout even when the server cannot be reached', async () => {
    const fetch = vi.fn(async (url) => {
      if (url.endsWith('/login')) return issued('t');
      throw new TypeError('offline');
    });
    const s = createSession({ fetch, locks: null });
    await s.login('a@example.org', 'pw');
    await expect(s.logout()).rejects.toMatchObject({ code: 'network' });
    expect(s.user).toBeNull();
  });

  it('sends a raw body with its content type and reads text and errors', async () => {
    const { fetch, calls } = server({
      'POST /api/v1/auth/login': () => issued('t'),
      'POST /api/v1/admin/contacts/import': () => json(200, { created: 1, updated: 0, rejected: 0, errors: [] }),
      'GET /api/v1/admin/digests/d1/preview?format=text': () => new Response('Hello', { headers: { 'Content-Type': 'text/plain' } }),
      'DELETE /api/v1/admin/contacts/c1': () => json(409, { error: { code: 'conflict', message: 'no', fields: {} } }),
    });
    const s = createSession({ fetch, locks: null });
    await s.login('a@example.org', 'pw');
    await s.request('POST', '/admin/contacts/import', { rawBody: 'name,email,region\n', contentType: 'text/csv' });
    const init = fetch.mock.calls[1][1];
    expect(init.headers['Content-Type']).toBe('text/csv');
    expect(init.body).toBe('name,email,region\n');
    expect(calls[1].auth).toBe('Bearer t');
    expect(await s.request('GET', '/admin/digests/d1/preview?format=text', { as: 'text' })).toBe('Hello');
    await expect(s.del('/admin/contacts/c1')).rejects.toMatchObject({ status: 409, code: 'conflict' });
  });
});
