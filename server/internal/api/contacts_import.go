package api

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/bnp/undersigned/server/internal/store"
)

// importRowError tells staff what is wrong with one line of a CSV file.
type importRowError struct {
	Line   int               `json:"line"`
	Fields map[string]string `json:"fields"`
}

const maxImportRows = 50000

// importContacts reads a CSV file (header row naming the columns; UTF-8
// with or without a byte-order mark; comma or semicolon), creates or
// updates (by email) every valid row in one transaction, and reports each
// rejected row by its line number. An update changes only the columns the
// header names; an empty cell in a named column clears that field.
func (s *server) importContacts(c *fiber.Ctx) error {
	imp, err := readImport(c.Body(), s.newContact)
	if err != nil {
		return err
	}
	result, err := s.Store.ImportContacts(c.UserContext(), imp.valid, imp.named, auditBy(c, "contact.import", "contacts", 0, fmt.Sprintf("rejected=%d", len(imp.rejected))))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"created": result.Created, "updated": result.Updated, "rejected": len(imp.rejected), "errors": imp.rejected})
}

// contactImport is a CSV file read and checked row by row.
type contactImport struct {
	valid    []store.Contact
	rejected []importRowError
	// named are the columns the header names, which an update may change.
	named []string
}

// readImport parses and validates a CSV file of contacts with the same
// rules as the single-contact API (applyContact); newContact gives each
// row its id and unsubscribe token.
func readImport(body []byte, newContact func() store.Contact) (contactImport, error) {
	imp := contactImport{rejected: []importRowError{}}
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(body)) == 0 {
		return imp, errBadRequest("send the CSV file as the request body")
	}
	r := csv.NewReader(bytes.NewReader(body))
	r.Comma = delimiterOf(body)
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err != nil {
		return imp, errBadRequest("the first line must name the columns")
	}
	cols := map[string]int{}
	for i, h := range header {
		cols[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, need := range []string{"name", "email", "region"} {
		if _, ok := cols[need]; !ok {
			return imp, errValidation("header", "the header needs the columns name, email and region (also possible: title, institution, country, language, tags)")
		}
	}
	// An existing contact keeps what the file does not name: importing a
	// list of names and regions must not wipe titles or tags.
	for _, col := range store.ImportableColumns {
		if _, ok := cols[col]; ok {
			imp.named = append(imp.named, col)
		}
	}
	seen := map[string]int{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var parseErr *csv.ParseError
		if errors.As(err, &parseErr) {
			imp.rejected = append(imp.rejected, importRowError{Line: parseErr.StartLine, Fields: map[string]string{"row": "is not valid CSV"}})
			continue
		} else if err != nil {
			return imp, errBadRequest("the file could not be read as CSV")
		}
		line, _ := r.FieldPos(0)
		if len(imp.valid)+len(imp.rejected) >= maxImportRows {
			return imp, errValidation("file", fmt.Sprintf("at most %d rows in one import", maxImportRows))
		}
		ct := newContact()
		f := fieldErrors{}
		applyContact(f, &ct, rowInput(rec, cols), true)
		if first, dup := seen[ct.Email]; dup && ct.Email != "" {
			f.add("email", fmt.Sprintf("appears already on line %d", first))
		}
		if len(f) > 0 {
			imp.rejected = append(imp.rejected, importRowError{Line: line, Fields: f})
			continue
		}
		seen[ct.Email] = line
		imp.valid = append(imp.valid, ct)
	}
	return imp, nil
}

// delimiterOf guesses comma or semicolon from the header line, as
// spreadsheets in much of Europe write semicolons.
func delimiterOf(body []byte) rune {
	first, _, _ := bytes.Cut(body, []byte("\n"))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		return ';'
	}
	return ','
}

func rowInput(rec []string, cols map[string]int) contactInput {
	get := func(name string) *string {
		i, ok := cols[name]
		if !ok || i >= len(rec) {
			return nil
		}
		v := rec[i]
		return &v
	}
	in := contactInput{Name: get("name"), Email: get("email"), Title: get("title"), Institution: get("institution"),
		Region: get("region"), Country: get("country"), Language: get("language")}
	if tags := get("tags"); tags != nil {
		sep := ","
		if strings.Contains(*tags, "|") {
			sep = "|"
		}
		list := strings.Split(*tags, sep)
		in.Tags = &list
	}
	return in
}
