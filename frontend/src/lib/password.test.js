import { describe, expect, it } from 'vitest';
import { checkPassword } from './password.js';

describe('checkPassword', () => {
  it('accepts 12 characters typed twice', () => {
    expect(checkPassword('correct horse', 'correct horse')).toEqual({});
  });

  it('asks for 12 characters, counting letters not bytes', () => {
    expect(checkPassword('short', 'short')).toEqual({ password: 'reset.error.short' });
    expect(checkPassword('пароль', 'пароль')).toEqual({ password: 'reset.error.short' });
  });

  it('refuses more than the server takes', () => {
    expect(checkPassword('я'.repeat(129), 'я'.repeat(129))).toEqual({ password: 'reset.error.long' });
  });

  it('reports two different passwords on the second field', () => {
    expect(checkPassword('correct horse', 'correct house')).toEqual({ repeat: 'reset.error.mismatch' });
  });
});
