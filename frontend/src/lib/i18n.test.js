import { beforeAll, describe, expect, it } from 'vitest';
import { createTranslator, formatDate, languages, pickLanguage } from './i18n.js';
import { loadAllLocaleData } from './locale.js';

// Plural rules of Belarusian and Russian are lazy chunks (CLDR data).
beforeAll(() => loadAllLocaleData());

// Every dictionary, read directly: the app loads Belarusian and Russian lazily.
const dictionaries = Object.fromEntries(
  Object.entries(import.meta.glob('./messages/*.json', { eager: true, import: 'default' })).map(([path, dict]) => [
    path.match(/(\w+)\.json$/)[1],
    dict,
  ]),
);

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

describe('the dictionaries', () => {
  const en = dictionaries.en;
  const base = (key) => key.replace(/\.(zero|one|two|few|many|other)$/, '');
  const isPlural = (key) => /\.(one|other)$/.test(key) && `${base(key)}.one` in en && `${base(key)}.other` in en;
  const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

  for (const lang of ['be', 'ru']) {
    const dict = dictionaries[lang];

    it(`${lang} has every English key`, () => {
      const missing = Object.keys(en).filter((key) => !isPlural(key) && !(key in dict));
      expect(missing).toEqual([]);
    });

    it(`${lang} has no key that English lacks`, () => {
      const extra = Object.keys(dict).filter((key) => !(key in en) && !(`${base(key)}.other` in en));
      expect(extra).toEqual([]);
    });

    it(`${lang} has every plural form its grammar needs`, () => {
      const forms = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
      const plurals = [...new Set(Object.keys(en).filter(isPlural).map(base))];
      expect(plurals.length).toBeGreaterThan(0);
      for (const key of plurals) {
        for (const form of forms) expect(dict, `${key}.${form}`).toHaveProperty([`${key}.${form}`]);
      }
    });

    it(`${lang} keeps the placeholders of each string`, () => {
      for (const [key, text] of Object.entries(dict)) {
        const english = en[key] ?? en[`${base(key)}.other`];
        expect(placeholders(text), key).toEqual(placeholders(english));
      }
    });

    it(`${lang} is actually translated`, () => {
      const same = Object.keys(dict).filter((key) => dict[key] === en[key] && !['site.name'].includes(key));
      expect(same).toEqual([]);
    });
  }

  it('offers every language it has', () => {
    expect(languages.map((l) => l.code).sort()).toEqual(Object.keys(dictionaries).sort());
  });
});

describe('formatDate', () => {
  it('shows a bare date as that calendar day', () => {
    expect(formatDate('2025-09-12', 'medium')).toMatch(/12/);
    expect(formatDate('not a date')).toBe('');
  });
});
