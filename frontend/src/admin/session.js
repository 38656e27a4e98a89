// The staff session: the access token lives in this closure only (never in
// localStorage, where any script on the origin could read it); the refresh
// token is an HttpOnly cookie the browser sends to /api/v1/auth by itself.
//
// Every staff request carries the access token. On a 401 the session is
// refreshed once and the request tried again. Refreshing rotates the cookie,
// and the server ends the session when an old cookie comes back, so two
// refreshes must never race: one refresh at a time in this tab (a shared
// promise) and, where the browser has Web Locks, across tabs too.

import { ApiError, send as apiSend } from '../lib/api.js';

/**
 * @typedef {{id: string, email: string, role: string}} User
 * @typedef {{
 *   body?: unknown, rawBody?: BodyInit, contentType?: string, accept?: string,
 *   as?: 'json' | 'text' | 'blob', signal?: AbortSignal,
 * }} RequestOptions
 */

/**
 * @param {{
 *   fetch?: typeof fetch,
 *   onChange?: (user: User | null) => void,
 *   locks?: {request: (name: string, fn: () => Promise<any>) => Promise<any>} | null,
 * }} [options]
 */
export function createSession({ fetch: fetchFn, onChange = () => {}, locks } = {}) {
  const lockManager = locks === undefined ? globalThis.navigator?.locks ?? null : locks;
  let token = '';
  let user = null;
  let refreshing = null;

  function set(next, nextToken) {
    token = nextToken;
    const changed = next?.id !== user?.id || next?.role !== user?.role || next?.email !== user?.email;
    user = next;
    if (changed) onChange(user);
  }

  function adopt(data) {
    if (!data?.access_token || !data.user) throw new ApiError('The server sent no session.', { status: 200, code: 'bad_response' });
    set(data.user, data.access_token);
    return data.user;
  }

  /** Sign in; resolves to the user. A wrong password is an ApiError with status 401. */
  async function login(email, password) {
    const data = await send('POST', '/auth/login', { body: { email, password } }, '');
    return adopt(data);
  }

  /**
   * Spend the refresh cookie for a new access token. Resolves to the user, or
   * null when there is no session (signed out everywhere, cookie expired).
   * Concurrent callers share one request.
   */
  function refresh() {
    if (!refreshing) {
      const run = async () => {
        try {
          return adopt(await send('POST', '/auth/refresh', {}, ''));
        } catch (err) {
          if (err instanceof ApiError && err.status === 401) {
            set(null, '');
            return null;
          }
          throw err;
        }
      };
      const locked = lockManager ? () => lockManager.request('undersigned-refresh', run) : run;
      refreshing = locked().finally(() => {
        refreshing = null;
      });
    }
    return refreshing;
  }

  /** End the session here and on the server (the cookie is cleared there). */
  async function logout() {
    try {
      await send('POST', '/auth/logout', {}, token);
    } finally {
      set(null, '');
    }
  }

  /**
   * A staff request with the access token; on 401, one refresh and one retry.
   * A second 401 (or no session to refresh) signs the user out here.
   * @param {string} method
   * @param {string} path relative to /api/v1
   * @param {RequestOptions} [options]
   */
  async function request(method, path, options = {}) {
    const sentWith = token;
    try {
      return await send(method, path, options, token);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) throw err;
      // Another request may have refreshed meanwhile: retry with its token.
      const fresh = token !== sentWith && token ? user : await refresh();
      if (!fresh) throw err;
      try {
        return await send(method, path, options, token);
      } catch (again) {
        if (again instanceof ApiError && again.status === 401) set(null, '');
        throw again;
      }
    }
  }

  function send(method, path, options, bearer) {
    return apiSend(method, path, { ...options, bearer, fetch: fetchFn });
  }

  return {
    login,
    logout,
    refresh,
    request,
    get: (path, options) => request('GET', path, options),
    post: (path, body, options) => request('POST', path, { ...options, body }),
    patch: (path, body, options) => request('PATCH', path, { ...options, body }),
    del: (path, options) => request('DELETE', path, options),
    /** The signed-in user, or null. */
    get user() {
      return user;
    },
  };
}
