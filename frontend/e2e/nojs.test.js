// Browser tests with JavaScript off (Tor Browser's "Safest" level): read the
// statement, sign, confirm from the email that arrived, withdraw, co-sign and
// unsubscribe with plain HTML forms, in Belarusian and in English, on a
// 360 × 740 phone; axe on the server-rendered pages. Run by `npm run test:e2e`.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertAccessible, assertClean, browserSuite, linkIn, staffRequest } from './stack.js';
import enSite from '../src/lib/messages/en.json' with { type: 'json' };
import beSite from '../src/lib/messages/be.json' with { type: 'json' };
import enEndorse from '../src/endorse/en.json' with { type: 'json' };
import beEndorse from '../src/endorse/be.json' with { type: 'json' };

const slug = 'release-all-political-prisoners';

// The forms refuse a post sooner than this after the page was rendered (docs/nojs.md).
const formMinAge = 3100;

/** A page in a context without JavaScript that records requests to another origin and page errors. */
async function openNoScriptPage(stack, { locale = 'en-US', width = 360, height = 740 } = {}) {
  const context = await stack.browser.newContext({ locale, viewport: { width, height }, javaScriptEnabled: false, serviceWorkers: 'block' });
  const page = await context.newPage();
  const origin = new URL(stack.base).origin;
  const problems = { foreign: [], csp: [], errors: [] };
  const scripts = [];
  page.on('request', (req) => {
    const url = req.url();
    if (url.startsWith('data:')) return;
    if (new URL(url).origin !== origin) problems.foreign.push(url);
    if (req.resourceType() === 'script') scripts.push(url);
  });
  page.on('console', (msg) => {
    if (/Content[- ]Security[- ]Policy/i.test(msg.text())) problems.csp.push(msg.text());
  });
  page.on('pageerror', (err) => problems.errors.push(String(err)));
  return { page, context, problems, scripts };
}

/**
 * axe on a server-rendered page. axe itself is a script: it runs in a context
 * with JavaScript whose SPA bundle is blocked, so that it reads exactly the
 * HTML a reader without JavaScript gets.
 */
async function assertServerPageAccessible(stack, path, { locale = 'en-US', colorScheme = 'light' } = {}) {
  const context = await stack.browser.newContext({ locale, colorScheme, viewport: { width: 360, height: 740 } });
  await context.route('**/assets/*.js', (route) => route.abort());
  const page = await context.newPage();
  await page.goto(stack.base + path);
  assert.equal(await page.locator('#app[data-ssr]').count(), 1, `${path} is the server's page`);
  await assertAccessible(page, `${path} without JavaScript`);
  await context.close();
}

// The strings the pages show, from the dictionaries they are rendered from.
const dictionaries = { en: { ...enSite, ...enEndorse }, be: { ...beSite, ...beEndorse } };
const plural = (lang, key, n) => {
  const d = dictionaries[lang];
  const form = `${key}.${new Intl.PluralRules(lang).select(n)}`;
  return (d[form] ?? d[`${key}.other`]).replace('{count}', String(n));
};
const texts = Object.fromEntries(
  ['en', 'be'].map((lang) => {
    const d = dictionaries[lang];
    return [
      lang,
      {
        locale: lang === 'be' ? 'be-BY' : 'en-GB',
        count0: plural(lang, 'campaign.signatures', 0),
        count1: plural(lang, 'campaign.signatures', 1),
        statement: d['campaign.statement'],
        // The demo campaign's own title and first call in this language.
        title: lang === 'be' ? 'Заява Беларускай нацыянальнай платформы' : 'Statement of the Belarusian National Platform',
        call: lang === 'be' ? 'Безумоўна і неадкладна спыніць усе рэпрэсіі' : 'To unconditionally and immediately stop all repression',
        name: d['sign.name'],
        email: d['sign.email'],
        country: d['sign.country'],
        countryName: new Intl.DisplayNames([lang], { type: 'region' }).of('LT'),
        consent: d['sign.consent'],
        sign: d['sign.submit'],
        checkEmail: d['sign.done.heading'],
        nameError: d['sign.error.name.required'],
        consentError: d['sign.error.consent'],
        confirm: d['confirm.button'],
        confirmed: d['confirm.done.title'],
        back: d['token.campaign'],
        withdraw: d['withdraw.button'],
        withdrawn: d['withdraw.done.title'],
        endorseLink: d['campaign.endorseLink'],
        endorseTitle: d['endorse.title'],
        organization: d['endorse.organization'],
        orgType: d['endorse.orgType'],
        contactName: d['endorse.contactName'],
        endorse: d['endorse.submit'],
        endorseConfirmed: d['endorseConfirm.done.title'],
        unsubscribe: d['unsubscribe.button'],
        unsubscribed: d['unsubscribe.done.title'],
      },
    ];
  }),
);

