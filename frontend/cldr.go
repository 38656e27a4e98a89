package frontend

import "embed"

// CLDR holds country names, date and number formats and plural rules for
// each interface language (src/lib/cldr/<lang>.json, generated from Unicode
// CLDR by scripts/cldr.mjs): the SPA, the emails and the digests format
// from the same data.
//
//go:embed src/lib/cldr/*.json
var CLDR embed.FS

// FieldErrors holds the texts of the API's field error codes by language
// (src/lib/errors/<lang>.json, key "error.<code>"): the console translates
// codes with them, and the server-rendered pages can too.
//
//go:embed src/lib/errors/*.json
var FieldErrors embed.FS
