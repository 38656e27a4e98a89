import { describe, expect, it } from 'vitest';
import { endorsedCalls, websiteLink } from './endorsers.js';

const calls = [
  { id: 'a', text: 'First' },
  { id: 'b', text: 'Second' },
  { id: 'c', text: 'Third' },
];

describe('endorsedCalls', () => {
  it('is empty for the whole statement', () => {
    expect(endorsedCalls({ all_calls: true, calls: ['a', 'b', 'c'] }, calls)).toEqual([]);
  });

  it('lists the chosen calls in statement order, with their texts', () => {
    expect(endorsedCalls({ all_calls: false, calls: ['c', 'a'] }, calls)).toEqual([calls[0], calls[2]]);
  });

  it('leaves out ids the campaign no longer has', () => {
    expect(endorsedCalls({ calls: ['gone', 'b'] }, calls)).toEqual([calls[1]]);
  });
});

describe('websiteLink', () => {
  it.each([
    ['https://friends.example.org', { href: 'https://friends.example.org/', label: 'friends.example.org' }],
    ['https://www.example.org/about', { href: 'https://www.example.org/about', label: 'example.org/about' }],
    ['http://example.org/', { href: 'http://example.org/', label: 'example.org' }],
    ['javascript:alert(1)', null],
    ['data:text/html,hi', null],
    ['example.org', null],
    ['', null],
    [undefined, null],
  ])('%s', (input, want) => {
    expect(websiteLink(input)).toEqual(want);
  });
});
