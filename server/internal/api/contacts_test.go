package api_test

import (
	"fmt"
	"strings"
	"testing"
)

func contactBody(name, email, region string) map[string]any {
	return map[string]any{"name": name, "email": email, "region": region, "institution": "European Parliament",
		"title": "MEP", "country": "LT", "language": "en", "tags": []string{"foreign affairs", "droi"}}
}

func TestContactsCRUD(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		editor := e.token("editor")
		created := e.send("POST", "/api/v1/admin/contacts", editor, contactBody("Petras Auštrevičius", "Petras@Example.EU", "eu")).wantStatus(t, 201).JSON(t)
		id := created["id"].(string)
		if created["email"] != "petras@example.eu" || created["subscribed"] != true || len(created["tags"].([]any)) != 2 {
			t.Fatalf("created = %v", created)
		}
		e.send("POST", "/api/v1/admin/contacts", editor, contactBody("Twin", "petras@example.eu", "eu")).wantError(t, 422, "validation_failed")
		patched := e.send("PATCH", "/api/v1/admin/contacts/"+id, editor, map[string]any{"title": "Member of the European Parliament", "language": "be"}).wantStatus(t, 200).JSON(t)
		if patched["title"] != "Member of the European Parliament" || patched["language"] != "be" || patched["name"] != "Petras Auštrevičius" {
			t.Fatalf("patched = %v", patched)
		}
		for q, want := range map[string]int{"?q=auštr": 1, "?region=us": 0, "?tag=droi": 1, "?tag=dro": 0, "": 1} {
			if n := len(e.get("/api/v1/admin/contacts"+q, editor).wantStatus(t, 200).JSON(t)["items"].([]any)); n != want {
				t.Errorf("search %q found %d, want %d", q, n, want)
			}
		}
		e.send("DELETE", "/api/v1/admin/contacts/"+id, editor, nil).wantStatus(t, 204)
		e.send("DELETE", "/api/v1/admin/contacts/"+id, editor, nil).wantError(t, 404, "not_found")
		e.send("PATCH", "/api/v1/admin/contacts/"+id, editor, map[string]any{"title": "x"}).wantError(t, 404, "not_found")
	})
}

func TestContactBadInputs(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		editor := e.token("editor")
		cases := []struct {
			name  string
			edit  func(map[string]any)
			field string
		}{
			{"no name", func(b map[string]any) { delete(b, "name") }, "name"},
			{"no email", func(b map[string]any) { delete(b, "email") }, "email"},
			{"bad email", func(b map[string]any) { b["email"] = "not an address" }, "email"},
			{"no region", func(b map[string]any) { delete(b, "region") }, "region"},
			{"bad region", func(b map[string]any) { b["region"] = "asia" }, "region"},
			{"bad country", func(b map[string]any) { b["country"] = "Lithuania" }, "country"},
			{"bad language", func(b map[string]any) { b["language"] = "English" }, "language"},
			{"bad tag", func(b map[string]any) { b["tags"] = []string{"<script>"} }, "tags"},
			{"too many tags", func(b map[string]any) {
				tags := []string{}
				for i := 0; i < 21; i++ {
					tags = append(tags, fmt.Sprintf("t%d", i))
				}
				b["tags"] = tags
			}, "tags"},
			{"name too long", func(b map[string]any) { b["name"] = strings.Repeat("n", 201) }, "name"},
			{"unknown field", func(b map[string]any) { b["phone"] = "+32" }, "phone"},
			{"subscribed on create", func(b map[string]any) { b["subscribed"] = false }, "subscribed"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				b := contactBody("Name", "name@example.eu", "eu")
				c.edit(b)
				if fields := e.send("POST", "/api/v1/admin/contacts", editor, b).wantError(t, 422, "validation_failed"); fields[c.field] == nil {
					t.Fatalf("fields = %v, want %s", fields, c.field)
				}
			})
		}
		if n := e.count("contacts"); n != 0 {
			t.Fatalf("bad inputs wrote %d contacts", n)
		}
	})
}

func TestContactImport(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, e *env) {
		editor := e.token("editor")
		e.send("POST", "/api/v1/admin/contacts", editor, contactBody("Old Name", "existing@example.eu", "eu")).wantStatus(t, 201)
		csv := "\xef\xbb\xbfName;Email;Region;Institution;Country;Language;Tags\n" +
			"Anna Fotyga;anna@example.eu;eu;European Parliament;PL;en;afet|droi\n" +
			"Updated Name;EXISTING@example.eu;eu;EEAS;;be;\n" +
			"No Email;;eu;;;;\n" +
			"Ben Cardin;ben@example.gov;us;US Senate;US;en;helsinki\n" +
			"Bad Region;bad@example.org;mars;;;;\n" +
			"Anna Again;anna@example.eu;eu;;;;\n"
		r := e.do(req{method: "POST", path: "/api/v1/admin/contacts/import", raw: csv, contentType: "text/csv", token: editor}).wantStatus(t, 200).JSON(t)
		if r["created"] != float64(2) || r["updated"] != float64(1) || r["rejected"] != float64(3) {
			t.Fatalf("import = %v", r)
		}
		lines := map[float64]bool{}
		for _, er := range r["errors"].([]any) {
			lines[er.(map[string]any)["line"].(float64)] = true
		}
		if !lines[4] || !lines[6] || !lines[7] || len(lines) != 3 {
			t.Fatalf("rejected lines = %v, want 4, 6 and 7", lines)
		}
		items := e.get("/api/v1/admin/contacts?q=existing", editor).wantStatus(t, 200).JSON(t)["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["name"] != "Updated Name" || items[0].(map[string]any)["language"] != "be" {
			t.Fatalf("existing contact after import = %v", items)
		}
		e.do(req{method: "POST", path: "/api/v1/admin/contacts/import", raw: "name,email\nA,a@b.org\n", contentType: "text/csv", token: editor}).wantError(t, 422, "validation_failed")
		e.do(req{method: "POST", path: "/api/v1/admin/contacts/import", raw: csv, contentType: "text/plain", token: editor}).wantError(t, 415, "unsupported_media_type")
		// Over 5 MiB is refused before any handler runs, on every route
		// alike: http_test.go covers it.
		e.do(req{method: "POST", path: "/api/v1/admin/contacts/import", raw: csv, contentType: "text/csv", token: e.token("moderator")}).wantError(t, 403, "forbidden")
		if n := e.count("contacts"); n != 3 {
			t.Fatalf("%d contacts, want 3", n)
		}
	})
}
