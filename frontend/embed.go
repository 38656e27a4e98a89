//go:build embedspa

// Package frontend holds the single-page app. Built with the embedspa tag, the
// binary carries frontend/dist (run `npm run build` in frontend/ first);
// without it, a stub page that says how to build it.
package frontend

import (
	"embed"
	"io/fs"
)

// all: keeps files whose names start with "_" or ".", which Vite may emit.
//
//go:embed all:dist
var dist embed.FS

// Dist returns the built SPA rooted at its index.html, and true because the
// real build is embedded.
func Dist() (fs.FS, bool) {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // unreachable: "dist" is a valid path, checked by go:embed
	}
	return sub, true
}
