// Server-renders the sign form to check its structure: every field labelled,
// the private tier chosen by default, consent linking to the privacy page,
// nothing inline for the CSP to block.
import { describe, expect, it, vi } from 'vitest';
import { render } from 'svelte/server';

vi.mock('altcha/workers/sha?worker', () => ({ default: class {} }));
const { default: SignForm } = await import('./SignForm.svelte');
const { promises } = await import('../lib/signForm.js');
const { default: en } = await import('../lib/messages/en.json');

describe('SignForm', () => {
  const { body } = render(SignForm, { props: { slug: 'release-all' } });

  it('labels every field', () => {
    const ids = [...body.matchAll(/<(?:input|textarea)\b[^>]*\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.length).toBe(9); // name, email, country, comment, three tiers, updates, consent
    for (const id of ids) expect(body).toContain(`for="${id}"`);
  });

  it('offers the three tiers in a group, private by default', () => {
    expect(body).toMatch(/<fieldset[^>]*>(<!---->|\s)*<legend[^>]*>How your signature appears<\/legend>/);
    const radios = [...body.matchAll(/<input type="radio"[^>]*>/g)].map((m) => m[0]);
    expect(radios).toHaveLength(3);
    expect(radios.filter((r) => /\schecked/.test(r))).toEqual([expect.stringContaining('value="private"')]);
  });

  it('links consent to the privacy page and lists the countries', () => {
    expect(body).toContain('href="/privacy"');
    expect(body).toContain('<option value="Belarus" label="BY">');
    expect(body.match(/<option /g)).toHaveLength(250);
  });

  // Each promise is checked against the server by server/internal/api/truth_test.go.
  it('tells the signer who can see what, every promise', () => {
    for (const key of promises) expect(body).toContain(en[key]);
    expect(body).toContain(en['sign.name.truthHint']);
    expect(body).toContain(en['sign.comment.truthHint']);
  });

  it('has no inline style for the CSP to block', () => {
    expect(body).not.toMatch(/\sstyle=/);
  });
});
