package frontend

import "embed"

// CLDR holds country names, date and number formats and plural rules for
// each interface language (src/lib/cldr/<lang>.json, generated from Unicode
// CLDR by scripts/cldr.mjs): the SPA, the emails and the digests format
// from the same data.
//
//go:embed src/lib/cldr/*.json
var CLDR embed.FS
