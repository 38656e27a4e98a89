//go:build privacyatrest

package api_test

// atRestNames turns on the privacy-at-rest assertions about private names,
// which wait for the sealed work (see privacy_at_rest_test.go).
const atRestNames = true
