// Belarusian and Russian first: a reader on an English browser who switches
// the page to Беларуская or Русский finds the country by its local name,
// reads dates, numbers and plurals in that language (from the CLDR data the
// app ships, not Chromium's Intl, which has no Belarusian), signs, and gets
// the email in the language chosen; then the share step. On a 360 × 740
// phone the way to sign is in the first screen, in every language.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertAccessible, assertClean, browserSuite, linkIn, openPage } from './stack.js';

const slug = 'release-all-political-prisoners';
const screenshots = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

const languages = {
  be: {
    button: 'Беларуская',
    title: /^Заява Беларускай нацыянальнай платформы/,
    goal: 'Мэта: 10\u00a0000',
    name: 'Ваша імя',
    email: 'Адрас электроннай пошты',
    country: 'Краіна, дзе вы жывяце',
    typed: 'Літва',
    code: 'LT',
    initials: 'Імя і ініцыял',
    consent: 'Згаджаюся, што мой подпіс захоўваецца',
    submit: 'Падпісаць',
    done: 'Праверце пошту',
    subject: 'Пра ваш подпіс',
    mailText: 'Дзякуй, што падпісалі «Заява Беларускай нацыянальнай платформы',
    confirm: 'Пацвердзіць подпіс',
    confirmed: 'Дзякуй: ваш подпіс пацверджаны',
    share: 'Папрасіце іншых падпісаць',
    one: '1 подпіс',
    month: 'снежня',
    signLink: 'Падпісаць заяву',
  },
  ru: {
    button: 'Русский',
    title: /^Заявление Белорусской национальной платформы/,
    goal: 'Цель: 10\u00a0000',
    name: 'Ваше имя',
    email: 'Адрес электронной почты',
    country: 'Страна, где вы живёте',
    typed: 'Польша',
    code: 'PL',
    initials: 'Имя и инициал',
    consent: 'Соглашаюсь, что моя подпись хранится',
    submit: 'Подписать',
    done: 'Проверьте почту',
    subject: 'О вашей подписи',
    mailText: 'Спасибо, что подписали «Заявление Белорусской национальной платформы',
    confirm: 'Подтвердить подпись',
    confirmed: 'Спасибо: ваша подпись подтверждена',
    share: 'Попросите других подписать',
    one: '1 подпись',
    month: 'декабря',
    signLink: 'Подписать заявление',
  },
};

