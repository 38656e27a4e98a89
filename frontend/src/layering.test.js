import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('.', import.meta.url));

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.(js|svelte)$/.test(name) ? [path] : [];
  });
}

describe('layering', () => {
  // The public pages never load the console: its code is for staff only, and
  // a signer's browser should not fetch it.
  it('public code imports nothing from admin/', () => {
    const offending = [];
    for (const dir of ['pages', 'components', 'lib', 'endorse']) {
      for (const file of files(join(src, dir))) {
        const text = readFileSync(file, 'utf8');
        if (/from\s+['"][^'"]*\/admin\//.test(text) || /import\(\s*['"][^'"]*\/admin\//.test(text)) offending.push(relative(src, file));
      }
    }
    expect(offending).toEqual([]);
  });

  it('one fetch client: nothing but lib/api.js calls fetch', () => {
    const callers = files(src).filter((f) => !f.endsWith('.test.js') && !f.endsWith('api.js') && /\bfetch\(|globalThis\.fetch/.test(readFileSync(f, 'utf8')));
    expect(callers.map((f) => relative(src, f))).toEqual([]);
  });
});
