import { describe, expect, it, vi } from 'vitest';
import { createHash } from 'node:crypto';

vi.mock('altcha/workers/sha?worker', () => ({ default: class {} }));
const { expiresAt, fromV1, payloadV1 } = await import('./pow.js');

const sha256 = (s) => createHash('sha256').update(s).digest('hex');
const salt = '4f1c2e?expires=1767225600&';
const v1 = { algorithm: 'SHA-256', challenge: sha256(salt + '1234'), maxnumber: 200000, salt, signature: 'abc' };

describe('fromV1', () => {
  it('puts the salt bytes in the nonce and the challenge in the key prefix', () => {
    const c = fromV1(v1);
    expect(Buffer.from(c.parameters.nonce, 'hex').toString()).toBe(salt);
    expect(c.parameters).toMatchObject({ algorithm: 'SHA-256', keyPrefix: v1.challenge, salt: '', cost: 1, keyLength: 32 });
    expect(c.signature).toBe('abc');
  });
});

describe('payloadV1', () => {
  it('is the base64 JSON the server verifies', () => {
    const decoded = JSON.parse(atob(payloadV1(v1, { counter: 1234, time: 812.4 })));
    expect(decoded).toEqual({ algorithm: 'SHA-256', challenge: v1.challenge, number: 1234, salt, signature: 'abc', took: 812 });
    expect(sha256(decoded.salt + decoded.number)).toBe(decoded.challenge);
  });
});

describe('expiresAt', () => {
  it('reads the expiry from the salt', () => {
    expect(expiresAt(salt)).toBe(1767225600 * 1000);
  });

  it('is Infinity when the salt says nothing', () => {
    expect(expiresAt('4f1c2e')).toBe(Infinity);
    expect(expiresAt('4f1c2e?expires=soon')).toBe(Infinity);
  });
});

describe('the library solver on a v1 challenge', () => {
  it('finds the number the server hid', async () => {
    const { solveChallenge, sha } = await import('altcha/lib');
    const solution = await solveChallenge({ challenge: fromV1(v1), counterMode: 'string', deriveKey: sha.deriveKey });
    expect(solution.counter).toBe(1234);
    const decoded = JSON.parse(atob(payloadV1(v1, solution)));
    expect(sha256(decoded.salt + decoded.number)).toBe(v1.challenge);
  });
});
