package api_test

import (
	"net/url"
	"strings"
	"testing"
)

// TestContactImportKeepsColumnsTheFileDoesNotName: re-importing a list of
// names and regions changes those and leaves title, institution, country,
// language and tags as they were; an empty cell in a named column clears it.
func TestContactImportKeepsColumnsTheFileDoesNotName(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		editor := e.token("editor")
		body := contactBody("Petras Auštrevičius", "petras@example.eu", "eu")
		body["language"] = "be"
		e.send("POST", "/api/v1/admin/contacts", editor, body).wantStatus(t, 201)
		importCSV := func(csv string) map[string]any {
			t.Helper()
			return e.do(req{method: "POST", path: "/api/v1/admin/contacts/import", raw: csv, contentType: "text/csv", token: editor}).wantStatus(t, 200).JSON(t)
		}
		contact := func() map[string]any {
			t.Helper()
			items := e.get("/api/v1/admin/contacts?q="+url.QueryEscape("petras@example.eu"), editor).wantStatus(t, 200).JSON(t)["items"].([]any)
			if len(items) != 1 {
				t.Fatalf("%d contacts found", len(items))
			}
			return items[0].(map[string]any)
		}

		if r := importCSV("name,email,region\nPetras A.,PETRAS@example.eu,other\n"); r["updated"] != float64(1) || r["created"] != float64(0) {
			t.Fatalf("import = %v", r)
		}
		c := contact()
		if c["name"] != "Petras A." || c["region"] != "other" {
			t.Fatalf("named columns not updated: %v", c)
		}
		if c["title"] != "MEP" || c["institution"] != "European Parliament" || c["country"] != "LT" || c["language"] != "be" ||
			strings.Join(toStrings(c["tags"]), ",") != "foreign affairs,droi" {
			t.Fatalf("columns the file does not name were changed: %v", c)
		}

		// A named column with an empty cell clears that field only.
		importCSV("name;email;region;title;tags\nPetras A.;petras@example.eu;eu;;\n")
		c = contact()
		if c["title"] != "" || len(toStrings(c["tags"])) != 0 || c["country"] != "LT" || c["institution"] != "European Parliament" || c["language"] != "be" {
			t.Fatalf("after clearing title and tags: %v", c)
		}
	})
}

func toStrings(v any) []string {
	var out []string
	for _, s := range v.([]any) {
		out = append(out, s.(string))
	}
	return out
}
