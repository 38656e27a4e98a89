// A live Markdown preview: the server renders it (the sanitiser that saving
// uses), after a pause in typing; an answer for text that has changed since
// is dropped, its request aborted.

/**
 * @param {(body: string, signal: AbortSignal) => Promise<string>} render the HTML of body
 * @param {(state: {status: 'idle' | 'working' | 'ready' | 'failed', html?: string, error?: any}) => void} onChange
 *   html comes with idle (empty) and ready; error with failed
 * @param {{delay?: number}} [options]
 */
export function createPreview(render, onChange, { delay = 400 } = {}) {
  let timer = null;
  let controller = null;

  function cancel() {
    clearTimeout(timer);
    timer = null;
    controller?.abort();
    controller = null;
  }

  /** Preview source: after the delay, or at once (the text as loaded). */
  function update(source, { now = false } = {}) {
    cancel();
    const body = String(source ?? '');
    if (!body.trim()) {
      onChange({ status: 'idle', html: '' });
      return;
    }
    onChange({ status: 'working' });
    const mine = new AbortController();
    controller = mine;
    timer = setTimeout(async () => {
      try {
        const html = await render(body, mine.signal);
        if (controller === mine) onChange({ status: 'ready', html });
      } catch (error) {
        if (controller === mine && error?.name !== 'AbortError') onChange({ status: 'failed', error });
      }
    }, now ? 0 : delay);
  }

  return { update, stop: cancel };
}
