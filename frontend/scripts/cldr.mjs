// Generates src/lib/cldr/{be,ru,en}.json from the Unicode CLDR JSON packages:
// country names, date and time patterns, month and weekday names, number
// symbols and plural rules. The SPA, the emails and the digests all read
// these files (Go embeds them as frontend.CLDR), so that no text depends on
// what the browser's Intl happens to know (Chromium has no Belarusian).
//
// Run it from a scratch directory, never inside the repository:
//   mkdir /tmp/cldr && cd /tmp/cldr && npm init -y &&
//   npm i cldr-core cldr-localenames-full cldr-dates-full cldr-numbers-full &&
//   node /path/to/frontend/scripts/cldr.mjs /tmp/cldr/node_modules
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const modules = process.argv[2];
if (!modules) throw new Error('usage: node cldr.mjs <node_modules with the cldr-* packages>');
const read = (...p) => JSON.parse(readFileSync(join(modules, ...p), 'utf8'));
const out = new URL('../src/lib/cldr/', import.meta.url).pathname;

// The countries the server accepts (server/internal/countries): ISO 3166-1
// alpha-2 plus XK.
const codes = JSON.parse(readFileSync(new URL('../src/lib/cldr/codes.json', import.meta.url), 'utf8'));
const version = read('cldr-core', 'package.json').version;
const plurals = read('cldr-core', 'supplemental', 'plurals.json').supplemental['plurals-type-cardinal'];
const shortForms = new Set(['HK', 'MO', 'PS']);
const pluralSamples = {};
const weekdays = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

for (const lang of ['be', 'ru', 'en']) {
  const territories = read('cldr-localenames-full', 'main', lang, 'territories.json').main[lang].localeDisplayNames.territories;
  const countries = {};
  for (const code of codes) {
    // The short form people say for these three ("Hong Kong", not "Hong
    // Kong SAR China"); elsewhere CLDR's short forms are abbreviations
    // ("US") or clipped ("Bosnia").
    const short = shortForms.has(code) && territories[`${code}-alt-short`];
    const name = short || territories[code];
    if (!name) throw new Error(`${lang}: no name for ${code}`);
    countries[code] = name;
  }
  const g = read('cldr-dates-full', 'main', lang, 'ca-gregorian.json').main[lang].dates.calendars.gregorian;
  const n = read('cldr-numbers-full', 'main', lang, 'numbers.json').main[lang].numbers;
  // The rules ship without CLDR's sample numbers; the samples go to
  // plural-samples.json, which only the tests read.
  const rules = {};
  for (const [key, rule] of Object.entries(plurals[lang])) {
    const form = key.replace('pluralRule-count-', '');
    const [condition, ...samples] = rule.split('@');
    rules[form] = condition.trim();
    (pluralSamples[lang] ??= {})[form] = samples.map((s) => `@${s.trim()}`).join(' ');
  }
  const data = {
    cldr: version,
    countries,
    months: Object.values(g.months.format.wide),
    monthsShort: Object.values(g.months.format.abbreviated),
    weekdaysStandalone: weekdays.map((d) => g.days['stand-alone'].wide[d]),
    dayPeriods: { am: g.dayPeriods.format.abbreviated.am, pm: g.dayPeriods.format.abbreviated.pm },
    date: { long: g.dateFormats.long, medium: g.dateFormats.medium, short: g.dateFormats.short },
    time: { short: g.timeFormats.short },
    dateTime: g.dateTimeFormats.medium,
    skeletons: {
      MMMd: g.dateTimeFormats.availableFormats.MMMd,
      yMMMd: g.dateTimeFormats.availableFormats.yMMMd,
    },
    number: {
      decimal: n['symbols-numberSystem-latn'].decimal,
      group: n['symbols-numberSystem-latn'].group,
      minimumGroupingDigits: Number(n.minimumGroupingDigits),
    },
    plurals: rules,
  };
  writeFileSync(join(out, `${lang}.json`), JSON.stringify(data) + '\n');
}
writeFileSync(join(out, 'plural-samples.json'), JSON.stringify(pluralSamples, null, 1) + '\n');
