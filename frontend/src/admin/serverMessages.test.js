import { describe, expect, it } from 'vitest';
import { explainConflict, serverMessageKeys } from './serverMessages.js';
import en from './messages/en.js';

describe('explainConflict', () => {
  it.each([
    ['the last active admin cannot be demoted or disabled', 'server.lastAdmin'],
    ['this digest was sent', 'server.digestSent'],
    ['this digest was cancelled', 'server.digestCancelled'],
    ['only a draft or a digest being sent can be cancelled', 'server.cancelOnly'],
  ])('%s', (message, key) => {
    expect(explainConflict(message)?.key).toBe(key);
  });

  it('knows nothing else', () => {
    expect(explainConflict('something new')).toBeNull();
  });
});

it('every key the patterns name is a console string', () => {
  for (const key of serverMessageKeys) expect(en, key).toHaveProperty([key]);
});
