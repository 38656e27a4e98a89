// The system under test, started for real: the undersigned binary on a free
// port with a fresh SQLite data directory and real proof of work, an SMTP
// server that keeps what it receives, and Debian's Chromium.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { chromium } from 'playwright-core';

export const binary = fileURLToPath(new URL('../../bin/undersigned', import.meta.url));
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** The first admin, created by the binary at start-up, for tests that set up data. */
export const admin = { email: 'admin@undersigned.test', password: 'e2e admin password, long enough' };

/**
 * Why the browser tests cannot run here, or "" when they can. In CI a
 * missing browser is a failure, never a skip (.ci/run installs it).
 */
export function missingPrerequisite() {
  if (!existsSync(chromiumPath)) return `no Chromium at ${chromiumPath} (apt-get install chromium)`;
  return '';
}

/** A TCP port that was free a moment ago. */
async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** An SMTP server on localhost that parses every message it accepts. */
async function startMailbox() {
  const messages = [];
  const waiting = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          messages.push(mail);
          for (const w of waiting.splice(0)) w();
          callback();
        },
        (err) => callback(err),
      );
    },
  });
  const port = await freePort();
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port,
    messages,
    /** The first message to `to` matching `filter`, waiting up to timeout ms. */
    async waitFor(to, { timeout = 20000, after = 0 } = {}) {
      const deadline = Date.now() + timeout;
      for (;;) {
        const found = messages.slice(after).find((m) => m.to?.value.some((a) => a.address === to));
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no email to ${to} within ${timeout} ms (${messages.length} received)`);
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, Math.min(left, 500));
          waiting.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Start the binary and wait until it is ready. */
async function startServer(smtpPort) {
  if (!existsSync(binary)) throw new Error(`${binary} is missing: run make build first`);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'undersigned-e2e-'));
  const env = { ...process.env };
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'ADMIN_EMAIL', 'ADMIN_PASSWORD', 'SEED_DEMO', 'RATE_LIMITS', 'LOG_SIGNING_KEY', 'LOG_WITNESSES']) delete env[name];
  Object.assign(env, {
    LISTEN_ADDR: `127.0.0.1:${port}`,
    PUBLIC_URL: base,
    DATA_DIR: dataDir,
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}?tls=none`,
    MAIL_FROM: 'undersigned <no-reply@undersigned.test>',
    POW: 'on',
    // The transparency log appends every second, not every ten minutes.
    LOG_BATCH_INTERVAL: '1s',
    ADMIN_EMAIL: admin.email,
    ADMIN_PASSWORD: admin.password,
    // Suites run side by side: metrics on a free port each.
    METRICS_ADDR: '127.0.0.1:0',
  });
  const child = spawn(binary, ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  let exited = null;
  child.on('exit', (code) => (exited = code));

  const deadline = Date.now() + 30000;
  for (;;) {
    if (exited !== null) throw new Error(`undersigned exited with ${exited} before it was ready:\n${log}`);
    try {
      const res = await fetch(`${base}/readyz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`undersigned was not ready within 30 s:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    base,
    log: () => log,
    async stop() {
      if (exited === null) {
        const gone = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 10000))]);
        if (exited === null) child.kill('SIGKILL');
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Everything a test needs; stop() undoes it all. */
export async function startStack() {
  const mailbox = await startMailbox();
  let server;
  let browser;
  try {
    server = await startServer(mailbox.port);
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  } catch (err) {
    await server?.stop();
    await mailbox.close();
    throw err;
  }
  return {
    base: server.base,
    mailbox,
    browser,
    serverLog: server.log,
    async stop() {
      await browser.close();
      await server.stop();
      await mailbox.close();
    },
  };
}

/**
 * Call the API as the admin (for setting up data the public site shows).
 * @returns {Promise<any>} the decoded body; throws on an error status
 */
export async function staffRequest(stack, method, path, body) {
  if (!stack.token) {
    const res = await fetch(`${stack.base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(admin),
    });
    if (!res.ok) throw new Error(`login: ${res.status} ${await res.text()}`);
    stack.token = (await res.json()).access_token;
  }
  const res = await fetch(`${stack.base}/api/v1${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${stack.token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/**
 * A new page in its own context (English, a desktop or a phone viewport)
 * that records every request to another origin, console CSP reports and
 * page errors, for the test to assert on.
 */
export async function openPage(stack, { width = 1280, height = 900, locale = 'en-US', colorScheme = 'light' } = {}) {
  const context = await stack.browser.newContext({ locale, colorScheme, viewport: { width, height }, serviceWorkers: 'block' });
  const page = await context.newPage();
  const origin = new URL(stack.base).origin;
  const problems = { foreign: [], csp: [], errors: [] };
  page.on('request', (req) => {
    const url = req.url();
    if (url.startsWith('data:') || url.startsWith('blob:')) {
      if (url.startsWith('blob:')) problems.foreign.push(url);
      return;
    }
    if (new URL(url).origin !== origin) problems.foreign.push(url);
  });
  page.on('console', (msg) => {
    if (/Content[- ]Security[- ]Policy/i.test(msg.text())) problems.csp.push(msg.text());
  });
  page.on('pageerror', (err) => problems.errors.push(String(err)));
  return { page, context, problems };
}

/**
 * The browser tests of one file, with a stack of their own started before
 * the first and stopped after the last. body gets the stack (filled in by
 * then). Without Chromium they are skipped, except in CI, where that fails
 * loudly instead (.ci/run installs it).
 * @param {string} name
 * @param {number} timeout ms for the whole suite
 * @param {(stack: any) => void} body
 */
export function browserSuite(name, timeout, body) {
  const missing = missingPrerequisite();
  if (missing && process.env.CI) {
    test(`${name}: browser end-to-end prerequisites`, () => assert.fail(`${missing}; CI must install it (.ci/run)`));
    return;
  }
  describe(name, { skip: missing || false, timeout }, () => {
    if (missing) return;
    const stack = {};
    before(async () => {
      Object.assign(stack, await startStack());
    });
    after(async () => {
      await stack.stop?.();
    });
    body(stack);
  });
}

/** Assert that a page talked to nobody else, broke no CSP rule and threw nothing. */
export function assertClean(problems) {
  assert.deepEqual(problems.foreign, [], 'requests to another origin');
  assert.deepEqual(problems.csp, [], 'Content-Security-Policy violations');
  assert.deepEqual(problems.errors, [], 'uncaught page errors');
}

/**
 * axe on the page, WCAG 2.2 AA and best practices. With a sandboxed email
 * preview on the page, axe's default mode fails to open its helper tab, and
 * no script can run in the frame anyway: legacy mode tests the page and
 * marks the frame as not tested.
 */
export async function assertAccessible(page, what, { legacy = false } = {}) {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
    .setLegacyMode(legacy)
    .analyze();
  const found = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(' ')).join('\n    ')}`);
  assert.deepEqual(found, [], `axe violations on ${what}`);
}

/** The /path/TOKEN link to this stack in an email that arrived. */
export function linkIn(stack, mail, path) {
  const match = mail.text.match(new RegExp(`${stack.base}/${path}/[A-Za-z0-9_-]+`));
  assert.ok(match, `a /${path}/ link in the email:\n${mail.text}`);
  return match[0];
}
