// Package apidoc renders the OpenAPI document as the Markdown reference in
// docs/api.md: plain text that any Markdown viewer shows, with no script
// of anyone's.
package apidoc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

type document struct {
	Info struct {
		Title       string `json:"title"`
		Description string `json:"description"`
	} `json:"info"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas map[string]schema `json:"schemas"`
	} `json:"components"`
}

type operation struct {
	Summary     string   `json:"summary"`
	Tags        []string `json:"tags"`
	Security    []any    `json:"security"`
	Parameters  []param  `json:"parameters"`
	RequestBody *struct {
		Content map[string]struct {
			Schema schema `json:"schema"`
		} `json:"content"`
	} `json:"requestBody"`
	Responses map[string]struct {
		Content map[string]struct {
			Schema schema `json:"schema"`
		} `json:"content"`
	} `json:"responses"`
}

type param struct {
	Name string `json:"name"`
	In   string `json:"in"`
}

type schema struct {
	Ref                  string            `json:"$ref"`
	Type                 any               `json:"type"`
	Properties           map[string]schema `json:"properties"`
	Required             []string          `json:"required"`
	Items                *schema           `json:"items"`
	AdditionalProperties any               `json:"additionalProperties"`
	Enum                 []any             `json:"enum"`
	Const                any               `json:"const"`
	Format               string            `json:"format"`
}

var methods = []string{"get", "post", "patch", "put", "delete"}

// Render returns the Markdown reference of an OpenAPI document.
func Render(openapi []byte) ([]byte, error) {
	var doc document
	if err := json.Unmarshal(openapi, &doc); err != nil {
		return nil, fmt.Errorf("apidoc: %w", err)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s reference\n\n", doc.Info.Title)
	b.WriteString("<!-- Generated from server/internal/api/openapi.json by `make docs`; do not edit by hand. -->\n\n")
	fmt.Fprintf(&b, "%s\n\n", doc.Info.Description)

	type entry struct {
		tag, method, path string
		op                operation
	}
	var entries []entry
	var tags []string
	for path, item := range doc.Paths {
		for _, m := range methods {
			raw, ok := item[m]
			if !ok {
				continue
			}
			var op operation
			if err := json.Unmarshal(raw, &op); err != nil {
				return nil, fmt.Errorf("apidoc: %s %s: %w", m, path, err)
			}
			tag := "other"
			if len(op.Tags) > 0 {
				tag = op.Tags[0]
			}
			if !slices.Contains(tags, tag) {
				tags = append(tags, tag)
			}
			entries = append(entries, entry{tag, strings.ToUpper(m), path, op})
		}
	}
	sort.Strings(tags)
	sort.Slice(entries, func(i, j int) bool {
		if entries[i].path != entries[j].path {
			return entries[i].path < entries[j].path
		}
		return slices.Index(methods, strings.ToLower(entries[i].method)) < slices.Index(methods, strings.ToLower(entries[j].method))
	})
	for _, tag := range tags {
		fmt.Fprintf(&b, "## %s\n\n", tag)
		for _, e := range entries {
			if e.tag != tag {
				continue
			}
			fmt.Fprintf(&b, "### `%s %s`\n\n%s\n\n", e.method, e.path, e.op.Summary)
			if len(e.op.Security) > 0 {
				b.WriteString("Needs `Authorization: Bearer <access token>`.\n\n")
			}
			var query []string
			for _, p := range e.op.Parameters {
				if p.In == "query" {
					query = append(query, "`"+p.Name+"`")
				}
			}
			if len(query) > 0 {
				fmt.Fprintf(&b, "Query: %s.\n\n", strings.Join(query, ", "))
			}
			if e.op.RequestBody != nil {
				for _, ct := range sortedKeys(e.op.RequestBody.Content) {
					fmt.Fprintf(&b, "Request (`%s`): %s\n\n", ct, describe(e.op.RequestBody.Content[ct].Schema))
				}
			}
			for _, status := range sortedKeys(e.op.Responses) {
				r := e.op.Responses[status]
				if status == "default" {
					continue
				}
				if len(r.Content) == 0 {
					fmt.Fprintf(&b, "- **%s**: no body\n", status)
				}
				for _, ct := range sortedKeys(r.Content) {
					fmt.Fprintf(&b, "- **%s** (`%s`): %s\n", status, ct, describe(r.Content[ct].Schema))
				}
			}
			b.WriteString("- otherwise: an [`Error`](#error)\n\n")
		}
	}
	b.WriteString("## Schemas\n\n")
	for _, name := range sortedKeys(doc.Components.Schemas) {
		s := doc.Components.Schemas[name]
		fmt.Fprintf(&b, "### %s\n\n", name)
		if len(s.Properties) == 0 {
			fmt.Fprintf(&b, "%s\n\n", describe(s))
			continue
		}
		b.WriteString("| field | type | required |\n|---|---|---|\n")
		for _, p := range sortedKeys(s.Properties) {
			req := ""
			if slices.Contains(s.Required, p) {
				req = "yes"
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", p, strings.ReplaceAll(describe(s.Properties[p]), "|", "\\|"), req)
		}
		b.WriteString("\n")
	}
	return b.Bytes(), nil
}

// describe is a one-line account of a schema.
func describe(s schema) string {
	switch {
	case s.Ref != "":
		name := s.Ref[strings.LastIndexByte(s.Ref, '/')+1:]
		return "[`" + name + "`](#" + strings.ToLower(name) + ")"
	case s.Const != nil:
		return fmt.Sprintf("`%v`", s.Const)
	case len(s.Enum) > 0:
		var vals []string
		for _, v := range s.Enum {
			vals = append(vals, fmt.Sprintf("`%v`", v))
		}
		return "one of " + strings.Join(vals, ", ")
	case s.Items != nil:
		return "list of " + describe(*s.Items) + nullable(s)
	case len(s.Properties) > 0:
		var fields []string
		for _, p := range sortedKeys(s.Properties) {
			f := "`" + p + "`"
			if !slices.Contains(s.Required, p) {
				f += "?"
			}
			fields = append(fields, f+": "+describe(s.Properties[p]))
		}
		return "{" + strings.Join(fields, ", ") + "}"
	}
	if m, ok := s.AdditionalProperties.(map[string]any); ok {
		raw, _ := json.Marshal(m)
		var inner schema
		_ = json.Unmarshal(raw, &inner)
		return "map of " + describe(inner)
	}
	t := typeName(s.Type)
	if s.Format != "" {
		t += " (" + s.Format + ")"
	}
	return t
}

func nullable(s schema) string {
	if strings.Contains(fmt.Sprint(s.Type), "null") {
		return " or null"
	}
	return ""
}

func typeName(t any) string {
	switch v := t.(type) {
	case string:
		return v
	case []any:
		var parts []string
		for _, p := range v {
			parts = append(parts, fmt.Sprint(p))
		}
		return strings.Join(parts, " or ")
	}
	return "any"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
