import { describe, expect, it } from 'vitest';
import { barLength, fillDays, niceCeiling } from './chart.js';

describe('niceCeiling', () => {
  it.each([
    [0, 1], [-3, 1], [NaN, 1], [1, 1], [3, 5], [7, 10], [10, 10], [11, 20], [48, 50], [120, 200], [5000, 5000], [5001, 10000], [0.3, 0.5],
  ])('%s → %s', (max, want) => {
    expect(niceCeiling(max)).toBe(want);
  });
});

describe('barLength', () => {
  it('scales the value to the axis', () => {
    expect(barLength(50, 100, 300)).toBe(150);
    expect(barLength(100, 100, 300)).toBe(300);
  });

  it('keeps a small value visible and never overflows', () => {
    expect(barLength(1, 100000, 300)).toBe(1);
    expect(barLength(200, 100, 300)).toBe(300);
  });

  it('is zero for nothing', () => {
    expect(barLength(0, 100, 300)).toBe(0);
    expect(barLength(5, 0, 300)).toBe(0);
  });
});

describe('fillDays', () => {
  it('fills the gaps with zero, in order', () => {
    const days = [
      { date: '2025-09-14', count: 3 },
      { date: '2025-09-12', count: 5 },
    ];
    expect(fillDays(days)).toEqual([
      { date: '2025-09-12', count: 5 },
      { date: '2025-09-13', count: 0 },
      { date: '2025-09-14', count: 3 },
    ]);
  });

  it('keeps only the last days past the limit', () => {
    const days = [{ date: '2025-01-01', count: 1 }, { date: '2025-03-01', count: 2 }];
    const out = fillDays(days, 10);
    expect(out).toHaveLength(10);
    expect(out[0].date).toBe('2025-02-20');
    expect(out.at(-1)).toEqual({ date: '2025-03-01', count: 2 });
  });

  it('reaches back to show at least the minimum of days', () => {
    const out = fillDays([{ date: '2025-09-12', count: 4 }], 60, 7);
    expect(out.map((d) => d.date)).toEqual(['2025-09-06', '2025-09-07', '2025-09-08', '2025-09-09', '2025-09-10', '2025-09-11', '2025-09-12']);
    expect(out.map((d) => d.count)).toEqual([0, 0, 0, 0, 0, 0, 4]);
  });

  it('accepts timestamps and copes with nothing', () => {
    expect(fillDays([{ date: '2025-09-12T00:00:00Z', count: 2 }])).toEqual([{ date: '2025-09-12', count: 2 }]);
    expect(fillDays([])).toEqual([]);
    expect(fillDays(undefined)).toEqual([]);
  });
});
