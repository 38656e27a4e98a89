// The messages of the server's 409s are English sentences. The console
// shows the common ones in the reader's language: each pattern below names a
// message key of ours. Anything else is shown as the server wrote it. (Field
// errors carry machine codes instead, translated by lib/errorCodes.js.)

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
 * The message of a 409 as a message key with its values, or null.
 * @param {string} message
 */
export function explainConflict(message) {
  return match(conflictPatterns, message);
}

/** Every message key the patterns name, for the test that they exist. */
export const serverMessageKeys = conflictPatterns.map(([, key]) => key);
