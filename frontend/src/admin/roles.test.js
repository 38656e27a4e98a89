import { describe, expect, it } from 'vitest';
import { atLeast, roleFor, sectionsFor } from './roles.js';

describe('roles', () => {
  it('orders admin > editor > moderator > viewer', () => {
    expect(atLeast('admin', 'editor')).toBe(true);
    expect(atLeast('editor', 'moderator')).toBe(true);
    expect(atLeast('moderator', 'moderator')).toBe(true);
    expect(atLeast('moderator', 'editor')).toBe(false);
    expect(atLeast('viewer', 'moderator')).toBe(false);
    expect(atLeast('', 'viewer')).toBe(false);
    expect(atLeast('root', 'viewer')).toBe(false);
  });

  it('offers each role only the sections it may open', () => {
    const names = (role) => sectionsFor(role).map((s) => s.name);
    expect(names('viewer')).toEqual(['dashboard']);
    expect(names('moderator')).toEqual(['dashboard', 'endorsements']);
    expect(names('editor')).toEqual(['dashboard', 'endorsements', 'digests', 'updates', 'contacts', 'schedules', 'campaigns']);
    expect(names('admin')).toContain('outbox');
    expect(names('admin')).toContain('users');
    expect(names('admin')).toContain('audit');
    expect(names('admin')).toContain('signatures');
    expect(names('editor')).not.toContain('users');
  });

  it('needs admin for a section it does not know', () => {
    expect(roleFor('digests')).toBe('editor');
    expect(roleFor('nonsense')).toBe('admin');
  });
});
