import { beforeAll, describe, expect, it } from 'vitest';
import samples from './cldr/plural-samples.json';
import { countryCodes, formatClock, formatDate, formatDateTime, formatNumber, loadAllLocaleData, localeData, pluralForm } from './locale.js';

// English is built in; Belarusian and Russian are lazy chunks.
beforeAll(() => loadAllLocaleData());

describe('plural forms from CLDR rules', () => {
  it('matches every integer sample CLDR gives', () => {
    for (const lang of ['be', 'ru', 'en']) {
      for (const [form, rule] of Object.entries(samples[lang])) {
        const samples = rule.split('@integer')[1]?.split('@')[0];
        if (!samples) continue;
        for (const s of samples.split(',').map((x) => x.trim())) {
          if (!s || s === '…') continue;
          const [lo, hi = lo] = s.split('~').map(Number);
          for (let n = lo; n <= hi; n++) expect([lang, n, pluralForm(lang, n)]).toEqual([lang, n, form]);
        }
      }
    }
  });
  it('agrees with Node\'s ICU for Russian and English', () => {
    for (const lang of ['ru', 'en']) {
      const icu = new Intl.PluralRules(lang);
      for (let n = 0; n < 300; n++) expect(pluralForm(lang, n)).toBe(icu.select(n));
    }
  });
  it('says "2 подпісы", "5 подпісаў"', () => {
    expect(pluralForm('be', 2)).toBe('few');
    expect(pluralForm('be', 5)).toBe('many');
    expect(pluralForm('be', 21)).toBe('one');
  });
});

describe('numbers', () => {
  it('groups as CLDR says', () => {
    expect(formatNumber('en', 10000)).toBe('10,000');
    expect(formatNumber('ru', 10000)).toBe('10\u00a0000');
    expect(formatNumber('be', 10000)).toBe('10\u00a0000');
    expect(formatNumber('be', 1234)).toBe('1234');
    expect(formatNumber('ru', 1234)).toBe('1\u00a0234');
    expect(formatNumber('en', 0)).toBe('0');
  });
});

describe('dates', () => {
  it('writes Belarusian dates without the browser', () => {
    expect(formatDate('be', '2026-12-01')).toBe('1 снежня 2026\u202fг.');
    expect(formatDate('ru', '2026-12-01')).toBe('1 декабря 2026\u202fг.');
    expect(formatDate('en', '2026-12-01')).toBe('December 1, 2026');
    expect(formatDate('be', '2026-11-18', 'MMMd')).toBe('18 ліс');
  });
  it('writes a moment in a named zone', () => {
    const at = '2026-12-08T14:30:00Z';
    expect(formatDateTime('en', at, { timeZone: 'America/New_York' })).toBe('Dec 8, 2026, 9:30\u202fAM');
    expect(formatDateTime('be', at, { timeZone: 'Europe/Brussels' })).toBe('8 сне 2026\u202fг., 15:30');
    expect(formatClock('en', '09:30')).toBe('9:30\u202fAM');
    expect(formatClock('ru', '09:30')).toBe('09:30');
  });
});

describe('countries', () => {
  it('names every code in every language', () => {
    expect(countryCodes).toHaveLength(250);
    for (const lang of ['be', 'ru', 'en']) for (const c of countryCodes) expect(localeData(lang).countries[c]).toBeTruthy();
  });
});
