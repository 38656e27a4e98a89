import { describe, expect, it } from 'vitest';
import { parseRoute } from '../lib/router.js';
import { adminPath, parseAdminRoute } from './routes.js';

describe('console routes', () => {
  it('maps addresses under /admin to pages and their sections', () => {
    expect(parseAdminRoute('/admin')).toEqual({ name: 'dashboard', section: 'dashboard', params: {} });
    expect(parseAdminRoute('/admin/')).toMatchObject({ name: 'dashboard' });
    expect(parseAdminRoute('/admin/dashboard/a-b')).toEqual({ name: 'dashboard', section: 'dashboard', params: { slug: 'a-b' } });
    expect(parseAdminRoute('/admin/digests/d%2F1')).toEqual({ name: 'digest', section: 'digests', params: { id: 'd/1' } });
    expect(parseAdminRoute('/admin/campaigns/new')).toEqual({ name: 'campaign', section: 'campaigns', params: { slug: 'new' } });
    expect(parseAdminRoute('/admin/endorsements')).toMatchObject({ name: 'endorsements' });
  });

  it('answers not-found for unknown or malformed paths', () => {
    expect(parseAdminRoute('/admin/nope').name).toBe('not-found');
    expect(parseAdminRoute('/admin/digests/a/b').name).toBe('not-found');
    expect(parseAdminRoute('/admin/digests/%E0%A4%A').name).toBe('not-found');
    expect(parseAdminRoute('/c/x').name).toBe('not-found');
  });

  it('builds escaped console paths', () => {
    expect(adminPath('digests', 'a/b')).toBe('/admin/digests/a%2Fb');
  });

  it('the site router hands /admin and everything under it to the console', () => {
    expect(parseRoute('/admin').name).toBe('admin');
    expect(parseRoute('/admin/contacts').name).toBe('admin');
    expect(parseRoute('/admin/digests/1').name).toBe('admin');
    expect(parseRoute('/administrator').name).toBe('not-found');
  });

  it('the site router knows the endorse pages', () => {
    expect(parseRoute('/c/some-slug/endorse')).toEqual({ name: 'endorse', params: { slug: 'some-slug' } });
    expect(parseRoute('/endorse/confirm/abc_DEF-1')).toEqual({ name: 'endorse-confirm', params: { token: 'abc_DEF-1' } });
    expect(parseRoute('/c/some-slug')).toEqual({ name: 'campaign', params: { slug: 'some-slug' } });
  });
});
