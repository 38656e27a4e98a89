import { describe, expect, it } from 'vitest';
import en from './messages/en.js';
import be from './messages/be.js';
import ru from './messages/ru.js';
import endorseEn from '../endorse/en.js';
import endorseBe from '../endorse/be.js';
import endorseRu from '../endorse/ru.js';

const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe.each([
  ['console', en, { be, ru }],
  ['endorse pages', endorseEn, { be: endorseBe, ru: endorseRu }],
])('%s strings', (_, english, others) => {
  it.each(Object.entries(others))('%s has exactly the English keys, with the same placeholders', (lang, dict) => {
    expect(Object.keys(dict).sort()).toEqual(Object.keys(english).sort());
    for (const [key, text] of Object.entries(english)) {
      expect(placeholders(dict[key]), `${lang} ${key}`).toEqual(placeholders(text));
      expect(dict[key].trim(), `${lang} ${key}`).not.toBe('');
    }
    // A copy of the English file would pass the checks above: most strings must differ.
    const same = Object.keys(english).filter((key) => dict[key] === english[key] && /[a-z]{4}/i.test(english[key]));
    expect(same.length, `${lang} strings left in English: ${same.join(', ')}`).toBeLessThan(5);
  });
});
