import { describe, expect, it } from 'vitest';
import { campaignToForm, formToBody, fromLocalInput, locateField, toLocalInput, translationMissing } from './campaignForm.js';

const campaign = {
  slug: 'release-all',
  title: 'Release all',
  summary: 'S',
  body: '# Hi',
  language: 'en',
  goal: 100,
  status: 'open',
  opens_at: null,
  closes_at: '2030-01-01T12:00:00Z',
  retention_days: 30,
  calls: [
    { id: 'c1', audiences: ['belarus'], text: 'One', endorsement_count: 3 },
    { id: 'c2', audiences: ['us', 'eu'], text: 'Two' },
  ],
  translations: { be: { title: 'Вызваліць усіх', summary: '', body: 'Тэкст', body_html: '<p>Тэкст</p>', calls: ['Адзін', 'Два'] } },
};

describe('campaign editor', () => {
  it('round-trips a campaign through the form into a request body', () => {
    const form = campaignToForm(campaign);
    expect(form.translations.be.enabled).toBe(true);
    expect(form.translations.ru).toMatchObject({ enabled: false, calls: ['', ''] });
    expect(form.translations.en).toBeUndefined();
    const body = formToBody(form);
    expect(body).toMatchObject({ slug: 'release-all', goal: 100, status: 'open', opens_at: null, closes_at: '2030-01-01T12:00:00Z', retention_days: 30 });
    expect(body.calls).toEqual([
      { id: 'c1', audiences: ['belarus'], text: 'One' },
      { id: 'c2', audiences: ['eu', 'us'], text: 'Two' },
    ]);
    expect(body.translations).toEqual({ be: { title: 'Вызваліць усіх', summary: '', body: 'Тэкст', calls: ['Адзін', 'Два'] } });
  });

  it('sends new calls without an id and partial call translations as none', () => {
    const form = campaignToForm(campaign);
    form.calls.push({ id: '', audiences: ['intl'], text: ' Three ' });
    form.translations.be.calls.push('');
    const body = formToBody(form);
    expect(body.calls[2]).toEqual({ audiences: ['intl'], text: 'Three' });
    expect(body.translations.be.calls).toEqual([]);
  });

  it('drops switched-off translations', () => {
    const form = campaignToForm(campaign);
    form.translations.be.enabled = false;
    expect(formToBody(form).translations).toEqual({});
  });

  it('converts datetime-local values to UTC and back', () => {
    const local = toLocalInput('2030-01-01T12:00:00Z');
    expect(local).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
    expect(fromLocalInput(local)).toBe('2030-01-01T12:00:00Z');
    expect(fromLocalInput('')).toBeNull();
    expect(toLocalInput(null)).toBe('');
  });

  it('places server field errors', () => {
    expect(locateField('calls[2].text')).toEqual({ call: 2, field: 'text' });
    expect(locateField('translations.be.calls[1]')).toEqual({ translation: 'be', field: 'calls', call: 1 });
    expect(locateField('translations.ru.title')).toEqual({ translation: 'ru', field: 'title', call: undefined });
    expect(locateField('slug')).toEqual({ field: 'slug' });
  });
});

describe('translationMissing', () => {
  it('says what a translation lacks to be served', () => {
    const calls = [{ text: 'One' }, { text: 'Two' }];
    expect(translationMissing({ title: 'Т', summary: '', body: ' ', calls: ['А', ''] }, calls)).toEqual([
      { part: 'summary' },
      { part: 'body' },
      { part: 'call', n: 2 },
    ]);
    expect(translationMissing({ title: 'Т', summary: 'З', body: 'Б', calls: ['А', 'Б'] }, calls)).toEqual([]);
  });
});
