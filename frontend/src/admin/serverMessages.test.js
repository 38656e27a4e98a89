import { describe, expect, it } from 'vitest';
import { explainConflict, explainFieldMessage, serverMessageKeys } from './serverMessages.js';
import en from './messages/en.js';

describe('explainFieldMessage', () => {
  // The messages as the server writes them (server/internal/api).
  it.each([
    ['is required', 'form.required', {}],
    ['must be an email address', 'server.email', {}],
    ['must be a valid email address', 'server.email', {}],
    ['must be at most 300 characters', 'server.maxChars', { max: 300 }],
    ['must be at most 20,000 characters', 'server.maxChars', { max: 20000 }],
    ['must be at most 1000 characters of printable text', 'server.maxChars', { max: 1000 }],
    ['must be 1 to 200 characters', 'server.chars', { min: 1, max: 200 }],
    ['must be 2 to 200 characters of printable text', 'server.chars', { min: 2, max: 200 }],
    ['must be 12 to 256 characters', 'server.chars', { min: 12, max: 256 }],
    ['must be 1 to 2000 characters of text', 'server.chars', { min: 1, max: 2000 }],
    ['must not contain control characters', 'server.control', {}],
    ['must be a language code such as en, be or ru', 'server.language', {}],
    ['must be a two-letter country code, or empty', 'server.country', {}],
    ['must be eu, us or other', 'server.region', {}],
    ['is already a contact', 'server.contactExists', {}],
    ['already has an account', 'server.accountExists', {}],
    ['is already taken', 'server.taken', {}],
    ['must be 3 to 80 lower-case letters, digits and single hyphens', 'server.slug', {}],
    ["is a word the site's own addresses use; choose another", 'server.slugReserved', {}],
    ['must be from 1 to 3650', 'server.range', { min: 1, max: 3650 }],
    ['must be after opens_at', 'server.closesAfterOpens', {}],
    ['must be a time in RFC 3339 form, such as 2026-03-25T09:00:00Z', 'server.time', {}],
    ['must be admin, editor, moderator or viewer', 'server.role', {}],
    ['must be an IANA time zone such as Europe/Brussels or America/New_York', 'server.timezone', {}],
    ['must be a local time such as 09:00', 'server.localTime', {}],
    ['must be monday, tuesday, … or sunday', 'server.weekday', {}],
    ['name 1 to 10 campaigns by slug', 'server.campaigns', {}],
    ['must name at least one audience: belarus, eu, us or intl', 'server.audience', {}],
    ['must translate all 8 calls, in order, or none', 'server.translateCalls', { count: 8 }],
    ['is not a known field', 'server.unknownField', {}],
    ['at most 20 tags', 'server.maxTags', { max: 20 }],
  ])('%s', (message, key, vars) => {
    expect(explainFieldMessage(message)).toEqual({ key, vars });
  });

  it('leaves a message it does not know to be shown as written', () => {
    expect(explainFieldMessage('translated calls no longer match the calls: send the translations too')).toBeNull();
    expect(explainFieldMessage(undefined)).toBeNull();
  });
});

describe('explainConflict', () => {
  it.each([
    ['the last active admin cannot be demoted or disabled', 'server.lastAdmin'],
    ['this digest was sent', 'server.digestSent'],
    ['this digest was cancelled', 'server.digestCancelled'],
    ['only a draft or a digest being sent can be cancelled', 'server.cancelOnly'],
  ])('%s', (message, key) => {
    expect(explainConflict(message)?.key).toBe(key);
  });

  it('knows nothing else', () => {
    expect(explainConflict('something new')).toBeNull();
  });
});

it('every key the patterns name is a console string', () => {
  for (const key of serverMessageKeys) expect(en, key).toHaveProperty([key]);
});
