package frontend

import "embed"

// NoJSMessages holds strings only the server-rendered pages use (a refused
// field's sentence on the no-JavaScript sign and endorse forms), one JSON
// dictionary per language (src/nojs/en.json, be.json, ru.json), kept out of
// the SPA's dictionaries so that the public page's size budget does not
// carry them: the SPA words refusals from their codes (src/lib/errorCodes.js).
//
//go:embed src/nojs/*.json
var NoJSMessages embed.FS
