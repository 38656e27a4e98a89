// Pure helpers of the digest pages.

/** How far a sending digest has got, for a <progress> and its words. */
export function sendProgress(counts) {
  const recipients = Math.max(0, counts?.recipients ?? 0);
  const sent = Math.max(0, counts?.sent ?? 0);
  const failed = Math.max(0, counts?.failed ?? 0);
  const done = Math.min(recipients, sent + failed);
  return { recipients, sent, failed, done, pending: Math.max(0, recipients - done), finished: recipients > 0 && done >= recipients };
}

/** Whether the digest page should keep asking the server how sending goes. */
export function shouldPoll(digest) {
  return digest?.status === 'sending';
}

/** What can be done with a digest in its status. */
export function digestActions(status) {
  switch (status) {
    case 'draft':
      return ['test', 'send', 'cancel'];
    case 'sending':
      return ['cancel'];
    default:
      return [];
  }
}

/**
 * An email's HTML for showing inside the console: its <style> elements,
 * stylesheet links, scripts and style attributes removed. The console's CSP
 * (style-src 'self') blocks inline styles inside a srcdoc frame too, and logs
 * a violation for each; parsing with DOMParser would hit the same policy, so
 * this works on the text. The HTML is our own template's, and the frame is
 * sandboxed in any case.
 * @param {string} html
 */
export function withoutStyles(html) {
  return String(html ?? '')
    .replace(/<(style|script)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<link\b[^>]*>/gi, '')
    .replace(/(<[a-z][^>]*?)\sstyle\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi, '$1');
}

/**
 * A mail's plain text cut into pieces, the web addresses among them marked
 * as links, so that the dev outbox can make them clickable.
 * @param {string} text
 * @returns {{text: string, href?: string}[]}
 */
export function linkParts(text) {
  const parts = [];
  let last = 0;
  for (const m of String(text ?? '').matchAll(/https?:\/\/[^\s<>"')]+/g)) {
    const url = m[0].replace(/[.,;:!?]+$/, '');
    if (m.index > last) parts.push({ text: text.slice(last, m.index) });
    parts.push({ text: url, href: url });
    last = m.index + url.length;
  }
  if (last < String(text ?? '').length) parts.push({ text: text.slice(last) });
  return parts;
}
