// The server's error messages are English sentences (docs/design.md's error
// shape). The console shows the common ones in the reader's language: each
// pattern below names a message key of ours and the values it carries.
// Anything else is shown as the server wrote it, which beats saying nothing.

/** @type {[RegExp, string, string[]?][]} pattern, key, names of the captured numbers */
const fieldPatterns = [
  [/^is required$/, 'form.required'],
  [/^must be (?:a valid|an) email address$/, 'server.email'],
  [/^must be at most ([\d,]+) characters(?: of (?:printable )?text)?$/, 'server.maxChars', ['max']],
  [/^must be ([\d,]+) to ([\d,]+) characters(?: of (?:printable )?text)?$/, 'server.chars', ['min', 'max']],
  [/^must be valid UTF-8 text$/, 'server.utf8'],
  [/^must not contain control characters$/, 'server.control'],
  [/^must be a language code such as en, be or ru$/, 'server.language'],
  [/^must be a two-letter country code/, 'server.country'],
  [/^must be eu, us or other$/, 'server.region'],
  [/^is already a contact$/, 'server.contactExists'],
  [/^already has an account$/, 'server.accountExists'],
  [/^is already taken$/, 'server.taken'],
  [/^must be 3 to 80 lower-case letters, digits and single hyphens$/, 'server.slug'],
  [/^is a word the site's own addresses use; choose another$/, 'server.slugReserved'],
  [/^must be from ([\d,]+) to ([\d,]+)$/, 'server.range', ['min', 'max']],
  [/^must be after opens_at$/, 'server.closesAfterOpens'],
  [/^must be after from$/, 'server.toAfterFrom'],
  [/^must be a time in RFC 3339 form/, 'server.time'],
  [/^must be admin, editor, moderator or viewer$/, 'server.role'],
  [/^must be an IANA time zone/, 'server.timezone'],
  [/^must be a local time such as 09:00$/, 'server.localTime'],
  [/^must be monday, tuesday, … or sunday$/, 'server.weekday'],
  [/^(?:name 1 to 10 campaigns by slug|each must be the slug of a campaign, named once)$/, 'server.campaigns'],
  [/^must name at least one audience/, 'server.audience'],
  [/^must translate all ([\d,]+) calls, in order, or none$/, 'server.translateCalls', ['count']],
  [/^is not a known field$/, 'server.unknownField'],
  [/^each tag is 1 to 40 letters/, 'server.tag'],
  [/^at most ([\d,]+) tags$/, 'server.maxTags', ['max']],
  [/^must be a web address starting with http/, 'server.website'],
  [/^must be a domain such as example\.org$/, 'server.domain'],
];

const conflictPatterns = [
  [/^the last active admin cannot be demoted or disabled$/, 'server.lastAdmin'],
  [/^this digest was sent$/, 'server.digestSent'],
  [/^this digest was sending$/, 'server.digestSending'],
  [/^this digest was cancelled$/, 'server.digestCancelled'],
  [/^only a draft or a digest being sent can be cancelled$/, 'server.cancelOnly'],
  [/^this endorsement's status does not allow that/, 'server.endorsementStatus'],
  [/^this campaign is closed$/, 'server.campaignClosed'],
  [/^it conflicts with an existing resource$/, 'server.conflict'],
];

function match(patterns, message) {
  const text = String(message ?? '').trim();
  for (const [pattern, key, names = []] of patterns) {
    const m = text.match(pattern);
    if (!m) continue;
    const vars = {};
    names.forEach((name, i) => (vars[name] = Number(m[i + 1].replace(/,/g, ''))));
    return { key, vars };
  }
  return null;
}

/**
 * A field message of the server as a message key with its values, or null
 * when it is not one we know.
 * @param {string} message e.g. "must be at most 300 characters"
 * @returns {{key: string, vars: Record<string, number | string>} | null}
 */
export function explainFieldMessage(message) {
  return match(fieldPatterns, message);
}

/**
 * The message of a 409 as a message key with its values, or null.
 * @param {string} message
 */
export function explainConflict(message) {
  return match(conflictPatterns, message);
}

/** Every message key the patterns name, for the test that they exist. */
export const serverMessageKeys = [...fieldPatterns, ...conflictPatterns].map(([, key]) => key);
