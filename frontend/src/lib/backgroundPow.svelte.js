// The proof of work of a public form, solved in the background: it starts
// when the form comes into view (or on a focus inside it), one solve at a
// time, and a solution is used once. Leaving the page stops the workers.
import { solvePow } from './pow.js';

export class BackgroundPow {
  /** idle | working | ready | failed */
  state = $state('idle');
  /** Whether a submit is waiting for the solve to finish. */
  waiting = $state(false);
  #job = null;
  #result = null;
  #leaving = new AbortController();

  /** Start solving unless a solve runs or a solution waits. */
  start() {
    if (this.#job) return this.#job;
    this.state = 'working';
    this.#job = solvePow(this.#leaving.signal).then(
      (result) => {
        this.#result = result;
        this.state = 'ready';
        return result;
      },
      (err) => {
        this.#job = null;
        this.state = 'failed';
        throw err;
      },
    );
    this.#job.catch(() => {}); // failures are shown through state
    return this.#job;
  }

  /** A fresh solution's payload, waiting for one if need be; a minute of life at least. */
  async take() {
    if (this.#result && this.#result.expires - Date.now() < 60_000) this.discard();
    if (!this.#result) {
      this.waiting = true;
      try {
        await this.start();
      } finally {
        this.waiting = false;
      }
    }
    return this.#result.payload;
  }

  /** Forget the solution (it was spent, or may have been). */
  discard() {
    this.#job = null;
    this.#result = null;
    this.state = 'idle';
  }

  /**
   * Start when element comes into view; the returned function, for
   * onMount, stops watching and stops the workers.
   * @param {Element} element
   */
  watch(element) {
    let seen = null;
    if ('IntersectionObserver' in window) {
      seen = new IntersectionObserver((entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          seen.disconnect();
          this.start();
        }
      });
      seen.observe(element);
    } else {
      this.start();
    }
    return () => {
      seen?.disconnect();
      this.#leaving.abort();
    };
  }
}
