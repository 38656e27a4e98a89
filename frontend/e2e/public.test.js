// Browser tests of the public site against the real binary: sign with real
// proof of work, confirm from the email that arrived, withdraw, field
// errors, languages, and axe on every public page. Run by `npm run test:e2e`
// (make test-e2e builds the binary first).

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { admin, assertAccessible, assertClean, browserSuite, linkIn, openPage, staffRequest } from './stack.js';

const slug = 'release-all-political-prisoners';
const screenshots = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
// The README's screenshots are rewritten only when asked (SCREENSHOTS=1 make test-e2e),
// so that a test run leaves the work tree clean.
const snap = async (page, options) => { if (process.env.SCREENSHOTS === '1') { mkdirSync(screenshots, { recursive: true }); await page.screenshot(options); } };

browserSuite('public site in Chromium', 300_000, (stack) => {
  /** The campaign's count as the page shows it, reloading until it reads want (counts may be 1 s stale). */
  async function expectCount(page, want) {
    const deadline = Date.now() + 15000;
    let text = '';
    for (;;) {
      await page.goto(`${stack.base}/c/${slug}`);
      text = (await page.locator('.signatures .count strong').first().textContent()).trim();
      if (text === want || Date.now() > deadline) break;
      await page.waitForTimeout(500);
    }
    assert.equal(text, want);
  }

  /** Reload the page until check() is truthy (public answers may be a second stale). */
  async function reloadUntil(page, check, timeout = 15000) {
    const deadline = Date.now() + timeout;
    for (;;) {
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.waitForLoadState('networkidle');
      if (await check()) return;
      assert.ok(Date.now() < deadline, 'the page did not catch up in time');
      await page.waitForTimeout(500);
      await page.reload();
    }
  }

  /** Top of the page and the sign form with the charts, on a desktop and on a phone. */
  async function takeScreenshots(page) {
    for (const [name, width, height] of [['desktop', 1280, 1000], ['mobile', 360, 780]]) {
      await page.setViewportSize({ width, height });
      await page.goto(`${stack.base}/c/${slug}`);
      await page.getByText('Alena K.', { exact: true }).waitFor();
      await snap(page, { path: `${screenshots}campaign-${name}.png` });
      await page.locator('#sign').scrollIntoViewIfNeeded();
      await page.getByText('Anti-bot check done.').waitFor({ timeout: 60000 });
      const top = await page.locator('#sign').evaluate((el) => el.getBoundingClientRect().top + window.scrollY);
      const bottom = await page.locator('#signers-heading').evaluate((el) => el.closest('section').getBoundingClientRect().bottom + window.scrollY);
      await snap(page, { path: `${screenshots}campaign-${name}-sign.png`, fullPage: true, clip: { x: 0, y: top - 16, width, height: bottom - top + 32 } });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  }

  test('sign with real proof of work, confirm from the email, withdraw', async () => {
    const { page, context, problems } = await openPage(stack);
    const sent = [];
    page.on('request', (req) => {
      if (req.method() === 'POST' && req.url().endsWith(`/campaigns/${slug}/signatures`)) sent.push(req.postDataJSON());
    });

    await expectCount(page, '0 signatures');
    await page.goto(`${stack.base}/c/${slug}?ref=e2e-partner`);
    await page.getByLabel('Your name').fill('Alena Kuzmich');
    await page.getByLabel('Email address').fill('alena@example.org');
    await page.getByLabel('Country where you live').fill('Germany');
    await page.getByLabel('First name and initial').check();
    await page.getByLabel('I agree that my signature is stored').check();
    await page.getByRole('button', { name: 'Sign', exact: true }).click();

    await page.getByRole('heading', { name: 'Check your email' }).waitFor({ timeout: 60000 });
    assert.ok(await page.getByText('We have sent an email to alena@example.org').isVisible());
    assert.equal(sent.length, 1);
    assert.equal(sent[0].ref, 'e2e-partner', 'the share code travels with the signature');
    assert.equal(sent[0].country, 'DE');
    assert.equal(sent[0].visibility, 'initials');
    const pow = JSON.parse(Buffer.from(sent[0].pow, 'base64').toString());
    assert.equal(pow.algorithm, 'SHA-256');
    assert.equal(typeof pow.number, 'number');

    const mail = await stack.mailbox.waitFor('alena@example.org');
    const confirm = linkIn(stack, mail, 'confirm');
    const withdraw = linkIn(stack, mail, 'withdraw');

    // Opening the link alone (as a mail scanner would) changes nothing.
    await page.goto(confirm);
    await page.getByRole('heading', { name: 'Confirm your signature' }).waitFor();
    await expectCount(page, '0 signatures');

    await page.goto(confirm);
    await page.getByRole('button', { name: 'Confirm my signature' }).click();
    await page.getByRole('heading', { name: 'Thank you: your signature is confirmed' }).waitFor();
    await page.getByRole('link', { name: 'Back to the campaign' }).click();
    await page.getByRole('heading', { level: 1 }).waitFor();
    await expectCount(page, '1 signature');
    await page.getByText('Alena K.', { exact: true }).waitFor();
    // The charts' numbers come from a separately cached answer: reload until it has caught up.
    await reloadUntil(page, () => page.getByRole('table').count());

    // The README's screenshots, with a confirmed signature on the page.
    await takeScreenshots(page);

    // Staff see the partner's share code counted, and nothing of who signed.
    await page.goto(`${stack.base}/admin`);
    await page.getByLabel('Email address').fill(admin.email);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const byRef = page.getByRole('table', { name: 'Confirmed signatures by partner code' });
    await byRef.getByRole('row').filter({ hasText: 'e2e-partner' }).getByRole('cell', { name: '1', exact: true }).waitFor();
    assert.equal(await byRef.getByText('Alena').count(), 0);

    await page.goto(withdraw);
    await page.getByRole('button', { name: 'Withdraw my signature' }).click();
    await page.getByRole('heading', { name: 'Your signature has been withdrawn' }).waitFor();
    await expectCount(page, '0 signatures');
    assert.equal(await page.getByText('Alena K.', { exact: true }).count(), 0);

    // The signature is gone: its confirmation link no longer works.
    await page.goto(confirm);
    await page.getByRole('button', { name: 'Confirm my signature' }).click();
    await page.getByRole('heading', { name: 'This confirmation link does not work' }).waitFor();

    assertClean(problems);
    await context.close();
  });

  test('a bad email address is reported next to its field, by us and by the server', async () => {
    const { page, context, problems } = await openPage(stack, { width: 360, height: 780 });
    await page.goto(`${stack.base}/c/${slug}`);
    await page.getByLabel('Your name').fill('Ales');
    const email = page.getByLabel('Email address');
    await email.fill('ales@');
    await page.getByLabel('Country where you live').fill('Poland');
    await page.getByLabel('I agree that my signature is stored').check();
    await page.getByRole('button', { name: 'Sign', exact: true }).click();

    const error = page.getByText('Enter an email address like name@example.org.');
    await error.waitFor();
    assert.equal(await email.getAttribute('aria-invalid'), 'true');
    const errorId = await error.getAttribute('id');
    assert.ok((await email.getAttribute('aria-describedby')).split(' ').includes(errorId), 'the error describes the field');
    assert.ok(await email.evaluate((el) => el === document.activeElement), 'the field has focus');
    await assertAccessible(page, 'the sign form with an error');

    // Past our check, refused by the server (422): shown the same way.
    // Its words come from the field's code (invalid_email), through the
    // mapping the console shares.
    await email.fill('ales@example..org');
    const refused = page.waitForResponse((r) => r.url().includes('/signatures') && r.status() === 422, { timeout: 60000 });
    await page.getByRole('button', { name: 'Sign', exact: true }).click();
    await refused;
    await page.getByText('Enter an email address like name@example.org.').waitFor();
    assert.equal(await email.getAttribute('aria-invalid'), 'true');
    assert.ok(await email.evaluate((el) => el === document.activeElement), 'the field has focus after the 422');

    assertClean(problems);
    await context.close();
  });

  test('the language is switchable and remembered', async () => {
    const { page, context, problems } = await openPage(stack);
    await page.goto(`${stack.base}/c/${slug}`);
    await page.getByRole('heading', { name: 'Sign the statement' }).waitFor();
    await page.getByRole('button', { name: 'Беларуская' }).click();
    await page.getByRole('heading', { name: 'Падпісаць заяву' }).waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'be');
    await page.reload();
    await page.getByRole('heading', { name: 'Падпісаць заяву' }).waitFor();
    await page.getByRole('button', { name: 'Русский' }).click();
    await page.getByRole('heading', { name: 'Подписать заявление' }).waitFor();
    await assertAccessible(page, 'the campaign page in Russian');
    assertClean(problems);
    await context.close();
  });

  test('a campaign in the reader’s language, and closed while the form was open', async () => {
    await staffRequest(stack, 'POST', '/admin/campaigns', {
      slug: 'e2e-closing',
      title: 'Free the journalists',
      summary: 'Journalists are in prison for their work.',
      body: 'Journalism is not a crime.',
      language: 'en',
      goal: 100,
      status: 'open',
      calls: [{ audiences: ['belarus'], text: 'Release every journalist.' }],
      translations: { be: { title: 'Вызваліце журналістаў', summary: 'Журналісты ў турме за сваю працу.', body: 'Журналістыка не злачынства.', calls: ['Вызваліце ўсіх журналістаў.'] } },
    });
    const { page, context, problems } = await openPage(stack, { locale: 'be-BY' });
    await page.goto(`${stack.base}/c/e2e-closing`);
    await page.getByRole('heading', { level: 1, name: 'Вызваліце журналістаў' }).waitFor();
    assert.equal(await page.getByRole('heading', { level: 1 }).getAttribute('lang'), 'be');
    await page.getByText('Вызваліце ўсіх журналістаў.').waitFor();

    // The endorse page too shows the campaign and its calls in Belarusian.
    await page.goto(`${stack.base}/c/e2e-closing/endorse`);
    await page.getByRole('heading', { level: 1, name: 'Падтрымаць ад імя арганізацыі' }).waitFor();
    const endorseTitle = page.getByText('Вызваліце журналістаў', { exact: true });
    assert.equal(await endorseTitle.getAttribute('lang'), 'be');
    await page.getByLabel('Толькі абраныя заклікі').check();
    await page.getByLabel('1. Вызваліце ўсіх журналістаў.').waitFor();

    await page.goto(`${stack.base}/c/e2e-closing`);
    await page.getByRole('heading', { level: 1, name: 'Вызваліце журналістаў' }).waitFor();
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Free the journalists' }).waitFor();

    await page.getByLabel('Your name').fill('Ales Bialiatski');
    await page.getByLabel('Email address').fill('ales@example.org');
    await page.getByLabel('Country where you live').fill('Lithuania');
    await page.getByLabel('I agree that my signature is stored').check();
    await staffRequest(stack, 'PATCH', '/admin/campaigns/e2e-closing', { status: 'closed' });
    await page.waitForTimeout(1500); // the server's public cache lives a second
    await page.getByRole('button', { name: 'Sign', exact: true }).click();
    await page.getByRole('alert').getByText('This campaign is closed: it no longer takes signatures.').waitFor({ timeout: 60000 });

    await page.reload();
    await page.getByText('This campaign is closed and no longer takes signatures.').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Sign', exact: true }).count(), 0);

    // Open, but past its closing time: no form is offered, here or to organisations.
    await staffRequest(stack, 'PATCH', '/admin/campaigns/e2e-closing', { status: 'open', closes_at: '2020-01-01T00:00:00Z' });
    await page.waitForTimeout(1500); // the server's public cache lives a second
    await page.goto(`${stack.base}/c/e2e-closing/endorse`);
    await page.getByText('This campaign is closed and no longer takes endorsements.').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Endorse', exact: true }).count(), 0);
    assertClean(problems);
    await context.close();
  });

  const publicPages = [
    ['/', 'Campaigns'],
    [`/c/${slug}`, 'Sign the statement'],
    ['/privacy', 'Privacy'],
    ['/confirm/not-a-real-token', 'Confirm your signature'],
    ['/withdraw/not-a-real-token', 'Withdraw your signature'],
    ['/reset/not-a-real-token', 'Choose a new password'],
    ['/unsubscribe/not-a-real-token', 'Stop receiving digests'],
    ['/no/such/page', 'Page not found'],
  ];
  for (const [path, heading] of publicPages) {
    test(`axe finds no violation on ${path}`, async () => {
      const { page, context, problems } = await openPage(stack);
      await page.goto(stack.base + path);
      await page.getByRole('heading', { name: heading }).first().waitFor();
      await assertAccessible(page, path);
      assertClean(problems);
      await context.close();
    });
  }

  test('axe finds no violation on the campaign page in dark mode on a phone', async () => {
    const { page, context, problems } = await openPage(stack, { width: 320, height: 700, colorScheme: 'dark' });
    await page.goto(`${stack.base}/c/${slug}`);
    await page.getByRole('heading', { name: 'Sign the statement' }).waitFor();
    await assertAccessible(page, 'the campaign page, dark, 320 px');
    assertClean(problems);
    await context.close();
  });

  test('axe finds no violation on the results of unknown email links', async () => {
    const { page, context, problems } = await openPage(stack);
    await page.goto(`${stack.base}/withdraw/not-a-real-token`);
    await page.getByRole('button', { name: 'Withdraw my signature' }).click();
    await page.getByRole('heading', { name: 'This withdrawal link does not work' }).waitFor();
    await assertAccessible(page, 'an unknown withdrawal link');
    await page.goto(`${stack.base}/unsubscribe/not-a-real-token`);
    await page.getByRole('button', { name: 'Unsubscribe from digests' }).click();
    await page.getByRole('heading', { name: 'This unsubscribe link does not work' }).waitFor();
    await assertAccessible(page, 'an unknown unsubscribe link');
    await page.goto(`${stack.base}/reset/not-a-real-token`);
    await page.getByLabel('New password', { exact: true }).fill('a long enough password');
    await page.getByLabel('New password, again').fill('a long enough password');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByRole('heading', { name: 'This reset link does not work' }).waitFor();
    await assertAccessible(page, 'an unknown reset link');
    assertClean(problems);
    await context.close();
  });
});
