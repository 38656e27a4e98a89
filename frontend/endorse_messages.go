package frontend

import "embed"

// EndorseMessages holds the strings of the public endorse pages and of the
// endorsing organisations' list, one JSON dictionary per language
// (src/endorse/en.json, be.json, ru.json), kept apart from Messages
// so that the campaign page does not carry them; the server-rendered pages
// read the same files.
//
//go:embed src/endorse/*.json
var EndorseMessages embed.FS
