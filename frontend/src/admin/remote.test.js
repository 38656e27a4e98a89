import { describe, expect, it } from 'vitest';
import { Pages, Remote } from './remote.svelte.js';

// A promise the test settles by hand, to order answers as a slow network would.
function deferred() {
  let resolve, reject;
  const promise = new Promise((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('Remote', () => {
  it('keeps only the latest answer when an older one arrives late', async () => {
    const answers = [deferred(), deferred()];
    let call = 0;
    const r = new Remote(() => answers[call++].promise);
    const first = r.load();
    const second = r.load();
    answers[1].resolve('new');
    answers[0].resolve('old');
    await Promise.all([first, second]);
    expect(r.data).toBe('new');
    expect(r.status).toBe('ready');
  });
});

describe('Pages', () => {
  it('appends the next page and forgets the cursor on the last one', async () => {
    const pages = { '': { items: [{ id: 1 }, { id: 2 }], next_cursor: 'c2' }, c2: { items: [{ id: 3 }] } };
    const seen = [];
    const p = new Pages(async (cursor) => (seen.push(cursor), pages[cursor]));
    expect(p.status).toBe('loading');
    await p.load();
    expect(p.data.map((x) => x.id)).toEqual([1, 2]);
    expect(p.next).toBe('c2');
    await p.more();
    expect(p.data.map((x) => x.id)).toEqual([1, 2, 3]);
    expect(p.next).toBe('');
    expect(seen).toEqual(['', 'c2']);
  });

  it('starts over on load() and shows the old rows meanwhile', async () => {
    const later = deferred();
    let calls = 0;
    const p = new Pages(() => (calls++ === 0 ? Promise.resolve({ items: [{ id: 1 }] }) : later.promise));
    await p.load();
    const reload = p.load();
    expect(p.status).toBe('refreshing');
    expect(p.data).toHaveLength(1);
    later.resolve({ items: [{ id: 9 }], next_cursor: '' });
    await reload;
    expect(p.data.map((x) => x.id)).toEqual([9]);
  });

  it('reports a failure and keeps what it had', async () => {
    const p = new Pages(() => Promise.reject(Object.assign(new Error('down'), { code: 'network' })));
    await p.load();
    expect(p.status).toBe('error');
    expect(p.error.code).toBe('network');
    expect(p.data).toEqual([]);
  });

  it('does not show an item twice when a later page brings it again', async () => {
    const pages = { '': { items: [{ id: 'b' }, { id: 'c' }], next_cursor: 'c' }, c: { items: [{ id: 'a' }, { id: 'd' }] } };
    const p = new Pages(async (cursor) => pages[cursor]);
    await p.load();
    p.data = [{ id: 'a' }, ...p.data]; // added in the page since
    await p.more();
    expect(p.data.map((x) => x.id)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('keeps the rows shown when the next page fails', async () => {
    let calls = 0;
    const p = new Pages(async () => {
      if (calls++ === 0) return { items: [{ id: 1 }], next_cursor: 'n' };
      throw Object.assign(new Error('down'), { code: 'network' });
    });
    await p.load();
    await p.more();
    expect(p.status).toBe('ready');
    expect(p.error.code).toBe('network');
    expect(p.data).toHaveLength(1);
    expect(p.next).toBe('n');
  });
});
