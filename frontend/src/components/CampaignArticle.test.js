// Server-renders the campaign page (no DOM library needed) to check what a
// reader and a screen reader get, and that nothing inline would break the CSP.
import { describe, expect, it } from 'vitest';
import { render } from 'svelte/server';
import CampaignArticle from './CampaignArticle.svelte';

const campaign = {
  slug: 'release-all',
  title: 'Release all political prisoners',
  summary: '1,168 political prisoners remain behind bars.',
  body_html: '<p>The <strong>statement</strong>.</p>',
  language: 'be',
  status: 'open',
  goal: 10000,
  signature_count: 1234,
  endorsement_count: 0,
  closes_at: '2025-12-31T21:00:00Z',
  calls: [
    { id: 1, audiences: ['belarus'], text: 'Stop all repression.' },
    { id: 2, audiences: ['eu', 'us', 'intl'], text: 'Intensify diplomatic efforts.' },
  ],
};

function page(over = {}) {
  return render(CampaignArticle, { props: { campaign: { ...campaign, ...over } } });
}

describe('CampaignArticle', () => {
  it('shows title, count and an accessible progress bar toward the goal', () => {
    const { body } = page();
    expect(body).toMatch(/<h1 lang="be"[^>]*>Release all political prisoners<\/h1>/);
    expect(body).toContain('1,234 signatures');
    const label = body.match(/<p id="([^"]+)" class="count/)[1];
    expect(body).toMatch(new RegExp(`<progress max="10000" value="1234" aria-labelledby="${label}"`));
  });

  it('renders the sanitised statement as HTML', () => {
    expect(page().body).toContain('<p>The <strong>statement</strong>.</p>');
  });

  it('groups the calls under their audiences', () => {
    const { body } = page();
    const belarus = body.indexOf('To the Belarusian authorities');
    const intl = body.indexOf('To the EU, its member states, the US and international institutions');
    expect(belarus).toBeGreaterThan(-1);
    expect(body.indexOf('Stop all repression.')).toBeGreaterThan(belarus);
    expect(body.indexOf('Stop all repression.')).toBeLessThan(intl);
    expect(body.indexOf('Intensify diplomatic efforts.')).toBeGreaterThan(intl);
  });

  it('leaves out a group with no calls and the bar when there is no goal', () => {
    const { body } = page({ goal: 0, calls: [campaign.calls[0]] });
    expect(body).not.toContain('<progress');
    expect(body).not.toContain('To the EU');
  });

  it('puts the campaign title in the document title', () => {
    expect(page().head).toContain('<title>Release all political prisoners — undersigned</title>');
  });

  it('has no inline style for the CSP to block', () => {
    expect(page().body).not.toMatch(/\sstyle=/);
  });
});
