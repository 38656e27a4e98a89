// The countries a signer can name: ISO 3166-1 alpha-2 codes plus XK (Kosovo),
// the same list the server accepts. Names are not shipped: the browser's
// Intl.DisplayNames names each country in the interface language, and the
// code itself stands in where it cannot.

export const countryCodes = (
  'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS ' +
  'BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE ' +
  'EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM ' +
  'HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC ' +
  'LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA ' +
  'NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW ' +
  'SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO ' +
  'TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW'
).split(' ');

const known = new Set(countryCodes);
const namers = new Map();

/**
 * A country's name in lang, or the code when the browser cannot name it.
 * @param {string} code e.g. "BY"
 * @param {string} lang e.g. "be"
 */
export function countryName(code, lang) {
  if (!namers.has(lang)) {
    let namer = null;
    try {
      namer = new Intl.DisplayNames([lang], { type: 'region', fallback: 'code' });
    } catch {
      // An engine without Intl.DisplayNames: codes it is.
    }
    namers.set(lang, namer);
  }
  const namer = namers.get(lang);
  try {
    return namer?.of(code) || code;
  } catch {
    return code;
  }
}

/**
 * Every country as {code, name} in lang, sorted as a reader of lang expects.
 * @param {string} lang
 */
export function countryOptions(lang) {
  const options = countryCodes.map((code) => ({ code, name: countryName(code, lang) }));
  const collator = new Intl.Collator(lang);
  return options.sort((a, b) => collator.compare(a.name, b.name));
}

/**
 * The code for what a person typed into the country field: a name from the
 * list (any case), or a code such as "by". Returns "" when it is neither.
 * @param {string} input
 * @param {string} lang
 */
export function resolveCountry(input, lang) {
  const text = String(input ?? '').trim();
  if (!text) return '';
  if (/^[a-z]{2}$/i.test(text) && known.has(text.toUpperCase())) return text.toUpperCase();
  const folded = text.toLocaleLowerCase(lang);
  for (const code of countryCodes) {
    if (countryName(code, lang).toLocaleLowerCase(lang) === folded) return code;
  }
  // Someone who switched the interface language mid-form typed an English name.
  if (lang !== 'en') return resolveCountry(text, 'en');
  return '';
}
