import { describe, expect, it } from 'vitest';
import { ApiError } from './api.js';
import { refusal } from './publicForm.js';
import { retryMinutes } from './signForm.js';

describe('refusal', () => {
  it('keeps an unspent proof of work when only fields were refused', () => {
    const r = refusal(new ApiError('x', { status: 422, code: 'validation_failed', fields: { email: 'bad' } }), retryMinutes);
    expect(r).toEqual({ kind: 'fields', fields: { email: 'bad' }, powSpent: false });
    expect(refusal(new ApiError('x', { status: 422, code: 'validation_failed', fields: { pow: 'no' } }), retryMinutes).powSpent).toBe(true);
  });
  it('tells the wait of a 429 from Retry-After', () => {
    expect(refusal(new ApiError('x', { status: 429, code: 'rate_limited', retryAfter: '120' }), retryMinutes)).toEqual({ kind: 'rate', minutes: 2, powSpent: true });
  });
  it('names conflicts, network failures and the rest', () => {
    expect(refusal(new ApiError('x', { status: 409, code: 'conflict' }), retryMinutes).kind).toBe('conflict');
    expect(refusal(new ApiError('x', { status: 0, code: 'network' }), retryMinutes).kind).toBe('network');
    expect(refusal(new ApiError('x', { status: 500, code: 'internal' }), retryMinutes).kind).toBe('generic');
  });
});
