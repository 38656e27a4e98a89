// The receipt of a confirmed signature, checked in the browser against the
// campaign's public transparency log (issue 15): the confirmation page
// shows it once, /verify proves it counted (WebCrypto SHA-256 and Ed25519,
// inclusion from the log's tiles), and after a withdrawal proves it
// withdrawn. Run by `npm run test:e2e`.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertAccessible, assertClean, browserSuite, linkIn, openPage } from './stack.js';

const slug = 'release-all-political-prisoners';

browserSuite('receipts checked against the public log in Chromium', 300_000, (stack) => {
  /** Press Check until the outcome is want (the log appends every second). */
  async function checkUntil(page, want) {
    const deadline = Date.now() + 20000;
    for (;;) {
      await page.getByRole('button', { name: 'Check' }).click();
      const outcome = page.locator('[data-outcome]');
      await outcome.waitFor();
      const got = await outcome.getAttribute('data-outcome');
      if (got === want) return;
      assert.notEqual(got, 'failed', await outcome.textContent());
      assert.ok(Date.now() < deadline, `the receipt is still ${got}, not ${want}`);
      await page.waitForTimeout(500);
    }
  }

  test('confirm, see the receipt once, prove it counted, withdraw, prove it withdrawn', async () => {
    const { page, context, problems } = await openPage(stack);
    const logRequests = [];
    page.on('request', (req) => {
      if (new URL(req.url()).pathname.startsWith('/log/')) logRequests.push(req.url());
    });
    await page.goto(`${stack.base}/c/${slug}`);
    await page.getByLabel('Your name').fill('Receipt Holder');
    await page.getByLabel('Email address').fill('holder@example.org');
    await page.getByLabel('Country where you live').fill('Lithuania');
    await page.getByLabel('I agree that my signature is stored').check();
    await page.getByRole('button', { name: 'Sign', exact: true }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor({ timeout: 60000 });

    const mail = await stack.mailbox.waitFor('holder@example.org');
    await page.goto(linkIn(stack, mail, 'confirm'));
    await page.getByRole('button', { name: 'Confirm my signature' }).click();
    await page.getByRole('heading', { name: 'Your receipt' }).waitFor();
    const receipt = (await page.locator('[data-receipt]').textContent()).trim();
    assert.match(receipt, /^[A-Z2-7]{4}(-[A-Z2-7]{4}){5}$/);
    // On a phone the receipt wraps between its groups, never inside one.
    await page.setViewportSize({ width: 360, height: 740 });
    const groups = await page.locator('[data-receipt] span').evaluateAll((spans) => spans.map((s) => [s.textContent, s.getClientRects().length]));
    assert.equal(groups.length, 6);
    for (const [text, lines] of groups) assert.equal(lines, 1, `the group ${text} is broken over ${lines} lines`);
    await page.setViewportSize({ width: 1280, height: 900 });
    await assertAccessible(page, 'the confirmation page with its receipt');

    await page.getByRole('link', { name: 'Check it on the public log' }).click();
    await page.getByRole('heading', { name: 'Check a receipt' }).waitFor();
    assert.equal(await page.getByLabel(/^Receipt/).inputValue(), receipt);
    await checkUntil(page, 'counted');
    await page.getByText('Your signature is counted in the 1 signatures of checkpoint 1.').waitFor();
    await page.getByText("The checkpoint carries the log's valid Ed25519 signature.").waitFor();
    await assertAccessible(page, 'the verify page with a result');
    // The browser read the log's files; it never asked the server about the receipt.
    assert.ok(logRequests.some((u) => u.includes('/tile/entries/000.p/1')));
    assert.ok(logRequests.every((u) => !u.includes(receipt) && !u.includes(receipt.replaceAll('-', ''))));

    // Another receipt is not in the log.
    const other = (receipt[0] === 'A' ? 'B' : 'A') + receipt.slice(1);
    await page.getByLabel(/^Receipt/).fill(other);
    await checkUntil(page, 'absent');

    await page.goto(`${stack.base}/c/${slug}`);
    await page.locator('[data-log]').getByText('Public log: checkpoint 1').waitFor();

    await page.goto(linkIn(stack, mail, 'withdraw'));
    await page.getByRole('button', { name: 'Withdraw my signature' }).click();
    await page.getByRole('heading', { name: 'Your signature has been withdrawn' }).waitFor();
    await page.goto(`${stack.base}/verify#${slug}/${receipt}`);
    await checkUntil(page, 'withdrawn');

    assertClean(problems);
    await context.close();
  });

  test('/verify honours ?lang on an English browser and looks like the other public forms at 360 px', async () => {
    const { page, context, problems } = await openPage(stack);
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`${stack.base}/verify?lang=be`);
    await page.getByRole('heading', { level: 1, name: 'Праверыць квітанцыю' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'be');
    // The campaigns are offered in a menu (the list was once read wrongly and
    // the slug had to be typed).
    const campaign = page.getByLabel('Кампанія');
    await campaign.locator('option').first().waitFor({ state: 'attached' });
    assert.equal(await campaign.evaluate((el) => el.tagName), 'SELECT');
    // Styled as the sign form's fields: full width, readable size.
    const receipt = page.getByLabel(/^Квітанцыя/);
    const box = await receipt.boundingBox();
    assert.ok(box.width >= 280, `the receipt field is ${Math.round(box.width)} px wide at 360 px`);
    const fontSize = await receipt.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    assert.ok(fontSize >= 16, `the receipt field's text is ${fontSize} px`);
    assert.ok((await page.locator('form.public-form').count()) === 1);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, `the page is ${width} px wide at 360 px`);
    await page.getByRole('button', { name: 'Праверыць' }).click();
    await page.getByText('Квітанцыя мае 24 літары і лічбы, у шасці групах па чатыры.').waitFor();
    assert.equal(await receipt.getAttribute('aria-invalid'), 'true');
    await assertAccessible(page, '/verify in Belarusian at 360 px');
    assertClean(problems);
    await context.close();
  });
});
