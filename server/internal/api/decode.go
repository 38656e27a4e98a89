package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/mail"
	"reflect"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// decode reads the JSON body into dst strictly: malformed JSON is a 400,
// an unknown field or a value of the wrong type a 422 naming the field.
func decode(c *fiber.Ctx, dst any) error {
	body := c.Body()
	if isEmptyBody(body) {
		return errBadRequest("the request needs a JSON body")
	}
	if err := checkKeys(body, reflect.TypeOf(dst)); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errBadRequest("the body must hold one JSON object")
	}
	return nil
}

func decodeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return errBadRequest("the body must be a JSON object")
		}
		return errValidation(field, "must be a "+jsonKind(typeErr.Type.Kind().String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return errValidation(field, "is not a known field")
	}
	return errBadRequest("the body is not valid JSON")
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "list"
	case "map", "struct", "ptr":
		return "object"
	}
	return "number"
}

// plainAddress reports whether s is one bare email address (no display
// name, no list), at most 254 characters: what staff, contacts and test
// sends are given as.
func plainAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && len(s) <= 254
}
