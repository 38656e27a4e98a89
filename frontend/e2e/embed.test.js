// Browser test of the widget partners embed on their own sites: it shows
// the count and a button to the campaign carrying the partner's code, it can
// be framed by another site while the rest of the SPA cannot, and axe finds
// nothing wrong with it.

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, test } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import { browserSuite, openPage } from './stack.js';

const slug = 'release-all-political-prisoners';

browserSuite('embeddable widget in Chromium', 120_000, (stack) => {
  test('only the widget may be framed by another site', async () => {
    const widget = await fetch(`${stack.base}/embed/${slug}`);
    assert.equal(widget.status, 200);
    assert.match(widget.headers.get('content-security-policy'), /frame-ancestors \*/);
    assert.equal(widget.headers.get('x-frame-options'), null);
    const page = await fetch(`${stack.base}/c/${slug}`);
    assert.match(page.headers.get('content-security-policy'), /frame-ancestors 'none'/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
  });

  test('a partner page frames the widget, which links to the campaign with its code', async () => {
    const { page, context, problems } = await openPage(stack, { width: 800, height: 600 });
    try {
      // A partner's page on another origin: a second server on another
      // port of this machine (Chromium's local-network rules refuse a
      // public or a made-up page framing a loopback one).
      const partner = createServer((_, res) => {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end(`<!doctype html><title>Partner</title><iframe title="Campaign" src="${stack.base}/embed/${slug}?ref=partner-x" width="360" height="220"></iframe>`);
      });
      await new Promise((resolve) => partner.listen(0, '127.0.0.1', resolve));
      after(() => partner.close());
      await page.goto(`http://127.0.0.1:${partner.address().port}/`);
      const frame = await (await page.waitForSelector('iframe')).contentFrame();
      const button = frame.getByRole('link', { name: 'Sign the statement' });
      await button.waitFor();
      assert.equal(await button.getAttribute('href'), `/c/${slug}?ref=partner-x`);
      assert.equal(await button.getAttribute('target'), '_blank');
      assert.match(await frame.locator('.count').innerText(), /0 signatures/);
      assert.equal(await frame.locator('header, footer').count(), 0, 'the widget has no site frame');
      assert.deepEqual(problems.csp, []);
      assert.deepEqual(problems.errors, []);
    } finally {
      await context.close();
    }
  });

  test('axe finds no violation in the widget', async () => {
    const { page, context, problems } = await openPage(stack, { width: 360, height: 240 });
    try {
      await page.goto(`${stack.base}/embed/${slug}`);
      await page.getByRole('link', { name: 'Sign the statement' }).waitFor();
      const result = await new AxeBuilder({ page }).analyze();
      assert.deepEqual(result.violations.map((v) => `${v.id}: ${v.help}`), []);
      assert.deepEqual(problems.foreign, []);
      assert.deepEqual(problems.csp, []);
    } finally {
      await context.close();
    }
  });
});
