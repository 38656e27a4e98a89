// After `vite build`: fail the build if dist would break our CSP or privacy
// rules (docs/privacy.md, rules 8 and 9), and report the gzipped size of the assets.
//
// CSP: default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; ...
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = new URL('../dist/', import.meta.url).pathname;
const budget = 60 * 1024; // public page JS + CSS, gzipped (docs/design.md)
const problems = [];

const html = readFileSync(join(dist, 'index.html'), 'utf8');
for (const [tag] of html.matchAll(/<script\b[^>]*>/gi)) {
  if (!/\ssrc=/.test(tag)) problems.push(`index.html: inline script ${tag}`);
}
if (/<style\b/i.test(html)) problems.push('index.html: inline <style>');
if (/\sstyle=/i.test(html)) problems.push('index.html: inline style attribute');
for (const [, url] of html.matchAll(/\s(?:src|href)="([^"]*)"/gi)) {
  if (!url.startsWith('/') || url.startsWith('//')) problems.push(`index.html: not same-origin: ${url}`);
}

// The budget is what a reader of the public page loads before it shows: what
// index.html loads eagerly (its scripts, stylesheets and module preloads),
// plus the strings and CLDR data of the reader's language, which main.js
// waits for (English is in the entry; Belarusian and Russian are lazy chunks
// named lang-<code>-*.js by vite.config.js): the largest language counts.
// Other chunks imported on demand (the staff console, the endorse pages) are
// listed as lazy and not counted.
const eager = new Set();
for (const [tag] of html.matchAll(/<(?:script|link)\b[^>]*>/gi)) {
  const url = tag.match(/\s(?:src|href)="\/assets\/([^"]+)"/i)?.[1];
  if (url && (/^<script/i.test(tag) || /\srel="(stylesheet|modulepreload)"/i.test(tag))) eager.add(url);
}

const assets = join(dist, 'assets');
let total = 0;
let lazy = 0;
const languages = new Map(); // code → gzipped bytes of its lazy chunks
const rows = [];
for (const name of readdirSync(assets).sort()) {
  const body = readFileSync(join(assets, name));
  const text = body.toString('utf8');
  if (name.endsWith('.css')) {
    if (/@import|url\(\s*['"]?(https?:)?\/\//i.test(text)) problems.push(`${name}: loads from another origin`);
  }
  if (name.endsWith('.js')) {
    // Runtime <style> injection (Svelte's css: 'injected') is blocked by style-src 'self'.
    // Minified, it reads like h(`style`); Symbol(`style`) is Svelte's harmless attribute key.
    if (/(?<!Symbol)\(\s*[`"']style[`"']\s*\)/.test(text)) problems.push(`${name}: creates a <style> element`);
    if (/[`"']data:(text|application)\/javascript/.test(text)) problems.push(`${name}: data: script`);
  }
  const gz = gzipSync(body, { level: 9 }).length;
  const lang = name.match(/^lang-([a-z]+)-.*\.js$/)?.[1];
  if (/\.(js|css)$/.test(name)) {
    if (eager.has(name)) total += gz;
    else if (lang) languages.set(lang, (languages.get(lang) ?? 0) + gz);
    else lazy += gz;
  }
  const note = eager.has(name) ? '' : lang ? `  (language ${lang})` : '  (lazy)';
  rows.push(`  ${name.padEnd(36)} ${kb(body.length).padStart(9)}  gzip ${kb(gz).padStart(8)}${note}`);
}
const [largestLang, largest] = [...languages].sort((a, b) => b[1] - a[1])[0] ?? ['none', 0];
if (total + largest > budget) {
  problems.push(`JS + CSS is ${kb(total)} + ${kb(largest)} (${largestLang}) = ${kb(total + largest)} gzipped, over the ${kb(budget)} budget`);
}

console.log(
  `dist/assets:\n${rows.join('\n')}\n` +
    `  JS + CSS gzipped, loaded by index.html: ${kb(total)}\n` +
    `  + the largest language's chunks (${largestLang}; ${[...languages].map(([l, n]) => `${l} ${kb(n)}`).join(', ') || 'none'}): ${kb(largest)}\n` +
    `  = ${kb(total + largest)} (budget ${kb(budget)}); other lazy chunks: ${kb(lazy)}`,
);
if (problems.length) {
  console.error(`\ndist breaks the CSP or privacy rules:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}

function kb(n) {
  return `${(n / 1024).toFixed(1)} KB`;
}
