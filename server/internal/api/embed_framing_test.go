package api_test

import (
	"strings"
	"testing"

	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// Only the widget route, exactly /embed/{slug}, may be framed: under any
// other /embed/ path the SPA mounts the whole app, console included, which
// a hostile site must not frame (issue 11, hole 8).
func TestOnlyTheWidgetMayBeFramed(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		t.Parallel()
		e := newBareEnv(t, db, nil)
		for path, framable := range map[string]bool{
			"/embed/release-all-political-prisoners":       true,
			"/embed/release-all-political-prisoners/":      true,
			"/embed/release-all-political-prisoners/admin": false,
			"/embed/x/admin/users":                         false,
			"/embed/":                                      false,
			"/embed/Upper":                                 false,
			"/embed/a%2Fadmin":                             false,
			"/admin":                                       false,
			"/embedded/x":                                  false,
		} {
			r := e.get(path, "")
			csp := r.Header.Get("Content-Security-Policy")
			switch {
			case framable && (!strings.Contains(csp, "frame-ancestors *") || r.Header.Get("X-Frame-Options") != ""):
				t.Errorf("%s: the widget cannot be framed: CSP %q, X-Frame-Options %q", path, csp, r.Header.Get("X-Frame-Options"))
			case !framable && (!strings.Contains(csp, "frame-ancestors 'none'") || r.Header.Get("X-Frame-Options") != "DENY"):
				t.Errorf("%s may be framed: CSP %q, X-Frame-Options %q", path, csp, r.Header.Get("X-Frame-Options"))
			}
		}
	})
}
