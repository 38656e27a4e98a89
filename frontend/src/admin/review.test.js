import { describe, expect, it } from 'vitest';
import { endorsedCalls, reviewActions } from './review.js';

describe('endorsement review', () => {
  it('offers the steps the server allows in each status', () => {
    expect(reviewActions('awaiting_review')).toEqual(['approve', 'reject', 'rename']);
    expect(reviewActions('approved')).toEqual(['revoke', 'rename']);
    expect(reviewActions('rejected')).toEqual(['rename']);
    expect(reviewActions('something')).toEqual([]);
  });

  it('numbers the endorsed calls as in the statement', () => {
    const calls = [
      { id: 'a', text: 'First' },
      { id: 'b', text: 'Second' },
      { id: 'c', text: 'Third' },
    ];
    expect(endorsedCalls({ all_calls: true, calls: ['a', 'b', 'c'] }, calls)).toEqual([]);
    expect(endorsedCalls({ all_calls: false, calls: ['c', 'a', 'x'] }, calls)).toEqual([
      { number: 3, id: 'c', text: 'Third' },
      { number: 1, id: 'a', text: 'First' },
      { number: null, id: 'x', text: '' },
    ]);
  });
});
