// Campaigns as the console needs them for menus and for naming calls. Staff
// below editor cannot read the admin campaign list, so the public list (open
// and closed campaigns) stands in for them.

import { atLeast } from './roles.js';
import { session } from './state.svelte.js';

/**
 * Every campaign the role can see, as {slug, title, titles, status, language}, newest first as
 * the API orders them; titles holds the translations' titles by language (campaignTitle picks).
 * @param {string} role
 */
export async function campaignChoices(role) {
  const path = atLeast(role, 'editor') ? '/admin/campaigns' : '/campaigns';
  const data = await session.get(path);
  return (data?.items ?? []).map(({ slug, title, status, language, translations }) => ({ slug, title, titles: titlesOf(translations), status, language }));
}

/** {lang: title} of a campaign's translations that have a title. */
function titlesOf(translations) {
  const out = {};
  for (const [lang, tr] of Object.entries(translations ?? {})) if (tr?.title) out[lang] = tr.title;
  return out;
}

const calls = new Map();

/**
 * A campaign's calls in order, [{id, text, audiences}], from the admin view
 * for editors (drafts included) or the public one; [] when neither answers.
 * @param {string} slug
 * @param {string} role
 */
export function campaignCalls(slug, role) {
  if (!calls.has(slug)) {
    const path = atLeast(role, 'editor') ? `/admin/campaigns/${encodeURIComponent(slug)}` : `/campaigns/${encodeURIComponent(slug)}`;
    calls.set(
      slug,
      session.get(path).then(
        (c) => c?.calls ?? [],
        () => {
          calls.delete(slug);
          return [];
        },
      ),
    );
  }
  return calls.get(slug);
}
