import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, getCampaign, listCampaigns, listSigners, request, sign } from './api.js';

function answer(status, body, type = 'application/json', headers = {}) {
  return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': type, ...headers },
  });
}

function stubFetch(impl) {
  const fn = vi.fn(impl);
  vi.stubGlobal('fetch', fn);
  return fn;
}

afterEach(() => vi.unstubAllGlobals());

describe('api', () => {
  it('returns the campaigns list', async () => {
    const fetch = stubFetch(async () => answer(200, { items: [{ slug: 'a' }] }));
    expect(await listCampaigns()).toEqual([{ slug: 'a' }]);
    expect(fetch.mock.calls[0][0]).toBe('/api/v1/campaigns');
  });

  it('asks for the campaigns list in the reader\'s language', async () => {
    const fetch = stubFetch(async () => answer(200, { items: [] }));
    await listCampaigns({ lang: 'be' });
    expect(fetch.mock.calls[0][0]).toBe('/api/v1/campaigns?lang=be');
  });

  it('escapes the slug in the path', async () => {
    const fetch = stubFetch(async () => answer(200, { slug: 'a/b' }));
    await getCampaign('a/b');
    expect(fetch.mock.calls[0][0]).toBe('/api/v1/campaigns/a%2Fb');
  });

  it('sends a JSON body', async () => {
    const fetch = stubFetch(async () => answer(202, { status: 'pending' }));
    expect(await request('POST', '/x', { body: { name: 'A' } })).toEqual({ status: 'pending' });
    const init = fetch.mock.calls[0][1];
    expect(init.method).toBe('POST');
    expect(init.headers['Content-Type']).toBe('application/json');
    expect(init.body).toBe('{"name":"A"}');
  });

  it('turns the error shape into an ApiError with code and fields', async () => {
    stubFetch(async () =>
      answer(422, { error: { code: 'validation_failed', message: 'Check the form', fields: { email: 'invalid' } } }),
    );
    const err = await request('POST', '/x', { body: {} }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 422, code: 'validation_failed', message: 'Check the form', fields: { email: 'invalid' } });
  });

  it('reports a 404 as not_found', async () => {
    stubFetch(async () => answer(404, { error: { code: 'not_found', message: 'no such campaign' } }));
    await expect(getCampaign('nope')).rejects.toMatchObject({ status: 404, code: 'not_found', fields: {} });
  });

  it('reports a non-JSON error page as http_error', async () => {
    stubFetch(async () => answer(502, '<h1>Bad Gateway</h1>', 'text/html'));
    await expect(listCampaigns()).rejects.toMatchObject({ status: 502, code: 'http_error' });
  });

  it('reports HTML on success as bad_response (an SPA fallback caught an API path)', async () => {
    stubFetch(async () => answer(200, '<!doctype html>', 'text/html'));
    await expect(listCampaigns()).rejects.toMatchObject({ code: 'bad_response' });
  });

  it('reports an unreachable server as network', async () => {
    stubFetch(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(listCampaigns()).rejects.toMatchObject({ status: 0, code: 'network' });
  });

  it('lets an abort through unchanged', async () => {
    stubFetch(async () => {
      throw new DOMException('aborted', 'AbortError');
    });
    await expect(listCampaigns()).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('keeps Retry-After on a 429', async () => {
    stubFetch(async () => answer(429, { error: { code: 'rate_limited', message: 'slow down' } }, 'application/json', { 'Retry-After': '120' }));
    await expect(request('POST', '/x', { body: {} })).rejects.toMatchObject({ status: 429, code: 'rate_limited', retryAfter: '120' });
  });

  it('pages through signers with the cursor', async () => {
    const fetch = stubFetch(async () => answer(200, { items: [], next_cursor: '' }));
    await listSigners('a b');
    await listSigners('a', 'c/1');
    expect(fetch.mock.calls.map((c) => c[0])).toEqual(['/api/v1/campaigns/a%20b/signers', '/api/v1/campaigns/a/signers?cursor=c%2F1']);
  });

  it('posts a signature to its campaign', async () => {
    const fetch = stubFetch(async () => answer(202, { status: 'pending' }));
    expect(await sign('s', { name: 'A' })).toEqual({ status: 'pending' });
    expect(fetch.mock.calls[0][0]).toBe('/api/v1/campaigns/s/signatures');
    expect(fetch.mock.calls[0][1].method).toBe('POST');
  });
});
