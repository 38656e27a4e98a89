// Package countries says which countries a signer or an organisation can
// name: the ISO 3166-1 alpha-2 codes plus XK (Kosovo has no ISO code yet,
// but the European Commission among others uses XK, and Kosovars sign
// petitions too). The list and the names are CLDR's, from the locale
// package, the same data the SPA offers.
package countries

import "github.com/bnp/undersigned/locale"

var english = locale.For("en")

// Valid reports whether code is an assigned ISO 3166-1 alpha-2 code (or XK).
// Codes are upper case, as stored: "by" is not valid, so that one country
// never appears under two spellings in counts and breakdowns.
func Valid(code string) bool { return english.Country(code) != "" }

// Name returns the English name for code, or "" for an unknown code.
func Name(code string) string { return english.Country(code) }
