// Browser tests of the staff console and the organisations' endorse pages
// against the real binary (rig: ./stack.js): sign in and stay signed in,
// role gating, endorse → verify by email → approve → listed on the campaign
// page (and a confidential endorsement never is), contacts with a CSV import
// and its per-row errors, a digest composed, previewed, tested and sent to a
// real SMTP server, an official unsubscribing with the digest's link, and axe
// on every console page, also at 320 px. Run by `npm run test:e2e`.

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

browserSuite('staff console and endorse pages in Chromium', 600_000, (stack) => {
  async function signIn(page, { email = admin.email, password = admin.password } = {}) {
    await page.goto(`${stack.base}/admin`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
  }

  /** Open a console page by its link in the console's navigation. */
  async function openSection(page, name) {
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name, exact: true }).click();
    await page.getByRole('heading', { level: 1, name }).waitFor();
  }

  /** The public list of endorsing organisations, waited on until want(list) holds (answers may be 1 s stale). */
  async function publicEndorsements(want) {
    const deadline = Date.now() + 15000;
    for (;;) {
      const res = await fetch(`${stack.base}/api/v1/campaigns/${slug}/endorsements`);
      const names = (await res.json()).items.map((i) => i.name);
      if (want(names) || Date.now() > deadline) return names;
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  test('sign in, stay signed in across a reload, see only what the role allows, sign out', async () => {
    const { page, context, problems } = await openPage(stack);
    await page.goto(`${stack.base}/admin`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await assertAccessible(page, 'the sign-in page');

    // A wrong password is said plainly, and nothing else leaks.
    await page.getByLabel('Email address').fill(admin.email);
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('The email address or the password is wrong.').waitFor();

    await signIn(page);
    const nav = page.getByRole('navigation', { name: 'Console' });
    for (const name of ['Dashboard', 'Endorsements', 'Digests', 'Contacts', 'Schedules', 'Campaigns', 'Signatures', 'Users', 'Audit log']) {
      await nav.getByRole('link', { name, exact: true }).waitFor();
    }
    // With SMTP configured there is no dev outbox to offer.
    assert.equal(await nav.getByRole('link', { name: 'Dev outbox' }).count(), 0);
    assert.equal(await page.evaluate(() => JSON.stringify(localStorage).includes('eyJ')), false, 'no token in localStorage');

    // The access token lives in memory: a reload restores the session from the refresh cookie.
    await page.reload();
    await nav.waitFor();
    await page.getByText(`Signed in as ${admin.email}`).waitFor();

    // A viewer is offered the dashboard only, and is told so on other pages.
    await staffRequest(stack, 'POST', '/admin/users', { email: 'viewer@undersigned.test', password: 'viewer password, long enough', role: 'viewer' });
    const viewer = await openPage(stack);
    await signIn(viewer.page, { email: 'viewer@undersigned.test', password: 'viewer password, long enough' });
    const viewerNav = viewer.page.getByRole('navigation', { name: 'Console' });
    assert.deepEqual(await viewerNav.getByRole('link').allTextContents(), ['Dashboard']);
    await viewer.page.goto(`${stack.base}/admin/users`);
    await viewer.page.getByRole('heading', { name: 'Not available to your role' }).waitFor();
    assertClean(viewer.problems);
    await viewer.context.close();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assertClean(problems);
    await context.close();
  });

  test('an organisation endorses, verifies by email, is approved and listed; a confidential one is never listed', async () => {
    const { page, context, problems } = await openPage(stack);
    await page.goto(`${stack.base}/c/${slug}/endorse`);
    await page.getByRole('heading', { name: 'Endorse as an organisation' }).waitFor();
    await assertAccessible(page, 'the endorse page');

    // Our own check first: an empty form names each missing field.
    await page.getByRole('button', { name: 'Endorse', exact: true }).click();
    await page.getByText('Enter the name of the organisation.').waitFor();
    assert.equal(await page.getByLabel('Name of the organisation').getAttribute('aria-invalid'), 'true');
    assert.ok(await page.getByLabel('Name of the organisation').evaluate((el) => el === document.activeElement), 'the first invalid field has focus');
    await assertAccessible(page, 'the endorse page with errors');

    await page.getByLabel('Name of the organisation').fill('Lithuanian Friends of Belarus');
    await page.getByLabel('Kind of organisation').selectOption('ngo');
    await page.getByLabel('Country where the organisation is based').fill('Lithuania');
    await page.getByLabel('Website (optional)').fill('https://friends.example.org');
    await page.getByLabel('Contact person').fill('Rūta Vaitkutė');
    await page.getByLabel('Contact email address').fill('ruta@friends.example.org');
    await page.getByLabel('Only the calls I choose').check();
    const calls = page.getByRole('group', { name: 'What the organisation endorses' }).getByRole('checkbox');
    await calls.nth(3).check();
    await calls.nth(4).check();
    await page.getByRole('button', { name: 'Endorse', exact: true }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor({ timeout: 60000 });
    await page.getByText('We have sent an email to ruta@friends.example.org').waitFor();

    // A second organisation, confidentially.
    await page.getByRole('button', { name: 'Endorse for another organisation' }).click();
    await page.getByLabel('Name of the organisation').fill('Quiet Trade Union of Minsk');
    await page.getByLabel('Kind of organisation').selectOption('trade_union');
    await page.getByLabel('Country where the organisation is based').fill('Belarus');
    await page.getByLabel('Contact person').fill('Ales');
    await page.getByLabel('Contact email address').fill('ales@quiet.example.org');
    await page.getByLabel('Endorse confidentially').check();
    await page.getByRole('button', { name: 'Endorse', exact: true }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor({ timeout: 60000 });

    for (const to of ['ruta@friends.example.org', 'ales@quiet.example.org']) {
      const link = linkIn(stack, await stack.mailbox.waitFor(to), 'endorse/confirm');
      // Opening the link (as a mail scanner would) changes nothing; the button does.
      await page.goto(link);
      await page.getByRole('heading', { name: 'Confirm the endorsement' }).waitFor();
      if (to.startsWith('ruta')) await assertAccessible(page, 'the endorse confirmation page');
      await page.getByRole('button', { name: 'Confirm the endorsement' }).click();
      await page.getByRole('heading', { name: 'Thank you: the endorsement is confirmed' }).waitFor();
    }

    await signIn(page);
    await openSection(page, 'Endorsements');
    const open = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Lithuanian Friends of Belarus' }) });
    await open.getByText('Call 4:').waitFor();
    const quiet = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Quiet Trade Union of Minsk' }) });
    await quiet.getByText('Confidential: never shown in public').waitFor();
    await assertAccessible(page, 'the review queue');

    await page.getByRole('button', { name: /^Approve\W+Lithuanian Friends of Belarus$/ }).click();
    await page.getByText('“Lithuanian Friends of Belarus” is approved.').waitFor({ state: 'attached' });
    await page.getByRole('button', { name: /^Approve\W+Quiet Trade Union of Minsk$/ }).click();
    await page.getByText('Nothing awaits review. Well done.').waitFor();

    const names = await publicEndorsements((list) => list.includes('Lithuanian Friends of Belarus'));
    assert.ok(names.includes('Lithuanian Friends of Belarus'), `listed publicly: ${names}`);
    assert.ok(!names.includes('Quiet Trade Union of Minsk'), 'a confidential endorsement is never public');

    // And on the campaign page, in the browser: with its kind, country,
    // website and the calls it endorses, as the statement words them.
    const reader = await openPage(stack);
    const endorsers = reader.page.getByRole('region', { name: 'Organisations that endorse the statement' });
    const deadline = Date.now() + 15000;
    for (;;) {
      await reader.page.goto(`${stack.base}/c/${slug}`);
      await reader.page.getByRole('heading', { level: 1 }).waitFor();
      await reader.page.waitForLoadState('networkidle');
      if (await endorsers.getByRole('heading', { name: 'Lithuanian Friends of Belarus' }).count()) break;
      assert.ok(Date.now() < deadline, 'the organisation is listed on the campaign page');
      await reader.page.waitForTimeout(500);
    }
    const org = endorsers.getByRole('listitem').filter({ has: reader.page.getByRole('heading', { name: 'Lithuanian Friends of Belarus' }) });
    await org.getByText('Non-governmental organisation · Lithuania').waitFor();
    const site = org.getByRole('link', { name: 'friends.example.org' });
    assert.equal(await site.getAttribute('href'), 'https://friends.example.org/');
    assert.deepEqual((await site.getAttribute('rel')).split(' ').sort(), ['external', 'noopener', 'noreferrer']);
    await org.getByText('Endorses these calls:').waitFor();
    await org.getByText('To continue and intensify diplomatic efforts to secure the release of all political prisoners.').waitFor();
    await org.getByText('To recognize the issue of political prisoners as a top priority', { exact: false }).waitFor();
    assert.equal(await reader.page.getByText('Quiet Trade Union of Minsk').count(), 0, 'a confidential endorsement is never on the page');
    await assertAccessible(reader.page, 'the campaign page with its endorsing organisations');
    assertClean(reader.problems);
    await reader.context.close();

    // The approved one shows under its status, with the review recorded.
    await page.getByLabel('Status').selectOption('approved');
    await page.getByRole('heading', { name: 'Lithuanian Friends of Belarus' }).waitFor();
    await page.getByRole('button', { name: /^Revoke the approval\W+Lithuanian Friends of Belarus$/ }).waitFor();

    // The dashboard counts them; it is the console's screenshot for the README.
    await openSection(page, 'Dashboard');
    await page.getByRole('heading', { name: 'Surge view' }).waitFor();
    await page.getByRole('table', { name: /By hour and country/ }).waitFor();
    await assertAccessible(page, 'the dashboard');
    await snap(page, { path: `${screenshots}console.png`, fullPage: true });

    assertClean(problems);
    await context.close();
  });

  test('contacts: add one, import a file with its per-row errors; a digest is previewed, tested and sent', async () => {
    const { page, context, problems } = await openPage(stack);
    await signIn(page);
    await openSection(page, 'Contacts');
    await page.getByRole('button', { name: 'Add a contact' }).click();
    const add = page.locator('form.contact-form');
    await add.getByLabel('Name', { exact: true }).fill('Anna Lindqvist');
    await add.getByLabel('Email address').fill('anna.lindqvist@ep.example.eu');
    await add.getByLabel('Institution').fill('European Parliament');
    await add.getByLabel('Region').selectOption('eu');
    await add.getByLabel('Tags').fill('EP, foreign affairs');
    await page.getByRole('button', { name: 'Add the contact' }).click();
    await page.getByRole('rowheader', { name: /Anna Lindqvist/ }).waitFor();

    const csv = [
      'name,email,region,tags',
      'Jan Novak,jan.novak@mfa.example.cz,eu,MFA',
      'Broken Row,not-an-address,mars,',
      'John Smith,john.smith@house.example.gov,us,Congress',
    ].join('\n');
    await page.getByLabel('CSV file').setInputFiles({ name: 'contacts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText('2 added, 0 updated, 1 skipped.').waitFor();
    const skipped = page.getByRole('table', { name: 'Skipped rows' });
    const row = skipped.getByRole('row').filter({ has: page.getByRole('rowheader', { name: '3' }) });
    await row.getByText('Broken Row,not-an-address,mars,').waitFor();
    await row.getByText('not an email address').waitFor();
    await row.getByText('must be eu, us or other').waitFor();
    await page.getByRole('rowheader', { name: /Jan Novak/ }).waitFor();
    await assertAccessible(page, 'the contacts page with import errors');

    // Search narrows the list.
    await page.getByLabel('Name, email or institution').fill('Parliament');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('1 contacts found.').waitFor({ state: 'attached' });
    assert.equal(await page.getByRole('rowheader', { name: /Jan Novak/ }).count(), 0);

    await openSection(page, 'Digests');
    await page.getByLabel('Region', { exact: true }).selectOption('eu');
    await page.getByLabel('Subject').fill('Belarus: the campaign this week');
    await page.getByLabel('Introduction (Markdown, optional)').fill('Dear colleagues,\n\nthe **numbers** of this week.');
    await assertAccessible(page, 'the digest composer');
    await page.getByRole('button', { name: 'Create and preview' }).click();
    await page.getByRole('heading', { level: 1, name: 'Belarus: the campaign this week' }).waitFor();
    const frame = page.frameLocator('iframe[title="Preview of the email"]');
    await frame.getByText('Dear colleagues').waitFor();
    await frame.locator('strong').getByText('numbers').waitFor();
    // Exactly as recipients get it: the email's own inline styles apply.
    const heading = frame.locator('h1');
    assert.equal(await heading.evaluate((el) => getComputedStyle(el).fontSize), '22px');
    await assertAccessible(page, 'the digest page with its HTML preview', { legacy: true });
    await page.getByLabel('Plain text').check();
    await page.locator('pre.mail-text').getByText('Dear colleagues').waitFor();
    await assertAccessible(page, 'the digest page');

    const before = stack.mailbox.messages.length;
    await page.getByLabel('Send the test to').fill('editor@undersigned.test');
    await page.getByRole('button', { name: 'Send the test' }).click();
    await page.getByText('The test is on its way to editor@undersigned.test.').waitFor();
    const testMail = await stack.mailbox.waitFor('editor@undersigned.test', { after: before });
    assert.match(testMail.subject, /^\[TEST\] Belarus: the campaign this week/);

    await page.getByRole('button', { name: 'Send the digest…' }).click();
    await page.getByRole('button', { name: 'Yes, send it now' }).click();
    // Two EU contacts (one added, one imported): the progress reaches both.
    await page.getByText('2 of 2 handled: 2 sent, 0 failed.').waitFor({ timeout: 30000 });
    for (const to of ['anna.lindqvist@ep.example.eu', 'jan.novak@mfa.example.cz']) {
      const mail = await stack.mailbox.waitFor(to, { after: before });
      assert.equal(mail.subject, 'Belarus: the campaign this week');
      assert.ok(mail.headerLines.some((h) => h.key === 'list-unsubscribe-post'), 'one-click unsubscribe header');
    }
    assert.ok(!stack.mailbox.messages.slice(before).some((m) => m.to.value.some((a) => a.address === 'john.smith@house.example.gov')), 'US contacts get no EU digest');
    await page.getByText('Sent', { exact: true }).first().waitFor();
    await assertAccessible(page, 'the sent digest');

    assertClean(problems);
    await context.close();
  });

  test('an official unsubscribes with the link in the digest', async () => {
    // The digest of the test before went to this contact.
    const mail = await stack.mailbox.waitFor('anna.lindqvist@ep.example.eu');
    const link = linkIn(stack, mail, 'unsubscribe');
    const { page, context, problems } = await openPage(stack);

    // Opening the link (as a mail scanner would) changes nothing; the button does.
    await page.goto(link);
    await page.getByRole('heading', { level: 1, name: 'Stop receiving digests' }).waitFor();
    await assertAccessible(page, 'the unsubscribe page');
    await page.getByRole('button', { name: 'Unsubscribe from digests' }).click();
    const done = page.getByRole('heading', { level: 1, name: 'You are unsubscribed' });
    await done.waitFor();
    assert.ok(await done.evaluate((el) => el === document.activeElement), 'the result has focus');
    await page.getByText('No further digest will be sent to this address.').waitFor();
    await assertAccessible(page, 'the unsubscribe result');

    // The console shows it; a second click on the same link is harmless.
    await signIn(page);
    await openSection(page, 'Contacts');
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: /Anna Lindqvist/ }) });
    await row.getByText('unsubscribed').waitFor();
    await page.goto(link);
    await page.getByRole('button', { name: 'Unsubscribe from digests' }).click();
    await done.waitFor();

    assertClean(problems);
    await context.close();
  });

  test('the other console pages pass axe and work from the keyboard', async () => {
    const { page, context, problems } = await openPage(stack);
    await signIn(page);

    await openSection(page, 'Schedules');
    await page.getByRole('button', { name: 'New schedule' }).click();
    await page.getByLabel('Subject').fill('Weekly EU digest');
    await page.getByLabel('Day of the week').selectOption('tuesday');
    await page.getByLabel('Time zone').fill('Europe/Brussels');
    await page.getByRole('group', { name: 'Campaigns' }).getByRole('checkbox').first().check();
    await assertAccessible(page, 'the schedule form');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('rowheader', { name: /Weekly EU digest/ }).waitFor();
    // The time as English writes it (CLDR: 9:00 AM), the next run in the schedule's own zone.
    await page.getByText(/^Tuesday at 9:00\sAM \(Europe\/Brussels\)$/).waitFor();
    await page.getByText(/^\w{3} \d{1,2}, \d{4}, 9:00\sAM \(Europe\/Brussels\)$/).waitFor();
    await assertAccessible(page, 'the schedules');

    // Deleting asks first, like contacts; cancelling returns to the button.
    const remove = page.getByRole('button', { name: /^Delete\W+Weekly EU digest$/ });
    await remove.click();
    await page.getByText('Delete the schedule “Weekly EU digest”? It will send no more digests.').waitFor();
    assert.ok(await page.getByRole('button', { name: 'Yes, delete it' }).evaluate((el) => el === document.activeElement), 'the confirmation has focus');
    await assertAccessible(page, 'the schedules with a deletion to confirm');
    await page.getByRole('button', { name: 'Cancel' }).click();
    assert.ok(await remove.evaluate((el) => el === document.activeElement), 'focus is back on Delete');
    await remove.click();
    await page.getByRole('button', { name: 'Yes, delete it' }).click();
    await page.getByText('No schedule yet.').waitFor();

    await openSection(page, 'Campaigns');
    await assertAccessible(page, 'the campaign list');
    await page.getByRole('link', { name: 'New campaign' }).click();
    await page.getByRole('heading', { level: 1, name: 'New campaign' }).waitFor();
    await page.getByLabel('Title', { exact: true }).fill('Free the journalists');
    await page.getByLabel('Address (slug)').fill('free-the-journalists');
    await page.getByLabel('Statement (Markdown)').fill('We ask for **the release** of every journalist.');
    // The preview follows the typing, before anything is saved.
    await page.getByRole('region', { name: 'Preview', exact: true }).locator('strong').getByText('the release').waitFor();
    await page.getByRole('button', { name: 'Add a call' }).click();
    // Focus moves to the new call's text: typing goes there from the keyboard.
    await page.keyboard.type('Release all journalists now.');
    await page.getByRole('group', { name: 'Addressed to' }).getByLabel('Belarusian authorities').check();
    await page.getByLabel('Has a Belarusian translation').check();
    await page.getByRole('textbox', { name: 'Title' }).nth(1).fill('Вызваліце журналістаў');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    // A new campaign, once saved, opens at its own address.
    await page.getByRole('heading', { level: 1, name: 'Free the journalists' }).waitFor();
    await page.getByRole('region', { name: 'Preview', exact: true }).locator('strong').getByText('the release').waitFor();
    await page.getByLabel('Statement (Markdown)').first().fill('We ask for *the release* of every journalist.');
    await page.getByRole('region', { name: 'Preview', exact: true }).locator('em').getByText('the release').waitFor();
    await assertAccessible(page, 'the campaign editor');

    // A field the server refuses is listed and linked to its field.
    await page.getByLabel('Address (slug)').fill('Not A Slug');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('link', { name: 'Address (slug)' }).waitFor();
    await assertAccessible(page, 'the campaign editor with an error');

    for (const name of ['Signatures', 'Users', 'Audit log']) {
      await openSection(page, name);
      if (name === 'Audit log') await page.getByRole('cell', { name: /^Digest sent\s*digest\.send$/ }).first().waitFor(); // in words, with its code
      if (name === 'Users') await page.getByRole('rowheader', { name: /viewer@undersigned.test/ }).waitFor();
      await assertAccessible(page, `the ${name} page`);
    }

    // Users: the password form takes focus when opened and gives it back;
    // a refused new account puts focus on its first wrong field.
    await openSection(page, 'Users');
    await page.getByRole('rowheader', { name: /viewer@undersigned.test/ }).waitFor();
    const setPassword = page.getByRole('button', { name: /^Set a new password\W+viewer@undersigned\.test$/ });
    await setPassword.click();
    assert.ok(await page.getByLabel('New password for viewer@undersigned.test').evaluate((el) => el === document.activeElement), 'the password field has focus');
    await page.getByRole('button', { name: 'Cancel' }).click();
    assert.ok(await setPassword.evaluate((el) => el === document.activeElement), 'focus is back on its button');
    await page.getByLabel('Email address').fill('not-an-address');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Create the account' }).click();
    await page.getByText('Enter an email address like name@example.org.').waitFor();
    await page.getByText('Use 12 to 256 characters.').waitFor();
    const email = page.getByLabel('Email address');
    assert.equal(await email.getAttribute('aria-invalid'), 'true');
    assert.ok(await email.evaluate((el) => el === document.activeElement), 'the first invalid field has focus');
    await assertAccessible(page, 'the Users page with errors');

    // Narrow screens: the console still works at 320 px, and no page scrolls
    // sideways (wide tables scroll inside their own box).
    await page.setViewportSize({ width: 320, height: 700 });
    await openSection(page, 'Endorsements');
    await assertAccessible(page, 'the review queue at 320 px');
    for (const name of ['Dashboard', 'Endorsements', 'Digests', 'Contacts', 'Schedules', 'Campaigns', 'Signatures', 'Users', 'Audit log']) {
      await openSection(page, name);
      await page.waitForLoadState('networkidle');
      if (name === 'Contacts') await page.getByRole('rowheader', { name: /Anna Lindqvist/ }).waitFor();
      if (name === 'Users') await page.getByRole('rowheader', { name: /viewer@undersigned.test/ }).waitFor();
      if (name === 'Audit log') await page.getByRole('cell', { name: 'digest.send' }).first().waitFor();
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 320, `the ${name} page is ${width} px wide at 320 px`);
    }

    // A phone (360 × 740): the sections are one row that scrolls sideways,
    // so that each page's heading and the start of its content are in the
    // first screen; the current section's link is scrolled into view.
    await page.setViewportSize({ width: 360, height: 740 });
    for (const name of ['Dashboard', 'Contacts', 'Audit log']) {
      await openSection(page, name);
      await page.evaluate(() => window.scrollTo(0, 0));
      const nav = await page.getByRole('navigation', { name: 'Console' }).boundingBox();
      const heading = await page.getByRole('heading', { level: 1, name }).boundingBox();
      assert.ok(nav.height <= 60, `the navigation is ${Math.round(nav.height)} px high at 360 px`);
      // Site header, who is signed in, the sections' row, the heading: the
      // rest of the first screen (at least 340 of its 740 px) is the page.
      assert.ok(heading.y + heading.height <= 400, `the ${name} heading ends at ${Math.round(heading.y + heading.height)} px of a 740 px screen`);
      const link = await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name, exact: true }).boundingBox();
      assert.ok(link.x >= 0 && link.x + link.width <= 360, `the current section's link is out of sight (x ${Math.round(link.x)})`);
    }
    await assertAccessible(page, 'the audit log at 360 px');

    assertClean(problems);
    await context.close();
  });

  test('a long list goes on with "Show more", keeps the keyboard in place and shows no one twice', async () => {
    const { page, context, problems } = await openPage(stack);
    await signIn(page);
    await openSection(page, 'Contacts');
    const rows = ['name,email,region'];
    for (let i = 0; i < 105; i++) rows.push(`Adviser ${String(i).padStart(3, '0')},adviser${i}@ministry.example.org,other`);
    await page.getByLabel('CSV file').setInputFiles({ name: 'many.csv', mimeType: 'text/csv', buffer: Buffer.from(rows.join('\n')) });
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText('105 added, 0 updated, 0 skipped.').waitFor();
    await page.getByRole('rowheader', { name: /Adviser 000/ }).waitFor();
    // Added now, it shows at the top, and the server lists it again on the last page.
    await page.getByRole('button', { name: 'Add a contact' }).click();
    const add = page.locator('form.contact-form');
    await add.getByLabel('Name', { exact: true }).fill('Zofia Latest');
    await add.getByLabel('Email address').fill('zofia.latest@ministry.example.org');
    await add.getByLabel('Region').selectOption('other');
    await page.getByRole('button', { name: 'Add the contact' }).click();
    await page.getByRole('rowheader', { name: /Zofia Latest/ }).waitFor();
    const more = page.getByRole('button', { name: 'Show more' });
    await more.focus();
    await page.keyboard.press('Enter');
    await more.waitFor({ state: 'detached' });
    await page.getByRole('rowheader', { name: /Adviser 104/ }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'TR', 'focus goes to the first new row');
    assert.equal(await page.getByRole('rowheader', { name: /Zofia Latest/ }).count(), 1);

    assertClean(problems);
    await context.close();
  });
});
