package api

import "testing"

func TestJSONHasNUL(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]bool{
		`{"title":"a\u0000b"}`:         true,
		`{"title":"\u0000"}`:           true,
		`{"title":"a\\u0000b"}`:        false, // an escaped backslash, then text
		`{"title":"a\\\u0000b"}`:       true,
		`{"title":"a\\\\u0000b"}`:      false,
		`{"title":"plain"}`:            false,
		`{"a":"\\u0000","b":"\u0000"}`: true,
	} {
		if got := jsonHasNUL([]byte(body)); got != want {
			t.Errorf("jsonHasNUL(%s) = %v, want %v", body, got, want)
		}
	}
}
