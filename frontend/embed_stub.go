//go:build !embedspa

// Package frontend holds the single-page app. Built without the embedspa tag
// (go run, go test, go vet), it serves a stub page, so that Go commands work
// without Node or a built frontend/dist.
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed stub/index.html
var stub embed.FS

// Dist returns a one-page stand-in for the SPA, and false because the real
// build is not embedded; the server may log that it serves the stub.
func Dist() (fs.FS, bool) {
	sub, err := fs.Sub(stub, "stub")
	if err != nil {
		panic(err) // unreachable: "stub" is a valid path, checked by go:embed
	}
	return sub, false
}
