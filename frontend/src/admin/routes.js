// The console's own addresses, all under /admin. Pure, so it is tested
// without a browser; the section decides which role may open the page.

const table = [
  { name: 'dashboard', pattern: [] },
  { name: 'dashboard', pattern: [':slug'], prefix: 'dashboard' },
  { name: 'endorsements', pattern: ['endorsements'] },
  { name: 'digests', pattern: ['digests'] },
  { name: 'digest', section: 'digests', pattern: ['digests', ':id'] },
  { name: 'updates', pattern: ['updates'] },
  { name: 'contacts', pattern: ['contacts'] },
  { name: 'schedules', pattern: ['schedules'] },
  { name: 'campaigns', pattern: ['campaigns'] },
  { name: 'campaign', section: 'campaigns', pattern: ['campaigns', ':slug'] },
  { name: 'signatures', pattern: ['signatures'] },
  { name: 'users', pattern: ['users'] },
  { name: 'audit', pattern: ['audit'] },
  { name: 'outbox', pattern: ['outbox'] },
];

/**
 * Map a path under /admin to a console page.
 * @param {string} pathname e.g. "/admin/digests/42"
 * @returns {{name: string, section: string, params: Record<string, string>}}
 */
export function parseAdminRoute(pathname) {
  const segments = pathname.split('/').filter(Boolean);
  if (segments[0] !== 'admin') return { name: 'not-found', section: '', params: {} };
  let rest;
  try {
    rest = segments.slice(1).map(decodeURIComponent);
  } catch {
    return { name: 'not-found', section: '', params: {} };
  }
  for (const route of table) {
    const want = route.prefix ? [route.prefix, ...route.pattern] : route.pattern;
    if (want.length !== rest.length) continue;
    const params = {};
    let ok = true;
    for (let i = 0; i < want.length && ok; i++) {
      if (want[i].startsWith(':')) params[want[i].slice(1)] = rest[i];
      else ok = want[i] === rest[i];
    }
    if (ok) return { name: route.name, section: route.section ?? route.name, params };
  }
  return { name: 'not-found', section: '', params: {} };
}

/** The console address of a path segment list, each escaped. */
export function adminPath(...parts) {
  return ['/admin', ...parts.map((p) => encodeURIComponent(p))].join('/');
}
