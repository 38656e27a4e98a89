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
