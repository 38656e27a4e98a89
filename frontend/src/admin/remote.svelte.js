// A value loaded from the API, with its loading and error states. Only the
// latest load lands: an older answer arriving late is dropped.

export class Remote {
  status = $state('loading');
  data = $state.raw(null);
  error = $state.raw(null);
  #seq = 0;

  /** @param {() => Promise<any>} fetcher */
  constructor(fetcher) {
    this.fetcher = fetcher;
  }

  /** Load (again); keeps showing the old data while the new is on its way. */
  async load() {
    const mine = ++this.#seq;
    this.status = this.data === null ? 'loading' : 'refreshing';
    this.error = null;
    try {
      const data = await this.fetcher();
      if (mine !== this.#seq) return;
      this.data = data;
      this.status = 'ready';
    } catch (err) {
      if (mine !== this.#seq || err?.name === 'AbortError') return;
      this.error = err;
      this.status = 'error';
    }
  }
}

// A list the API hands out a page at a time ({items, next_cursor}). The
// same status, data and error as Remote; more() appends the next page. A
// failed next page keeps what was shown: status stays ready, with the error.
// The fetcher may return other fields too; the last answer is in `page`.
export class Pages {
  status = $state('loading');
  data = $state([]);
  next = $state('');
  error = $state.raw(null);
  page = $state.raw(null);
  #seq = 0;
  #loaded = false;

  /**
   * @param {(cursor: string) => Promise<{items: any[], next_cursor?: string}>} fetchPage
   * @param {(item: any) => any} [key] what tells two items apart
   */
  constructor(fetchPage, key = (item) => item.id) {
    this.fetchPage = fetchPage;
    this.key = key;
  }

  /** Load the first page (again), or the page at cursor to append. */
  async load(cursor = '') {
    const mine = ++this.#seq;
    this.status = this.#loaded ? 'refreshing' : 'loading';
    this.error = null;
    try {
      const page = await this.fetchPage(cursor);
      if (mine !== this.#seq) return;
      const items = page.items ?? [];
      // An item added here since the first page may come again on a later one.
      const shown = new Set(cursor ? this.data.map(this.key) : []);
      this.data = cursor ? [...this.data, ...items.filter((item) => !shown.has(this.key(item)))] : items;
      this.next = page.next_cursor ?? '';
      this.page = page;
      this.#loaded = true;
      this.status = 'ready';
    } catch (err) {
      if (mine !== this.#seq || err?.name === 'AbortError') return;
      this.error = err;
      this.status = cursor && this.#loaded ? 'ready' : 'error';
    }
  }

  more() {
    return this.load(this.next);
  }
}
