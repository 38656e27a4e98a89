import { afterAll, describe, expect, it } from 'vitest';
import { intervalPhrase } from './logInterval.js';
import { setLanguage, t } from './i18n.js';

describe('the log interval in words', () => {
  afterAll(() => setLanguage('en'));
  it('follows the configured interval with each language’s plurals', async () => {
    await setLanguage('en');
    expect(intervalPhrase(600)).toBe('10 minutes');
    expect(intervalPhrase(60)).toBe('1 minute');
    expect(t('receipt.when', { interval: intervalPhrase(180) })).toBe('It enters the public log with the next batch, within about 3 minutes.');
    await setLanguage('be');
    expect(intervalPhrase(60)).toBe('1 хвіліну');
    expect(intervalPhrase(180)).toBe('3 хвіліны');
    expect(intervalPhrase(600)).toBe('10 хвілін');
    expect(intervalPhrase(21 * 60)).toBe('21 хвіліну');
    await setLanguage('ru');
    expect(intervalPhrase(120)).toBe('2 минуты');
    expect(intervalPhrase(300)).toBe('5 минут');
    expect(t('verify.absent', { interval: intervalPhrase(300) })).toMatch(/раз в 5 минут:/);
  });
  it('says "a few minutes" while the interval is unknown, never a made-up number', async () => {
    await setLanguage('ru');
    expect(intervalPhrase(null)).toBe('несколько минут');
    await setLanguage('en');
    expect(intervalPhrase(undefined)).toBe('a few minutes');
    expect(intervalPhrase(20)).toBe('1 minute');
  });
});