browserSuite('public site without JavaScript', 400_000, (stack) => {
  for (const lang of ['be', 'en']) {
    const x = texts[lang];

    test(`${lang}: read, sign, confirm from the email, withdraw, with JavaScript off at 360 × 740`, async () => {
      const { page, context, problems, scripts } = await openNoScriptPage(stack, { locale: x.locale });
      await page.goto(`${stack.base}/c/${slug}`);
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      // The first screen: the campaign's title, its summary and the count, no "needs JavaScript".
      const h1 = page.getByRole('heading', { level: 1 });
      assert.ok(await h1.isVisible());
      assert.ok((await h1.boundingBox()).y < 740, 'the title is on the first screen');
      // And the way to sign, right under it, as with JavaScript.
      const signLink = await page.locator('.campaign-header .cta .button-link').boundingBox();
      assert.ok(signLink && signLink.y + signLink.height <= 740, `the Sign link ends at y = ${signLink && signLink.y + signLink.height}, below 740`);
      assert.equal((await page.locator('.signatures .count strong').first().textContent()).trim(), x.count0);
      assert.ok(await page.getByRole('heading', { level: 2, name: x.statement, exact: true }).isVisible());
      assert.ok(await page.locator('section.calls li', { hasText: x.call }).isVisible());
      assert.equal(await page.getByText('needs JavaScript').count(), 0);
      // Styled by the SPA's own stylesheet: the sign panel has its background.
      assert.notEqual(await page.locator('#sign').evaluate((el) => getComputedStyle(el).backgroundColor), 'rgba(0, 0, 0, 0)');

      // A mistake first: each error next to its field, in the page's language, nothing sent.
      await page.waitForTimeout(formMinAge);
      await page.getByLabel(x.email).fill(`nojs-${lang}@example.org`);
      // Listed by initials, so a name is needed (a private signature may be nameless).
      await page.locator('input[name="visibility"][value="initials"]').check();
      await page.getByRole('button', { name: x.sign, exact: true }).click();
      await page.getByText(x.nameError, { exact: true }).waitFor();
      assert.equal(await page.getByLabel(x.name).getAttribute('aria-invalid'), 'true');
      assert.equal(await page.getByLabel(x.email).inputValue(), `nojs-${lang}@example.org`, 'what was typed is kept');
      await page.getByText(x.consentError, { exact: true }).waitFor();

      await page.getByLabel(x.name).fill(lang === 'be' ? 'Алена Кузьміч' : 'Alena Kuzmich');
      await page.getByLabel(x.country).fill(x.countryName);
      await page.getByLabel(x.consent).check();
      await page.waitForTimeout(formMinAge);
      await page.getByRole('button', { name: x.sign, exact: true }).click();
      await page.getByRole('heading', { name: x.checkEmail }).waitFor();
      assert.ok(await page.getByText(`nojs-${lang}@example.org`).isVisible());

      const mail = await stack.mailbox.waitFor(`nojs-${lang}@example.org`);
      const confirm = linkIn(stack, mail, 'confirm');
      const withdraw = linkIn(stack, mail, 'withdraw');
      await page.goto(confirm);
      await page.getByRole('button', { name: x.confirm }).click();
      await page.getByRole('heading', { name: x.confirmed }).waitFor();
      await page.getByRole('link', { name: x.back }).click();
      const deadline = Date.now() + 15000;
      for (;;) {
        const count = (await page.locator('.signatures .count strong').first().textContent()).trim();
        if (count === x.count1) break;
        assert.ok(Date.now() < deadline, `count ${count}, want ${x.count1}`);
        await page.waitForTimeout(500); // counts may be a second stale
        await page.reload();
      }

      await page.goto(withdraw);
      await page.getByRole('button', { name: x.withdraw }).click();
      await page.getByRole('heading', { name: x.withdrawn }).waitFor();

      assert.deepEqual(scripts, [], 'no script was even fetched');
      assertClean(problems);
      await context.close();
    });

    test(`${lang}: co-sign as an organisation with JavaScript off`, async () => {
      const { page, context, problems } = await openNoScriptPage(stack, { locale: x.locale });
      await page.goto(`${stack.base}/c/${slug}`);
      await page.getByRole('link', { name: x.endorseLink }).first().click();
      await page.getByRole('heading', { level: 1, name: x.endorseTitle }).waitFor();
      const email = `org-${lang}@example.org`;
      await page.getByLabel(x.organization).fill(`Free Unions ${lang}`);
      await page.getByLabel(x.orgType).selectOption('trade_union');
      await page.locator('#endorse-country').fill(x.countryName);
      await page.getByLabel(x.contactName).fill('Maryna Kontakt');
      await page.locator('#endorse-contact_email').fill(email);
      await page.waitForTimeout(formMinAge);
      await page.getByRole('button', { name: x.endorse, exact: true }).click();
      await page.getByText(email).first().waitFor();

      const mail = await stack.mailbox.waitFor(email);
      const link = linkIn(stack, mail, 'endorse/confirm');
      await page.goto(link);
      await page.locator('form.token-form button').click();
      await page.getByRole('heading', { name: x.endorseConfirmed }).waitFor();
      assert.equal(await page.locator('form.token-form').count(), 0, 'the endorsement is confirmed');
      assertClean(problems);
      await context.close();
    });
  }

  test('an official unsubscribes from digests with JavaScript off', async () => {
    const official = 'official-nojs@example.org';
    await staffRequest(stack, 'POST', '/admin/contacts', { name: 'An Official', email: official, region: 'eu', language: 'en' });
    const digest = await staffRequest(stack, 'POST', '/admin/digests', { region: 'eu', campaigns: [slug], subject: 'Update', intro: 'Dear colleagues.' });
    await staffRequest(stack, 'POST', `/admin/digests/${digest.id}/send`);
    const mail = await stack.mailbox.waitFor(official);
    const link = linkIn(stack, mail, 'unsubscribe');

    const { page, context, problems } = await openNoScriptPage(stack, { locale: 'be-BY' });
    await page.goto(link);
    assert.equal(await page.getAttribute('html', 'lang'), 'be');
    await page.getByRole('button', { name: 'English' }).click(); // the language switcher is a plain form too
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await page.getByRole('button', { name: texts.en.unsubscribe }).click();
    // (The switcher is a GET form: the page came back in English, the token kept in its path.)
    await page.getByRole('heading', { name: texts.en.unsubscribed }).waitFor();
    assertClean(problems);
    await context.close();
  });

  test('a shared link previews as its campaign: the tags are in the first response', async () => {
    for (const lang of ['be', 'en']) {
      const html = await (await fetch(`${stack.base}/c/${slug}?lang=${lang}`, { headers: { 'User-Agent': 'TelegramBot (like TwitterBot)' } })).text();
      assert.match(html, new RegExp(`<title>${texts[lang].title}[^<]*— undersigned</title>`));
      assert.match(html, new RegExp(`<meta property="og:url" content="${stack.base}/c/${slug}\\?lang=${lang}">`));
      assert.match(html, new RegExp(`<meta property="og:title" content="${texts[lang].title}`));
      assert.match(html, /<meta name="twitter:card" content="summary_large_image">/);
      assert.match(html, new RegExp(`<meta property="og:image" content="${stack.base}/c/${slug}/share.png\\?lang=${lang}">`));
      const image = await fetch(`${stack.base}/c/${slug}/share.png?lang=${lang}`);
      assert.equal(image.headers.get('content-type'), 'image/png');
      assert.match(html, new RegExp(`<html lang="${lang}">`));
    }
  });

  const pages = [`/c/${slug}`, '/', '/privacy', `/c/${slug}/endorse`, '/confirm/not-a-real-token', '/withdraw/not-a-real-token', '/unsubscribe/not-a-real-token', '/endorse/confirm/not-a-real-token'];
  for (const path of pages) {
    test(`axe finds no violation on the server-rendered ${path}`, async () => {
      await assertServerPageAccessible(stack, path, { locale: 'be-BY' });
    });
  }
  test('axe finds no violation on the server-rendered campaign page in dark mode, in English', async () => {
    await assertServerPageAccessible(stack, `/c/${slug}`, { colorScheme: 'dark' });
  });
});