browserSuite('Belarusian and Russian in Chromium', 400_000, (stack) => {
  let signed = 0;

  for (const [lang, l] of Object.entries(languages)) {
    test(`${lang}: a country by its local name, the email in ${lang} on an English browser, then the share step`, async () => {
      const { page, context, problems } = await openPage(stack, { locale: 'en-US' });
      const sent = [];
      page.on('request', (req) => {
        if (req.method() === 'POST' && req.url().endsWith(`/campaigns/${slug}/signatures`)) sent.push(req.postDataJSON());
      });
      await page.goto(`${stack.base}/c/${slug}`);
      await page.getByRole('button', { name: l.button }).click();
      // The switch waits for the language's lazy chunks (strings, CLDR data).
      await page.waitForFunction((code) => document.documentElement.lang === code, lang);
      const title = (await page.getByRole('heading', { level: 1 }).textContent()).trim();
      assert.match(title, l.title, 'the statement is served in the chosen language');
      assert.equal(await page.locator('html').getAttribute('lang'), lang);
      await page.getByText(l.goal, { exact: true }).waitFor();

      const email = `${lang}-signer@example.org`;
      await page.getByLabel(l.name).fill(lang === 'be' ? 'Алена Кузьміч' : 'Алёна Кузьмич');
      await page.getByLabel(l.email).fill(email);
      await page.getByLabel(l.country).fill(l.typed);
      await page.getByLabel(l.initials).check();
      await page.getByLabel(l.consent).check();
      await page.getByRole('button', { name: l.submit, exact: true }).click();
      await page.getByRole('heading', { name: l.done }).waitFor({ timeout: 60000 });
      assert.equal(sent.at(-1).country, l.code, `"${l.typed}" is the country ${l.code}`);
      assert.equal(sent.at(-1).language, lang, 'the page language travels with the form');

      const mail = await stack.mailbox.waitFor(email);
      assert.equal(mail.subject, l.subject, 'the email is in the language of the page, not of the browser');
      assert.ok(mail.text.includes(l.mailText), `the email names the campaign in ${lang}`);
      assert.ok(!/button/i.test(mail.text), 'the plain text speaks of no button');

      await page.goto(linkIn(stack, mail, 'confirm'));
      await page.getByRole('button', { name: l.confirm }).click();
      await page.getByRole('heading', { name: l.confirmed }).waitFor();
      await page.getByRole('heading', { name: l.share }).waitFor();
      if (lang === 'be' && process.env.SCREENSHOTS === '1') {
        mkdirSync(screenshots, { recursive: true });
        await page.screenshot({ path: `${screenshots}confirmed-share-be.png`, fullPage: true });
      }
      const link = await page.getByRole('textbox').first().inputValue();
      assert.equal(link, `${stack.base}/c/${slug}`);
      await assertAccessible(page, `${lang} share step`);
      signed += 1;

      // The listed signer: country and date in the language, the count's plural.
      await page.goto(`${stack.base}/c/${slug}`);
      const want = signed === 1 ? l.one : null;
      const deadline = Date.now() + 15000;
      for (;;) {
        const meta = await page.locator('.signers .meta, [class*="signer"] .meta').allTextContents().catch(() => []);
        const text = meta.join(' | ');
        if (text.includes(lang === 'be' ? 'Літва' : 'Польша') && text.includes(l.month)) break;
        assert.ok(Date.now() < deadline, `signers list in ${lang}: ${text}`);
        await page.waitForTimeout(500);
        await page.reload();
      }
      if (want) await page.getByText(want, { exact: true }).first().waitFor();
      const body = await page.locator('main').textContent();
      assert.ok(!/\b20\d\d M\d/.test(body), 'no "2026 M12 1" dates');
      assert.ok(!/\bBY\b · |\bLT\b · |\bPL\b · /.test(body), 'no bare country codes');
      await assertAccessible(page, `${lang} campaign page`);
      assertClean(problems);
      await context.close();
    });
  }

  test('the privacy page names the organisers’ address (CONTACT_EMAIL), and emails do too', async () => {
    const { page, context, problems } = await openPage(stack, { locale: 'be-BY' });
    await page.goto(`${stack.base}/privacy`);
    await page.getByRole('heading', { name: 'Кантакт' }).waitFor();
    await page.getByRole('link', { name: 'team@undersigned.test' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'team@undersigned.test' }).getAttribute('href'), 'mailto:team@undersigned.test');
    const mail = await stack.mailbox.waitFor('be-signer@example.org');
    assert.ok(mail.text.includes('team@undersigned.test'), 'the confirmation email names the organisers’ address');
    await assertAccessible(page, 'the privacy page in Belarusian');
    assertClean(problems);
    await context.close();
  });

  test('the home page and /verify\'s menu list the demo in the language chosen, marked with its lang', async () => {
    const { page, context, problems } = await openPage(stack, { locale: 'en-US' });
    const asked = [];
    page.on('request', (req) => {
      const url = new URL(req.url());
      if (url.pathname === '/api/v1/campaigns') asked.push(url.searchParams.get('lang'));
    });
    await page.goto(`${stack.base}/`);
    const item = page.locator('ul.campaigns h2').filter({ has: page.locator(`a[href="/c/${slug}"]`) });
    assert.match((await item.textContent()).trim(), /^Statement of the Belarusian National Platform/);
    for (const [lang, l] of Object.entries(languages)) {
      await page.getByRole('button', { name: l.button }).click();
      await page.waitForFunction((code) => document.documentElement.lang === code, lang);
      // The SPA asks for the list again, in the language chosen.
      await page.waitForFunction(
        ([s, code]) => document.querySelector(`ul.campaigns h2:has(a[href="/c/${s}"])`)?.lang === code,
        [slug, lang],
      );
      assert.match((await item.textContent()).trim(), l.title);
      assert.ok(asked.includes(lang), `the SPA asked for the list in ${lang} (asked: ${asked})`);
    }
    await page.goto(`${stack.base}/verify?lang=be`);
    const option = page.locator(`#verify-campaign option[value="${slug}"]`);
    await page.waitForFunction((s) => document.querySelector(`#verify-campaign option[value="${s}"]`)?.lang === 'be', slug);
    assert.match((await option.textContent()).trim(), languages.be.title);
    await assertAccessible(page, '/verify in Belarusian');
    assertClean(problems);
    await context.close();
  });

  test('on a 360 × 740 phone the way to sign is in the first screen, in every language', async () => {
    for (const [lang, label] of [['en', 'Sign the statement'], ['be', languages.be.signLink], ['ru', languages.ru.signLink]]) {
      const { page, context } = await openPage(stack, { width: 360, height: 740, locale: 'en-US' });
      await page.goto(`${stack.base}/c/${slug}`);
      if (lang !== 'en') await page.getByRole('button', { name: languages[lang].button }).click();
      await page.getByRole('link', { name: label }).waitFor();
      const box = await page.getByRole('link', { name: label }).boundingBox();
      if (lang === 'be' && process.env.SCREENSHOTS === '1') {
        mkdirSync(screenshots, { recursive: true });
        await page.screenshot({ path: `${screenshots}campaign-be-phone.png` });
      }
      assert.ok(box && box.y + box.height <= 740, `${lang}: the Sign link ends at y = ${box && box.y + box.height}, below 740`);
      // And it takes the reader to the form, far down a long statement.
      await page.getByRole('link', { name: label }).click();
      await page.waitForFunction(() => {
        const form = document.getElementById('sign')?.getBoundingClientRect();
        return form && form.top < innerHeight && form.bottom > 0 && scrollY > 0;
      }, null, { timeout: 5000 });
      await context.close();
    }
  });
});
