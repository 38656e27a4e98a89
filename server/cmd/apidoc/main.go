// Command apidoc writes docs/api.md, the Markdown reference of the API,
// from server/internal/api/openapi.json (run by `make docs`).
package main

import (
	"fmt"
	"os"

	"github.com/bnp/undersigned/server/internal/apidoc"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: apidoc openapi.json api.md")
		os.Exit(2)
	}
	doc, err := os.ReadFile(os.Args[1])
	if err == nil {
		var md []byte
		if md, err = apidoc.Render(doc); err == nil {
			err = os.WriteFile(os.Args[2], md, 0o644)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "apidoc:", err)
		os.Exit(1)
	}
}
