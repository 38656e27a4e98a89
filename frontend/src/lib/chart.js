// Scales for the bar charts of signatures by country and by day. Pure
// functions: the components only place what these compute.

/**
 * The smallest "round" number (1, 2 or 5 times a power of ten) at or above
 * max, so that the axis ends on a number a reader can take in; 1 for 0.
 * @param {number} max
 */
export function niceCeiling(max) {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= max) return step * power;
  }
  return 10 * power;
}

/**
 * The length of a bar for value on an axis of length, whose end is top.
 * A value above zero gets at least one unit, so that it stays visible.
 * @param {number} value
 * @param {number} top
 * @param {number} length
 */
export function barLength(value, top, length) {
  if (!(value > 0) || !(top > 0)) return 0;
  return Math.max(1, Math.min(length, (value / top) * length));
}

/**
 * Days in order with the missing ones filled with zero, at most the last
 * `limit` of them (a chart of a year of days would be bars of a pixel) and
 * at least `minimum` (one day alone would be a single wall of a bar).
 * @param {{date: string, count: number}[]} days dates as YYYY-MM-DD
 * @param {number} [limit]
 * @param {number} [minimum]
 */
export function fillDays(days, limit = 60, minimum = 1) {
  const counts = new Map();
  for (const d of days ?? []) {
    const key = String(d.date).slice(0, 10);
    counts.set(key, (counts.get(key) ?? 0) + d.count);
  }
  if (counts.size === 0) return [];
  const keys = [...counts.keys()].sort();
  const last = Date.parse(keys[keys.length - 1] + 'T00:00:00Z');
  const earliest = Math.min(Date.parse(keys[0] + 'T00:00:00Z'), last - (minimum - 1) * 86400000);
  const first = Math.max(earliest, last - (limit - 1) * 86400000);
  const out = [];
  for (let t = first; t <= last; t += 86400000) {
    const date = new Date(t).toISOString().slice(0, 10);
    out.push({ date, count: counts.get(date) ?? 0 });
  }
  return out;
}
