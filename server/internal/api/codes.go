package api

import (
	"fmt"
	"sort"
	"strings"
)

// A fieldError is why one field was refused: a stable machine code with
// its parameters, which clients translate ({"code": "too_long", "max": 100}),
// and an English message for clients that show the server's words.
type fieldError struct {
	Code    string
	Params  map[string]any
	Message string
}

// fieldCodes holds every code a field error can carry; each is declared
// once below with defineCode. TestEveryFieldCodeIsTranslated fails when a
// dictionary lacks one.
var fieldCodes = map[string][]string{}

// defineCode declares a code and the names of its parameters.
func defineCode(code string, params ...string) string {
	if _, dup := fieldCodes[code]; dup {
		panic("api: field code declared twice: " + code)
	}
	fieldCodes[code] = params
	return code
}

// FieldCodes lists every field error code with its parameter names, sorted:
// what the SPA's and the console's dictionaries must translate.
func FieldCodes() map[string][]string {
	out := make(map[string][]string, len(fieldCodes))
	for k, v := range fieldCodes {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// sortedCodes is FieldCodes' keys in order.
func sortedCodes() []string {
	out := make([]string, 0, len(fieldCodes))
	for k := range fieldCodes {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var (
	codeInvalid = defineCode("invalid") // any message without a code of its own (fieldErrors.add)

	codeRequired          = defineCode("required")
	codeTooLong           = defineCode("too_long", "max")
	codeLength            = defineCode("length", "min", "max")
	codeRange             = defineCode("out_of_range", "min", "max")
	codeTooMany           = defineCode("too_many", "max")
	codeOneOf             = defineCode("one_of", "values")
	codeInvalidUTF8       = defineCode("invalid_utf8")
	codeControlCharacters = defineCode("control_characters")
	codeInvalidEmail      = defineCode("invalid_email")
	codeInvalidCountry    = defineCode("invalid_country")
	codeInvalidLanguage   = defineCode("invalid_language")
	codeInvalidTimestamp  = defineCode("invalid_timestamp")
	codeInvalidDomain     = defineCode("invalid_domain")
	codeInvalidURL        = defineCode("invalid_url", "max")
	codeInvalidSlug       = defineCode("invalid_slug", "min", "max")
	codeReservedSlug      = defineCode("reserved_slug")
	codeTaken             = defineCode("taken")
	codeAfter             = defineCode("must_follow", "field")
	codeUnknownField      = defineCode("unknown_field")
	codeWrongType         = defineCode("wrong_type", "type")
	codeInvalidToken      = defineCode("invalid_token")
	codePowFailed         = defineCode("pow_failed")
	codeConsent           = defineCode("consent_required")
	codeInvalidRef        = defineCode("invalid_ref")
	codeInvalidTime       = defineCode("invalid_time")
	codeInvalidTimezone   = defineCode("invalid_timezone")
	codeInvalidCursor     = defineCode("invalid_cursor")
	codeAudienceRequired  = defineCode("audience_required")
	codeAudienceDistinct  = defineCode("audiences_distinct")
	codeDuplicate         = defineCode("duplicate")
	codeCallIDNew         = defineCode("call_id_new")
	codeCallIDUnknown     = defineCode("call_id_unknown")
	codeCallsRequired     = defineCode("calls_required")
	codeCallsUnknown      = defineCode("calls_unknown")
	codeTranslateAllCalls = defineCode("translate_all_calls", "count")
	codeTranslationLang   = defineCode("translation_language")
	codeHasTranslation    = defineCode("language_has_translation")
	codeTranslationsStale = defineCode("translations_stale")
	codeCampaigns         = defineCode("campaigns_count", "min", "max")
	codeUnknownCampaign   = defineCode("unknown_campaign")
	codeInvalidTag        = defineCode("invalid_tag", "max")
	codeAlreadyContact    = defineCode("already_contact")
	codeAlreadyAccount    = defineCode("already_account")
	codeNewSubscribed     = defineCode("new_contact_subscribed")
	codeResubscribeReason = defineCode("resubscribe_reason", "max")
	codeOneClick          = defineCode("one_click")
	codeCSVHeader         = defineCode("csv_header")
	codeDuplicateLine     = defineCode("duplicate_line", "line")
	codeNotOnCreate       = defineCode("not_on_create")
	codeUnchangeable      = defineCode("unchangeable")
	codeFilterRequired    = defineCode("filter_required")
	codeDryRunMismatch    = defineCode("dry_run_mismatch")
	codePassword          = defineCode("password_length", "min", "max")
)

// fe makes a field error: code, English message, parameters as name/value
// pairs in the order defineCode named them.
func fe(code, message string, values ...any) fieldError {
	names := fieldCodes[code]
	if len(values) != len(names) {
		panic(fmt.Sprintf("api: field code %s takes %v, given %d values", code, names, len(values)))
	}
	e := fieldError{Code: code, Message: message}
	if len(names) > 0 {
		e.Params = map[string]any{}
		for i, n := range names {
			e.Params[n] = values[i]
		}
	}
	return e
}

func errRequired() fieldError { return fe(codeRequired, "is required") }
func errTooLong(max int) fieldError {
	return fe(codeTooLong, fmt.Sprintf("must be at most %d characters", max), max)
}
func errLength(min, max int) fieldError {
	return fe(codeLength, fmt.Sprintf("must be %d to %d characters of printable text", min, max), min, max)
}
func errRange(min, max int64) fieldError {
	return fe(codeRange, fmt.Sprintf("must be from %d to %d", min, max), min, max)
}
func errOneOf(values ...string) fieldError {
	list := strings.Join(values, ", ")
	return fe(codeOneOf, "must be one of "+list, list)
}
func errEmail() fieldError { return fe(codeInvalidEmail, "must be a valid email address") }
func errCountry() fieldError {
	return fe(codeInvalidCountry, "must be a two-letter country code (ISO 3166-1), such as BY")
}
func errLanguage() fieldError {
	return fe(codeInvalidLanguage, "must be a language code such as en, be or ru")
}
func errTimestamp() fieldError {
	return fe(codeInvalidTimestamp, "must be a time in RFC 3339 form, such as 2026-03-25T09:00:00Z")
}
func errDomain() fieldError { return fe(codeInvalidDomain, "must be a domain such as example.org") }

// set records e for field unless the field already has an error.
func (f fieldErrors) set(field string, e fieldError) {
	if _, taken := f[field]; !taken {
		f[field] = e
	}
}

// messages are the English messages by field, the shape older clients read.
func (f fieldErrors) messages() map[string]string {
	out := make(map[string]string, len(f))
	for k, e := range f {
		out[k] = e.Message
	}
	return out
}

// codes are the machine codes by field: {"code": "too_long", "max": 100}.
func (f fieldErrors) codes() map[string]map[string]any {
	out := make(map[string]map[string]any, len(f))
	for k, e := range f {
		m := map[string]any{"code": e.Code}
		for n, v := range e.Params {
			m[n] = v
		}
		out[k] = m
	}
	return out
}

// errField is a 422 for one field with a coded reason.
func errField(field string, e fieldError) *Error {
	f := fieldErrors{}
	f.set(field, e)
	return f.err().(*Error)
}
