package api_test

import (
	"strings"
	"testing"

	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// Every route that takes a body declares it in the routes table: a body of
// a type no route takes is a 415 on each of them, before any other check.
func TestEveryRouteWithABodyDeclaresIt(t *testing.T) {
	t.Parallel()
	e := newEnv(t, storetest.New(t, storetest.SQLite), nil)
	n := 0
	for _, r := range e.app.GetRoutes(true) {
		if (r.Method != "POST" && r.Method != "PATCH" && r.Method != "PUT") || !strings.HasPrefix(r.Path, "/api/") {
			continue
		}
		n++
		path := strings.NewReplacer(":slug", seededSlug, ":id", "00000000-0000-0000-0000-000000000000").Replace(r.Path)
		t.Run(r.Method+" "+r.Path, func(t *testing.T) {
			res := e.do(req{method: r.Method, path: path, raw: "x", contentType: "application/x-undeclared"})
			res.wantError(t, 415, "unsupported_media_type")
		})
	}
	if n < 30 {
		t.Fatalf("only %d routes with a body", n)
	}
}
