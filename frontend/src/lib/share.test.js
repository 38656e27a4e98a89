import { describe, expect, it } from 'vitest';
import { campaignURL, canShare, embedCode } from './share.js';

describe('share step', () => {
  it('links to the campaign on this origin only', () => {
    expect(campaignURL('https://sign.example.org', 'release-all')).toBe('https://sign.example.org/c/release-all');
    const code = embedCode('https://sign.example.org', 'release-all', 'Free "them" <all>');
    expect(code).toContain('src="https://sign.example.org/embed/release-all"');
    expect(code).toContain('title="Free &quot;them&quot; &lt;all>"');
    expect(code).not.toMatch(/https?:\/\/(?!sign\.example\.org)/);
  });
  it('offers the share sheet only where the browser has one', () => {
    const data = { url: 'https://x/c/y' };
    expect(canShare(undefined, data)).toBe(false);
    expect(canShare({}, data)).toBe(false);
    expect(canShare({ share: () => {} }, data)).toBe(true);
    expect(canShare({ share: () => {}, canShare: () => false }, data)).toBe(false);
  });
});
