import { beforeAll, describe, expect, it } from 'vitest';
import { loadCountryNames } from './countries.js';
import { checkSignForm, firstInvalid, parseRef, retryMinutes } from './signForm.js';

// Country names in Belarusian and Russian are lazy chunks.
beforeAll(() => loadCountryNames());

const good = { name: ' Alena   Kuzmich ', email: 'alena@example.org', country: 'Belarus', comment: '', visibility: 'initials', updates: false, consent: true };

describe('parseRef', () => {
  it.each([
    ['?ref=bnp', 'bnp'],
    ['?ref=viasna-2025&x=1', 'viasna-2025'],
    ['?x=1&ref=a', 'a'],
    ['?ref=' + 'a'.repeat(32), 'a'.repeat(32)],
  ])('keeps a valid code: %s', (search, want) => {
    expect(parseRef(search)).toBe(want);
  });

  it.each(['', '?', '?ref=', '?ref=BNP', '?ref=-bnp', '?ref=a_b', '?ref=' + 'a'.repeat(33), '?ref=bnp%20x', '?ref=беларусь'])(
    'drops an invalid code: %s',
    (search) => {
      expect(parseRef(search)).toBe('');
    },
  );
});

describe('checkSignForm', () => {
  it('builds the request body from valid values', () => {
    const { errors, body } = checkSignForm(good, { lang: 'en', ref: 'bnp', pow: 'PAYLOAD' });
    expect(errors).toEqual({});
    expect(body).toEqual({
      name: 'Alena Kuzmich', email: 'alena@example.org', country: 'BY', visibility: 'initials',
      updates: false, consent: true, pow: 'PAYLOAD', ref: 'bnp', language: 'en',
    });
  });

  it('sends a comment only when there is one, and no ref without one', () => {
    const { body } = checkSignForm({ ...good, comment: '  Free them all. ' }, { lang: 'en' });
    expect(body.comment).toBe('Free them all.');
    expect('ref' in body).toBe(false);
  });

  it('resolves the country in the interface language', () => {
    expect(checkSignForm({ ...good, country: 'Беларусь' }, { lang: 'ru' }).body.country).toBe('BY');
  });

  it('defaults an unknown visibility to private', () => {
    expect(checkSignForm({ ...good, visibility: 'everyone' }, { lang: 'en' }).body.visibility).toBe('private');
  });

  it('reports every problem with a message key', () => {
    const { errors } = checkSignForm(
      { name: '  ', email: 'alena@', country: 'Atlantis', comment: 'x'.repeat(501), visibility: 'initials', consent: false },
      { lang: 'en' },
    );
    expect(errors).toEqual({
      name: 'sign.error.name.listed',
      email: 'sign.error.email.invalid',
      country: 'sign.error.country.unknown',
      comment: 'sign.error.comment.long',
      consent: 'sign.error.consent',
    });
  });

  it('lets a private signature leave the name out entirely (count-only)', () => {
    const { errors, body } = checkSignForm({ ...good, name: '   ', visibility: 'private' }, { lang: 'en' });
    expect(errors).toEqual({});
    expect('name' in body).toBe(false);
    expect(checkSignForm({ ...good, name: '', visibility: 'public' }, { lang: 'en' }).errors.name).toBe('sign.error.name.listed');
  });

  it('tells a missing email and country from wrong ones', () => {
    const { errors } = checkSignForm({ ...good, email: '', country: '' }, { lang: 'en' });
    expect(errors.email).toBe('sign.error.email.required');
    expect(errors.country).toBe('sign.error.country.required');
  });

  it('counts characters, not UTF-16 units, against the limits', () => {
    expect(checkSignForm({ ...good, name: '🙂'.repeat(100) }, { lang: 'en' }).errors.name).toBeUndefined();
    expect(checkSignForm({ ...good, name: 'я'.repeat(101) }, { lang: 'en' }).errors.name).toBe('sign.error.name.long');
  });
});

describe('firstInvalid', () => {
  it('finds the first invalid field in form order', () => {
    expect(firstInvalid({ consent: 'a', email: 'b' })).toBe('email');
    expect(firstInvalid({ form: 'x' })).toBe('');
  });
});

describe('retryMinutes', () => {
  it('reads seconds or a date, rounding up to whole minutes', () => {
    expect(retryMinutes('30')).toBe(1);
    expect(retryMinutes('600')).toBe(10);
    expect(retryMinutes('601')).toBe(11);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryMinutes('Wed, 01 Jan 2025 00:05:00 GMT', now)).toBe(5);
  });

  it('is null without a usable header', () => {
    expect(retryMinutes(null)).toBeNull();
    expect(retryMinutes('soon')).toBeNull();
  });
});
