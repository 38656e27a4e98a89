import { describe, expect, it } from 'vitest';
import { createTranslator, pickLanguage } from './i18n.js';

describe('pickLanguage', () => {
  it('takes the first preferred language we have, by primary subtag', () => {
    expect(pickLanguage(['de-DE', 'be-BY', 'ru'], ['en', 'be', 'ru'])).toBe('be');
    expect(pickLanguage(['RU'], ['en', 'ru'])).toBe('ru');
  });

  it('falls back to English when nothing matches or nothing is known', () => {
    expect(pickLanguage(['de', 'fr-FR'], ['en', 'be'])).toBe('en');
    expect(pickLanguage([], ['en', 'be'])).toBe('en');
    expect(pickLanguage(undefined, ['en'])).toBe('en');
  });
});

describe('createTranslator', () => {
  const dicts = {
    en: { hello: 'Hello, {name}', bye: 'Goodbye', 'sig.one': '{count} signature', 'sig.other': '{count} signatures' },
    be: { hello: 'Прывітанне, {name}', 'sig.one': '{count} подпіс', 'sig.few': '{count} подпісы', 'sig.many': '{count} подпісаў' },
  };

  it('uses the language when it has the key', () => {
    expect(createTranslator(dicts, 'be').t('hello', { name: 'Алена' })).toBe('Прывітанне, Алена');
  });

  it('falls back to English for a key the language lacks', () => {
    expect(createTranslator(dicts, 'be').t('bye')).toBe('Goodbye');
  });

  it('falls back to English for a language with no dictionary', () => {
    expect(createTranslator(dicts, 'ru').t('bye')).toBe('Goodbye');
  });

  it('shows the key itself when no dictionary has it', () => {
    expect(createTranslator(dicts, 'be').t('missing.key')).toBe('missing.key');
  });

  it('leaves unknown placeholders visible', () => {
    expect(createTranslator(dicts, 'en').t('hello')).toBe('Hello, {name}');
  });

  it('picks plural forms by the language rules', () => {
    const en = createTranslator(dicts, 'en');
    expect(en.tn('sig', 1)).toBe('1 signature');
    expect(en.tn('sig', 1234)).toBe('1,234 signatures');
    const be = createTranslator(dicts, 'be');
    expect(be.tn('sig', 3)).toBe('3 подпісы');
    expect(be.tn('sig', 5)).toBe('5 подпісаў');
  });
});
