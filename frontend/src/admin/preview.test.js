import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPreview } from './preview.js';

describe('createPreview', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function setup(render) {
    const states = [];
    const preview = createPreview(render, (s) => states.push(s), { delay: 300 });
    return { preview, states, last: () => states.at(-1) };
  }

  it('renders once typing pauses, with the latest text only', async () => {
    const render = vi.fn(async (body) => `<p>${body}</p>`);
    const { preview, last } = setup(render);
    preview.update('a');
    await vi.advanceTimersByTimeAsync(100);
    preview.update('ab');
    await vi.advanceTimersByTimeAsync(100);
    preview.update('abc');
    expect(last()).toEqual({ status: 'working' });
    await vi.advanceTimersByTimeAsync(300);
    expect(render).toHaveBeenCalledTimes(1);
    expect(render.mock.calls[0][0]).toBe('abc');
    expect(last()).toEqual({ status: 'ready', html: '<p>abc</p>' });
  });

  it('renders the loaded text at once', async () => {
    const render = vi.fn(async () => '<p>x</p>');
    const { preview, last } = setup(render);
    preview.update('x', { now: true });
    await vi.advanceTimersByTimeAsync(0);
    expect(last()).toEqual({ status: 'ready', html: '<p>x</p>' });
  });

  it('drops an answer for text that has changed, and aborts its request', async () => {
    let finish;
    const signals = [];
    const render = vi.fn((body, signal) => {
      signals.push(signal);
      return new Promise((resolve) => (finish = () => resolve(`<p>${body}</p>`)));
    });
    const { preview, states, last } = setup(render);
    preview.update('old');
    await vi.advanceTimersByTimeAsync(300);
    const slow = finish;
    preview.update('new');
    expect(signals[0].aborted).toBe(true);
    slow();
    await vi.advanceTimersByTimeAsync(0);
    expect(states.some((s) => s.html === '<p>old</p>')).toBe(false);
    await vi.advanceTimersByTimeAsync(300);
    finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(last()).toEqual({ status: 'ready', html: '<p>new</p>' });
  });

  it('shows nothing for blank text, without asking the server', async () => {
    const render = vi.fn();
    const { preview, last } = setup(render);
    preview.update('  \n');
    await vi.advanceTimersByTimeAsync(1000);
    expect(render).not.toHaveBeenCalled();
    expect(last()).toEqual({ status: 'idle', html: '' });
  });

  it('reports a failure', async () => {
    const error = Object.assign(new Error('too long'), { code: 'validation_failed' });
    const { preview, last } = setup(async () => {
      throw error;
    });
    preview.update('x');
    await vi.advanceTimersByTimeAsync(300);
    expect(last()).toEqual({ status: 'failed', error });
  });
});
