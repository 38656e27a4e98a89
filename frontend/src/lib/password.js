// The new-password check of the reset page, as the server counts: at least
// 12 and at most 256 bytes (we ask for 12 characters, which is never less).

/**
 * @param {string} password
 * @param {string} repeat
 * @returns {Record<string, string>} field → message key
 */
export function checkPassword(password, repeat) {
  const errors = {};
  if ([...password].length < 12) errors.password = 'reset.error.short';
  else if (new TextEncoder().encode(password).length > 256) errors.password = 'reset.error.long';
  if (!errors.password && password !== repeat) errors.repeat = 'reset.error.mismatch';
  return errors;
}
