package api

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// checkKeys walks a JSON body beside the Go type it will be decoded into
// and refuses what encoding/json lets through: a key that matches a field
// only in another letter case, a key given twice (the last one would win,
// so `"consent":false,"Consent":true` could sign), an empty key, and an
// unknown key anywhere, named by its full path ("calls[0].priority").
// Values that do not fit the type are left to the decoder's own errors.
func checkKeys(body []byte, t reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	return walkValue(dec, t, "")
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

func walkValue(dec *json.Decoder, t reflect.Type, path string) error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	tok, err := dec.Token()
	if err != nil {
		return errBadRequest("the body is not valid JSON")
	}
	delim, isDelim := tok.(json.Delim)
	if !isDelim {
		return nil
	}
	custom := t == nil || reflect.PointerTo(t).Implements(unmarshalerType) || t.Kind() == reflect.Interface
	switch {
	case delim == '{' && !custom && t.Kind() == reflect.Struct:
		return walkObject(dec, path, func(key string) (reflect.Type, bool) {
			ft, ok := fieldsOf(t)[key]
			return ft, ok
		})
	case delim == '{' && !custom && t.Kind() == reflect.Map:
		return walkObject(dec, path, func(string) (reflect.Type, bool) { return t.Elem(), true })
	case delim == '[' && !custom && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array):
		for i := 0; dec.More(); i++ {
			if err := walkValue(dec, t.Elem(), path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
		_, err := dec.Token()
		return jsonErr(err)
	}
	// A type the body does not fit, or one that reads itself: skip the
	// value and let the decoder judge it.
	return skipRest(dec)
}

func walkObject(dec *json.Decoder, path string, field func(string) (reflect.Type, bool)) error {
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return errBadRequest("the body is not valid JSON")
		}
		key, _ := tok.(string)
		name := key
		if path != "" {
			name = path + "." + key
		}
		switch ft, known := field(key); {
		case key == "":
			return errBadRequest("the body names a member with an empty name")
		case seen[key]:
			return errValidation(name, "is given more than once")
		case !known:
			return errValidation(name, "is not a known field")
		default:
			seen[key] = true
			if err := walkValue(dec, ft, name); err != nil {
				return err
			}
		}
	}
	_, err := dec.Token()
	return jsonErr(err)
}

// skipRest consumes the rest of an object or array whose opening delimiter
// was just read.
func skipRest(dec *json.Decoder) error {
	depth := 1
	for depth > 0 {
		tok, err := dec.Token()
		if err != nil {
			return errBadRequest("the body is not valid JSON")
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
	}
	return nil
}

func jsonErr(err error) error {
	if err != nil {
		return errBadRequest("the body is not valid JSON")
	}
	return nil
}

var fieldCache sync.Map // reflect.Type → map[string]reflect.Type

func fieldsOf(t reflect.Type) map[string]reflect.Type {
	if f, ok := fieldCache.Load(t); ok {
		return f.(map[string]reflect.Type)
	}
	f := jsonFields(t)
	fieldCache.Store(t, f)
	return f
}

// jsonFields maps a struct's exact JSON names to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range jsonFields(ft) {
					fields[k] = v
				}
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = f.Type
	}
	return fields
}
