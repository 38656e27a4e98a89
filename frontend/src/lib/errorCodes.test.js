import { describe, expect, it } from 'vitest';
import { codeMessage, fieldErrorText, fieldErrorTexts } from './errorCodes.js';
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
