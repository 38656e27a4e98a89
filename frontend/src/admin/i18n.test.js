import { afterAll, describe, expect, it } from 'vitest';
import { auditAction, campaignTitle, errorText, languageName } from './i18n.js';
import { setLanguage } from '../lib/i18n.js';
import { ApiError } from '../lib/api.js';

describe('the console in the reader’s language', () => {
  afterAll(() => setLanguage('en'));
  const campaign = { slug: 'free-them', title: 'Free them', titles: { be: 'Вызваліце іх' } };

  it('names a campaign by its translation’s title where there is one', async () => {
    await setLanguage('be');
    expect(campaignTitle(campaign)).toBe('Вызваліце іх');
    await setLanguage('ru');
    expect(campaignTitle(campaign)).toBe('Free them');
    expect(campaignTitle({ slug: 'x', title: 'X', translations: { ru: { title: 'Икс' } } })).toBe('Икс');
    expect(campaignTitle(undefined)).toBe('');
  });

  it('says audit actions and language codes in words', async () => {
    await setLanguage('be');
    expect(auditAction('digest.send')).toBe('Дайджэст адасланы');
    expect(auditAction('brand.new')).toBe('brand.new');
    expect(languageName('ru')).toBe('Руская');
    expect(languageName('xx')).toBe('xx');
  });

  it('shows a 409 by its reason', async () => {
    await setLanguage('ru');
    expect(errorText(new ApiError('the last active admin cannot be demoted or disabled', { status: 409, code: 'conflict', reason: 'last_admin' }))).toMatch(
      /^Последнего активного администратора/,
    );
  });
});
