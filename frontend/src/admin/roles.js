// Staff roles, each including the ones below it, and what each may see. The
// server decides what is allowed; this only keeps the console from offering
// what a role cannot do.

export const roles = ['viewer', 'moderator', 'editor', 'admin'];

/** Whether role includes the rights of need ("editor" includes "moderator"). */
export function atLeast(role, need) {
  const have = roles.indexOf(role);
  return have >= 0 && have >= roles.indexOf(need);
}

/**
 * The console's sections in navigation order, each with the least role that
 * may open it. `path` is the section's address under /admin.
 */
export const sections = [
  { name: 'dashboard', path: '/admin', role: 'viewer' },
  { name: 'endorsements', path: '/admin/endorsements', role: 'moderator' },
  { name: 'digests', path: '/admin/digests', role: 'editor' },
  { name: 'updates', path: '/admin/updates', role: 'editor' },
  { name: 'contacts', path: '/admin/contacts', role: 'editor' },
  { name: 'schedules', path: '/admin/schedules', role: 'editor' },
  { name: 'campaigns', path: '/admin/campaigns', role: 'editor' },
  { name: 'signatures', path: '/admin/signatures', role: 'admin' },
  { name: 'users', path: '/admin/users', role: 'admin' },
  { name: 'audit', path: '/admin/audit', role: 'admin' },
  // Signers' addresses, names and live links: admins only, every read audited.
  { name: 'outbox', path: '/admin/outbox', role: 'admin' },
];

/** The sections a role may open. */
export function sectionsFor(role) {
  return sections.filter((s) => atLeast(role, s.role));
}

/** The least role for a section name; unknown sections need admin. */
export function roleFor(name) {
  return sections.find((s) => s.name === name)?.role ?? 'admin';
}
