package frontend

import "embed"

// Messages holds the public site's interface strings, one JSON dictionary per
// language (src/lib/messages/en.json, be.json, ru.json): the SPA and the
// server-rendered pages read the same files, so the two never drift apart.
//
//go:embed src/lib/messages/*.json
var Messages embed.FS
