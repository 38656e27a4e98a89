// The proof of work (ALTCHA) that stands in for a captcha, solved in the
// background with the altcha library's solver and its SHA worker. We use
// the library's solver rather than its <altcha-widget>: the widget costs
// about 33 KB gzipped (it carries its own copy of the Svelte runtime and UI)
// where the solver costs about 3 KB, and our form shows its own progress in
// the interface language.
//
// The server issues ALTCHA v1 challenges ({algorithm, challenge, maxnumber,
// salt, signature}): find n with hex(SHA-256(salt + n)) === challenge. The
// library's v3 solver works on {parameters: {nonce, keyPrefix, salt, ...}},
// so a v1 challenge is expressed in those terms (password = salt bytes +
// the decimal counter, key = SHA-256 of it), as the widget itself does.

import { solveChallengeWorkers } from 'altcha/lib';
import ShaWorker from 'altcha/workers/sha?worker';
import { get } from './api.js';

/**
 * The v3 form of a v1 challenge.
 * @param {{algorithm: string, challenge: string, salt: string, signature: string}} v1
 */
export function fromV1(v1) {
  return {
    parameters: {
      algorithm: v1.algorithm,
      cost: 1,
      keyLength: 32,
      nonce: toHex(new TextEncoder().encode(v1.salt)),
      keyPrefix: v1.challenge,
      salt: '',
    },
    signature: v1.signature,
  };
}

/**
 * The value of the form's pow field: what the ALTCHA widget would submit.
 * @param {{algorithm: string, challenge: string, salt: string, signature: string}} v1
 * @param {{counter: number, time?: number}} solution
 */
export function payloadV1(v1, solution) {
  return btoa(
    JSON.stringify({
      algorithm: v1.algorithm,
      challenge: v1.challenge,
      number: solution.counter,
      salt: v1.salt,
      signature: v1.signature,
      took: Math.round(solution.time ?? 0),
    }),
  );
}

/**
 * When a challenge stops being accepted: the server puts "expires=<unix
 * seconds>" in the salt's query part. Returns a time in ms, or Infinity.
 * @param {string} salt
 */
export function expiresAt(salt) {
  const query = String(salt ?? '').split('?')[1] ?? '';
  const seconds = Number(new URLSearchParams(query).get('expires'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : Infinity;
}

function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Fetch a challenge and solve it; resolves to {payload, expires}.
 * @param {AbortSignal} [signal]
 */
export async function solvePow(signal) {
  const v1 = await get('/pow', { signal });
  const controller = new AbortController();
  signal?.addEventListener('abort', () => controller.abort());
  const concurrency = Math.min(4, Math.max(1, (navigator.hardwareConcurrency || 2) - 1));
  const solution = await solveChallengeWorkers({
    challenge: fromV1(v1),
    concurrency,
    controller,
    counterMode: 'string',
    createWorker: () => new ShaWorker(),
  });
  if (!solution) throw new DOMException('proof of work stopped', 'AbortError');
  return { payload: payloadV1(v1, solution), expires: expiresAt(v1.salt) };
}
