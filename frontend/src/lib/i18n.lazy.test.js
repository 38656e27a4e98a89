// Belarusian and Russian are lazy chunks (the public page's size budget):
// English is there from the start, another language once loaded, and a
// switch waits for its language's strings and CLDR data.
import { describe, expect, it } from 'vitest';
import be from './messages/be.json';
import ru from './messages/ru.json';
import { dictionaries, formatNumber, getLang, loadLanguage, ready, setLanguage, t, tn } from './i18n.js';
import { localeData, pluralForm } from './locale.js';
import { countryName } from './countries.js';

describe('lazy languages', () => {
  it('starts with English only, the others not yet fetched', async () => {
    await ready; // Node's navigator says en-US: nothing to fetch
    expect(getLang()).toBe('en');
    expect(Object.keys(dictionaries)).toEqual(['en']);
    expect(localeData('be')).toBe(localeData('en')); // English until loaded
    expect(countryName('BY', 'be')).toBe('Belarus');
  });

  it('loads Belarusian, then switches to it', async () => {
    const switching = setLanguage('be');
    expect(getLang()).toBe('en'); // not before its data is here
    await switching;
    expect(getLang()).toBe('be');
    expect(dictionaries.be).toBe(be);
    expect(t('nav.label')).toBe(be['nav.label']);
    // Synchronous readers of the CLDR data find Belarusian.
    expect(localeData('be')).not.toBe(localeData('en'));
    expect(countryName('BY', 'be')).toBe('Беларусь');
    expect(pluralForm('be', 5)).toBe('many');
    expect(formatNumber(10000)).toBe('10\u00a0000');
    expect(tn('campaign.signatures', 12345)).toBe('12\u00a0345 подпісаў');
    expect(Object.keys(dictionaries).sort()).toEqual(['be', 'en']); // Russian still not fetched
  });

  it('keeps the last choice when an earlier load ends later', async () => {
    const toRussian = setLanguage('ru'); // fetching
    await setLanguage('be'); // already the language: stays
    await toRussian;
    expect(getLang()).toBe('be');
    expect(dictionaries.ru).toBe(ru); // loaded all the same, for next time
    await setLanguage('ru');
    expect(getLang()).toBe('ru');
    expect(t('nav.label')).toBe(ru['nav.label']);
  });

  it('refuses a language it does not have, and stays', async () => {
    await expect(loadLanguage('de')).rejects.toThrow(/de/);
    await setLanguage('de');
    expect(getLang()).toBe('ru');
    await setLanguage('en');
    expect(getLang()).toBe('en');
  });
});
