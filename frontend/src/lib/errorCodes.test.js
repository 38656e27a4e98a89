import { describe, expect, it } from 'vitest';
import { codeMessage, describeRefusal, errorText, fieldErrorText, fieldErrorTexts } from './errorCodes.js';
import { ApiError } from './api.js';
import { setLanguage } from './i18n.js';

describe('field error codes', () => {
  it('translates a code with its parameters, numbers in the reader’s format', async () => {
    await setLanguage('be');
    expect(codeMessage({ code: 'too_long', max: 20000 })).toBe('Не больш за 20\u00a0000 знакаў.');
    await setLanguage('ru');
    expect(codeMessage({ code: 'length', min: 1, max: 100 })).toBe('От 1 до 100 знаков.');
    await setLanguage('en');
    expect(codeMessage({ code: 'duplicate_line', line: 4 })).toBe('This address is already on line 4.');
  });
  it('falls back to the server’s message for a code it does not know', async () => {
    await setLanguage('ru');
    expect(fieldErrorText('must be shiny', { code: 'shiny' })).toBe('must be shiny');
    expect(fieldErrorText('must be shiny', undefined)).toBe('must be shiny');
    expect(fieldErrorTexts({ fields: { a: 'x', b: 'y' }, codes: { a: { code: 'required' } } })).toEqual({ a: 'Это поле обязательно.', b: 'y' });
    await setLanguage('en');
  });
});

describe('refusals: one mapping for the console and the public forms', () => {
  const closed = new ApiError('this campaign is closed', { status: 409, code: 'conflict', reason: 'campaign_closed' });
  it('translates a 409 by its reason, not by its English words', async () => {
    await setLanguage('be');
    expect(errorText(closed)).toBe('Гэтая кампанія закрытая: подпісы больш не прымаюцца.');
    await setLanguage('en');
    const reworded = new ApiError('a new wording', { status: 409, code: 'conflict', reason: 'last_admin' });
    expect(errorText(reworded)).toMatch(/^The last active admin/);
  });
  it('falls back to the class for an unknown reason or none, and to a generic text', async () => {
    await setLanguage('ru');
    expect(errorText(new ApiError('x', { status: 409, code: 'conflict', reason: 'brand_new' }))).toBe('Это противоречит тому, что уже существует.');
    expect(errorText(new ApiError('x', { status: 0, code: 'network' }))).toMatch(/^Не удалось связаться/);
    expect(errorText(new ApiError('x', { status: 502, code: 'http_error' }))).toBe('Сервер не смог это выполнить. Попробуйте позже.');
    expect(errorText(new ApiError('x', { status: 429, code: 'rate_limited' }), { minutes: 5 })).toBe('Слишком много запросов. Попробуйте через 5 минут.');
    await setLanguage('en');
  });
  it('splits a 422 into the form’s fields and the rest, and says a 409 for the whole form', async () => {
    await setLanguage('en');
    const refused = new ApiError('x', {
      status: 422,
      code: 'validation_failed',
      fields: { name: 'must be at most 100 characters', pow: 'failed' },
      codes: { name: { code: 'too_long', max: 100 }, pow: { code: 'pow_failed' } },
    });
    const r = describeRefusal(refused, ['name', 'email']);
    expect(r.fields).toEqual({ name: 'Use at most 100 characters.' });
    expect(r.form).toMatch(/^The anti-bot check did not pass/);
    expect(describeRefusal(closed, ['name'])).toEqual({ fields: {}, form: 'This campaign is closed: it no longer takes signatures.' });
  });
});
