package api

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestEveryAuditActionIsTranslated finds each audit action the server
// writes (auditBy, AuditEntry.Action, the export actions) in its source and
// fails when the console's dictionaries (src/admin/messages/*.js) have no
// words for it, so that the audit log never shows a raw "digest.send" to a
// Belarusian-speaking admin.
func TestEveryAuditActionIsTranslated(t *testing.T) {
	t.Parallel()
	written := regexp.MustCompile(`(?:auditBy\(c, |Action: |streamExport\(c, \w+, )"([a-z]+\.[a-z_]+)"`)
	actions := map[string]string{}
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range written.FindAllSubmatch(b, -1) {
			actions[string(m[1])] = path
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(actions) < 25 {
		t.Fatalf("found only %d audit actions: has the way they are written changed? %v", len(actions), actions)
	}
	for _, lang := range []string{"en", "be", "ru"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "..", "frontend", "src", "admin", "messages", lang+".js"))
		if err != nil {
			t.Fatal(err)
		}
		for action, where := range actions {
			if !strings.Contains(string(b), "'auditAction."+action+"':") {
				t.Errorf("%s.js has no auditAction.%s (written in %s)", lang, action, where)
			}
		}
	}
}
