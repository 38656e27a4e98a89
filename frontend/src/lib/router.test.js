import { describe, expect, it } from 'vitest';
import { campaignPath, parseRoute, shouldIntercept } from './router.js';

describe('parseRoute', () => {
  it.each([
    ['/', { name: 'home', params: {} }],
    ['', { name: 'home', params: {} }],
    ['/c/release-all', { name: 'campaign', params: { slug: 'release-all' } }],
    ['/c/release-all/', { name: 'campaign', params: { slug: 'release-all' } }],
    ['/c/%D0%B2%D0%BE%D0%BB%D1%8F', { name: 'campaign', params: { slug: 'воля' } }],
    ['/privacy', { name: 'privacy', params: {} }],
    ['/confirm/AbC-12_x', { name: 'confirm', params: { token: 'AbC-12_x' } }],
    ['/withdraw/tok', { name: 'withdraw', params: { token: 'tok' } }],
    ['/reset/tok', { name: 'reset', params: { token: 'tok' } }],
    ['/unsubscribe/tok', { name: 'unsubscribe', params: { token: 'tok' } }],
    ['/unsubscribe', { name: 'not-found', params: {} }],
    ['/confirm', { name: 'not-found', params: {} }],
    ['/c', { name: 'not-found', params: {} }],
    ['/c/a/b', { name: 'not-found', params: {} }],
    ['/campaigns', { name: 'not-found', params: {} }],
    ['/c/%E0%A4%A', { name: 'not-found', params: {} }],
  ])('%s', (path, want) => {
    expect(parseRoute(path)).toEqual(want);
  });

  it('round-trips campaignPath', () => {
    expect(parseRoute(campaignPath('a b/c')).params.slug).toBe('a b/c');
  });
});

describe('shouldIntercept', () => {
  const here = new URL('https://sign.example/c/one');
  const click = (over = {}) => ({
    defaultPrevented: false, button: 0, metaKey: false, ctrlKey: false, shiftKey: false, altKey: false, ...over,
  });
  const link = (href, { target = '', download = false } = {}) => ({
    href, target, hasAttribute: (name) => name === 'download' && download,
  });

  it('takes a plain click on an internal page link', () => {
    expect(shouldIntercept(click(), link('https://sign.example/c/two'), here)).toBe(true);
    expect(shouldIntercept(click(), link('/'), here)).toBe(true);
  });

  it.each([
    ['no anchor', click(), null],
    ['another origin', click(), link('https://elsewhere.example/c/two')],
    ['modifier key', click({ ctrlKey: true }), link('/')],
    ['middle button', click({ button: 1 }), link('/')],
    ['already handled', click({ defaultPrevented: true }), link('/')],
    ['new window', click(), link('/', { target: '_blank' })],
    ['download', click(), link('/', { download: true })],
    ['API URL', click(), link('/api/v1/campaigns')],
    ['fragment on this page', click(), link('#main')],
  ])('leaves %s to the browser', (_, event, anchor) => {
    expect(shouldIntercept(event, anchor, here)).toBe(false);
  });
});
