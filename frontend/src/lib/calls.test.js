import { describe, expect, it } from 'vitest';
import { groupCalls } from './calls.js';

describe('groupCalls', () => {
  it('splits calls by audience, keeping statement order', () => {
    const calls = [
      { id: 1, audiences: ['belarus'], text: 'stop repression' },
      { id: 2, audiences: ['eu', 'us', 'intl'], text: 'diplomacy' },
      { id: 3, audiences: ['us'], text: 'sanctions' },
      { id: 4, audiences: ['belarus'], text: 'end deportations' },
      { id: 5, audiences: ['intl'], text: 'monitoring' },
    ];
    const groups = groupCalls(calls);
    expect(groups.belarus.map((c) => c.id)).toEqual([1, 4]);
    expect(groups.international.map((c) => c.id)).toEqual([2, 3, 5]);
  });

  it('shows a call addressed to both sides in both groups', () => {
    const both = { id: 7, audiences: ['belarus', 'eu'], text: 'talk' };
    expect(groupCalls([both])).toEqual({ belarus: [both], international: [both] });
  });

  it('copes with missing calls and audiences', () => {
    expect(groupCalls(undefined)).toEqual({ belarus: [], international: [] });
    expect(groupCalls([{ id: 1, text: 'x' }])).toEqual({ belarus: [], international: [] });
  });
});
