import { describe, expect, it } from 'vitest';
import { checkEndorseForm, firstInvalid } from './form.js';

const values = (over = {}) => ({
  organization: '  Human   Rights Centre ',
  org_type: 'ngo',
  country: 'Lithuania',
  website: 'spring96.org',
  contact_name: 'Ales',
  contact_email: 'ales@example.org',
  statement: '',
  scope: 'all',
  calls: [],
  confidential: false,
  ...over,
});

describe('endorse form', () => {
  it('builds the body: whole statement leaves calls out, website gets a scheme', () => {
    const { errors, body } = checkEndorseForm(values(), { lang: 'en', pow: 'p' });
    expect(errors).toEqual({});
    expect(body).toEqual({
      organization: 'Human Rights Centre',
      org_type: 'ngo',
      country: 'LT',
      website: 'https://spring96.org',
      contact_name: 'Ales',
      contact_email: 'ales@example.org',
      confidential: false,
      pow: 'p',
      language: 'en',
    });
  });

  it('sends the chosen calls and the confidential choice', () => {
    const { body } = checkEndorseForm(values({ scope: 'some', calls: ['c2', 'c4'], confidential: true, statement: ' We support. ' }), { lang: 'en' });
    expect(body.calls).toEqual(['c2', 'c4']);
    expect(body.confidential).toBe(true);
    expect(body.statement).toBe('We support.');
  });

  it('reports each problem by field, in form order', () => {
    const { errors } = checkEndorseForm(
      values({ organization: 'X', org_type: '', country: 'Atlantis', website: 'not a site', contact_name: '', contact_email: 'nope', statement: 'x'.repeat(1001), scope: 'some', calls: [] }),
      { lang: 'en' },
    );
    expect(errors).toEqual({
      organization: 'endorse.error.organization.length',
      org_type: 'endorse.error.org_type',
      country: 'endorse.error.country.unknown',
      website: 'endorse.error.website',
      contact_name: 'endorse.error.contact_name.required',
      contact_email: 'endorse.error.contact_email.invalid',
      statement: 'endorse.error.statement.long',
      calls: 'endorse.error.calls',
    });
    expect(firstInvalid(errors)).toBe('organization');
    expect(firstInvalid({ calls: 'x', website: 'y' })).toBe('website');
  });

});
