// The public list of endorsing organisations, as the campaign page shows it.

/**
 * The calls an organisation endorses, in statement order, with the texts
 * the page shows (already localised). An id that is no longer one of the
 * campaign's calls is left out.
 * @param {{all_calls?: boolean, calls?: string[]}} endorsement
 * @param {{id: string, text: string}[]} calls the campaign's calls in statement order
 * @returns {{id: string, text: string}[]} empty when the whole statement is endorsed
 */
export function endorsedCalls(endorsement, calls) {
  if (endorsement?.all_calls) return [];
  const ids = new Set(endorsement?.calls ?? []);
  return (calls ?? []).filter((call) => ids.has(call.id));
}

/**
 * A website to link to: an http(s) URL with its host to show, or null for
 * anything else (no javascript: or data: link can reach the page).
 * @param {string} website
 * @returns {{href: string, label: string} | null}
 */
export function websiteLink(website) {
  let url;
  try {
    url = new URL(String(website ?? '').trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  const path = url.pathname === '/' ? '' : url.pathname;
  return { href: url.href, label: url.host.replace(/^www\./, '') + path };
}
