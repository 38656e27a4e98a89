import { describe, expect, it } from 'vitest';
import { takesSignatures } from './campaignStatus.js';

describe('takesSignatures', () => {
  const now = Date.parse('2025-10-01T12:00:00Z');
  it.each([
    ['open, no window', { status: 'open' }, true],
    ['open, null window', { status: 'open', opens_at: null, closes_at: null }, true],
    ['open, inside the window', { status: 'open', opens_at: '2025-09-01T00:00:00Z', closes_at: '2025-11-01T00:00:00Z' }, true],
    ['open, not yet', { status: 'open', opens_at: '2025-10-02T00:00:00Z' }, false],
    ['open, past its closing time', { status: 'open', closes_at: '2025-10-01T11:59:59Z' }, false],
    ['closed', { status: 'closed' }, false],
    ['draft', { status: 'draft' }, false],
    ['nothing', undefined, false],
  ])('%s', (_, campaign, want) => {
    expect(takesSignatures(campaign, now)).toBe(want);
  });
});
