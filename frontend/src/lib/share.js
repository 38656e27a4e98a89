// What the share step offers after signing and after confirming: the
// campaign's address, the system share sheet where the browser has one, and
// the widget's embed code for organisations. Everything points at this
// origin: nothing from another site is loaded or linked.

/** The campaign's public address on this site. */
export function campaignURL(origin, slug) {
  return `${origin}/c/${encodeURIComponent(slug)}`;
}

/** The iframe code of the campaign's widget, for a partner's page. */
export function embedCode(origin, slug, title) {
  const escape = (s) => String(s).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<iframe src="${origin}/embed/${encodeURIComponent(slug)}" title="${escape(title)}" width="100%" height="220" style="border:0;max-width:480px" loading="lazy"></iframe>`;
}

/** Whether the browser offers the system share sheet for this data. */
export function canShare(nav, data) {
  try {
    return typeof nav?.share === 'function' && (typeof nav.canShare !== 'function' || nav.canShare(data));
  } catch {
    return false;
  }
}
