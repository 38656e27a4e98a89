import { beforeAll, describe, expect, it } from 'vitest';
import { countryCodes, countryName, countryOptions, loadCountryNames, resolveCountry } from './countries.js';

// English is built in; Belarusian and Russian names are lazy chunks.
beforeAll(() => loadCountryNames());

describe('countries', () => {
  it('has the 249 ISO codes and XK, each once', () => {
    expect(countryCodes).toHaveLength(250);
    expect(new Set(countryCodes).size).toBe(250);
    expect(countryCodes).toContain('BY');
    expect(countryCodes).toContain('XK');
    for (const code of countryCodes) expect(code).toMatch(/^[A-Z]{2}$/);
  });

  it('names countries in the interface language', () => {
    expect(countryName('DE', 'en')).toBe('Germany');
    expect(countryName('DE', 'ru')).toBe('Германия');
    expect(countryName('PL', 'be')).toBe('Польшча');
    expect(countryName('BY', 'be')).toBe('Беларусь');
    expect(countryName('US', 'be')).toBe('Злучаныя Штаты Амерыкі');
  });

  it('sorts the options by name in that language', () => {
    const names = countryOptions('ru').map((o) => o.name);
    expect(names.indexOf('Австрия')).toBeLessThan(names.indexOf('Германия'));
    expect(countryOptions('en')[0].code).toBe('AF');
  });

  it('resolves a typed name or code to the code', () => {
    expect(resolveCountry('Germany', 'en')).toBe('DE');
    expect(resolveCountry('  germany ', 'en')).toBe('DE');
    expect(resolveCountry('Германия', 'ru')).toBe('DE');
    expect(resolveCountry('by', 'ru')).toBe('BY');
    expect(resolveCountry('Lithuania', 'be')).toBe('LT');
    expect(resolveCountry('Беларусь', 'be')).toBe('BY');
    expect(resolveCountry('літва', 'be')).toBe('LT');
    expect(resolveCountry('Литва', 'be')).toBe('LT'); // the Russian name on a Belarusian page
    expect(resolveCountry('Poland', 'ru')).toBe('PL');
  });

  it('rejects what is not a country', () => {
    expect(resolveCountry('', 'en')).toBe('');
    expect(resolveCountry('Atlantis', 'en')).toBe('');
    expect(resolveCountry('ZZ', 'en')).toBe('');
  });
});
