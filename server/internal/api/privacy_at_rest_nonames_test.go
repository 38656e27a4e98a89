//go:build !privacyatrest

package api_test

// atRestNames: see privacy_at_rest_names_test.go.
const atRestNames = false
