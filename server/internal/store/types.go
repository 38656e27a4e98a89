package store

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Audiences is the set of audiences a call addresses, stored as a sorted,
// comma-separated list that both databases can search with LIKE.
type Audiences []string

// Value stores the set sorted and comma-separated.
func (a Audiences) Value() (driver.Value, error) {
	s := append([]string(nil), a...)
	sort.Strings(s)
	return strings.Join(s, ","), nil
}

// Scan reads the comma-separated form.
func (a *Audiences) Scan(src any) error {
	s, err := scanText(src)
	if err != nil || s == "" {
		*a = Audiences{}
		return err
	}
	*a = strings.Split(s, ",")
	return nil
}

// Texts is a list of strings stored as a JSON array.
type Texts []string

// Value stores the list as JSON.
func (t Texts) Value() (driver.Value, error) {
	if t == nil {
		t = Texts{}
	}
	b, err := json.Marshal([]string(t))
	return string(b), err
}

// Scan reads the JSON array.
func (t *Texts) Scan(src any) error {
	s, err := scanText(src)
	if err != nil {
		return err
	}
	*t = Texts{}
	if s == "" {
		return nil
	}
	return json.Unmarshal([]byte(s), (*[]string)(t))
}

func scanText(src any) (string, error) {
	switch v := src.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case []byte:
		return string(v), nil
	}
	return "", fmt.Errorf("store: cannot scan %T as text", src)
}
