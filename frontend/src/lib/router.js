// A tiny History API router. Route matching is pure (parseRoute) so it can be
// tested without a browser; navigate/listen are the only parts that touch window.

/** Route table: a name and a pattern of literal segments and :params. */
const routes = [
  { name: 'home', pattern: [] },
  { name: 'campaign', pattern: ['c', ':slug'] },
  { name: 'privacy', pattern: ['privacy'] },
  // Links in emails (docs/api.md): each page asks for a click before it acts.
  { name: 'confirm', pattern: ['confirm', ':token'] },
  { name: 'withdraw', pattern: ['withdraw', ':token'] },
  { name: 'reset', pattern: ['reset', ':token'] },
  { name: 'unsubscribe', pattern: ['unsubscribe', ':token'] },
  { name: 'endorse', pattern: ['c', ':slug', 'endorse'] },
  { name: 'endorse-confirm', pattern: ['endorse', 'confirm', ':token'] },
  // Anyone checks a receipt against a campaign's public log (issue 15).
  { name: 'verify', pattern: ['verify'] },
  // The staff console: /admin and every path under it (the console routes the rest).
  { name: 'admin', pattern: ['admin'], prefix: true },
];

/**
 * Map a URL path to a route.
 * @param {string} pathname e.g. "/c/release-all-political-prisoners"
 * @returns {{name: string, params: Record<string, string>}}
 */
export function parseRoute(pathname) {
  const segments = pathname.split('/').filter(Boolean);
  for (const route of routes) {
    const params = match(route.pattern, route.prefix ? segments.slice(0, route.pattern.length) : segments);
    if (params) return { name: route.name, params };
  }
  return { name: 'not-found', params: {} };
}

function match(pattern, segments) {
  if (pattern.length !== segments.length) return null;
  const params = {};
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i];
    let got;
    try {
      got = decodeURIComponent(segments[i]);
    } catch {
      return null; // malformed %-escape: no route can claim it
    }
    if (want.startsWith(':')) params[want.slice(1)] = got;
    else if (want !== got) return null;
  }
  return params;
}

/** The path of a campaign page, for links. */
export function campaignPath(slug) {
  return `/c/${encodeURIComponent(slug)}`;
}

/**
 * Whether a click on a link should be handled by the router rather than by the
 * browser: only plain left clicks on same-origin links to another page.
 * @param {{defaultPrevented: boolean, button: number, metaKey: boolean, ctrlKey: boolean, shiftKey: boolean, altKey: boolean}} event
 * @param {{href: string, target: string, hasAttribute(name: string): boolean} | null} anchor
 * @param {URL} here the current location
 */
export function shouldIntercept(event, anchor, here) {
  if (!anchor || event.defaultPrevented || event.button !== 0) return false;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return false;
  if ((anchor.target && anchor.target !== '_self') || anchor.hasAttribute('download')) return false;
  const url = new URL(anchor.href, here);
  if (url.origin !== here.origin) return false;
  // API and health endpoints are not pages: let the browser fetch them.
  if (url.pathname.startsWith('/api/') || url.pathname === '/healthz' || url.pathname === '/readyz') return false;
  // A fragment on the same page (the skip link) is the browser's job.
  if (url.pathname === here.pathname && url.search === here.search && url.hash) return false;
  return true;
}

const listeners = new Set();

/** Go to a path inside the app, adding a history entry. */
export function navigate(path) {
  history.pushState(null, '', path);
  for (const fn of listeners) fn(location.pathname, { push: true });
}

/**
 * Call fn with the new path after every navigation, including Back/Forward.
 * @returns {() => void} unsubscribe
 */
export function listen(fn) {
  // A fragment link on the same page (the "Sign" button's #sign) fires
  // popstate too: the page is the same, so it is left alone, or the
  // re-rendered route would throw the reader back to the top.
  let shown = location.pathname + location.search;
  const onPop = () => {
    const now = location.pathname + location.search;
    if (now === shown) return;
    shown = now;
    fn(location.pathname, { push: false });
  };
  const onPush = (path, how) => {
    shown = location.pathname + location.search;
    fn(path, how);
  };
  listeners.add(onPush);
  window.addEventListener('popstate', onPop);
  return () => {
    listeners.delete(onPush);
    window.removeEventListener('popstate', onPop);
  };
}
