import { describe, expect, it } from 'vitest';
import { contactBody, parseTags } from './contacts.js';

const form = (over = {}) => ({
  name: ' Ana Ruiz ',
  email: 'ana@example.org',
  title: '',
  institution: 'European Parliament',
  region: 'eu',
  country: 'BE',
  language: 'en',
  tags: 'EP,  foreign affairs , ep,',
  resubscribe: false,
  unsubscribe: false,
  reason: '',
  ...over,
});

describe('contacts', () => {
  it('parses tags: trimmed, de-duplicated regardless of case, empty ones dropped', () => {
    expect(parseTags('EP,  foreign   affairs , ep,')).toEqual(['EP', 'foreign affairs']);
    expect(parseTags('')).toEqual([]);
  });

  it('sends every field for a new contact', () => {
    expect(contactBody(form(), null)).toEqual({
      name: 'Ana Ruiz',
      email: 'ana@example.org',
      title: '',
      institution: 'European Parliament',
      region: 'eu',
      country: 'BE',
      language: 'en',
      tags: ['EP', 'foreign affairs'],
    });
  });

  it('sends only what changed, and a re-subscription with its reason', () => {
    const before = { name: 'Ana Ruiz', email: 'ana@example.org', title: '', institution: 'European Parliament', region: 'eu', country: 'BE', language: 'en', tags: ['EP', 'foreign affairs'], subscribed: false };
    expect(contactBody(form(), before)).toEqual({});
    expect(contactBody(form({ region: 'us' }), before)).toEqual({ region: 'us' });
    expect(contactBody(form({ resubscribe: true, reason: ' asked us by phone ' }), before)).toEqual({ subscribed: true, resubscribe_reason: 'asked us by phone' });
    expect(contactBody(form({ unsubscribe: true }), { ...before, subscribed: true })).toEqual({ subscribed: false });
  });
});
