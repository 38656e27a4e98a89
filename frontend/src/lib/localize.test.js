import { describe, expect, it } from 'vitest';
import { localizeCampaign } from './localize.js';

const campaign = {
  slug: 's',
  language: 'en',
  title: 'Release them',
  summary: 'Summary',
  body_html: '<p>Body</p>',
  calls: [
    { id: 'a', audiences: ['belarus'], text: 'Stop' },
    { id: 'b', audiences: ['eu'], text: 'Act' },
  ],
  translations: { be: { title: 'Вызваліце іх', summary: 'Коратка', body_html: '<p>Тэкст</p>', calls: ['Спыніце'] } },
};

describe('localizeCampaign', () => {
  it('uses the translation in the reader’s language, call by call', () => {
    const be = localizeCampaign(campaign, 'be');
    expect(be).toMatchObject({ language: 'be', title: 'Вызваліце іх', summary: 'Коратка', body_html: '<p>Тэкст</p>', slug: 's' });
    expect(be.calls).toEqual([
      { id: 'a', audiences: ['belarus'], text: 'Спыніце' },
      { id: 'b', audiences: ['eu'], text: 'Act' },
    ]);
  });

  it('keeps the original where there is no translation', () => {
    expect(localizeCampaign(campaign, 'ru')).toBe(campaign);
    expect(localizeCampaign(campaign, 'en')).toBe(campaign);
    expect(localizeCampaign({ ...campaign, translations: undefined }, 'be')).toMatchObject({ title: 'Release them' });
  });
});
