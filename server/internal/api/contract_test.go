package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/bnp/undersigned/server/internal/api"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// The contract is the OpenAPI document (server/internal/api/openapi.json).
// Every request a test sends through env.do and its answer are checked
// against it: an answer the document does not describe, a request the API
// accepts but the document refuses, or a route the document lacks, fails
// the test.
var contract struct {
	once   sync.Once
	doc    *openapi3.T
	router routers.Router
	err    error
}

func loadContract() (*openapi3.T, routers.Router, error) {
	contract.once.Do(func() {
		// Digest previews and exports answer HTML, text and CSV: read as text.
		for _, ct := range []string{"text/html", "text/csv"} {
			openapi3filter.RegisterBodyDecoder(ct, func(r io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
				b, err := io.ReadAll(r)
				return string(b), err
			})
		}
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(api.OpenAPI)
		if err != nil {
			contract.err = err
			return
		}
		if err := doc.Validate(context.Background()); err != nil {
			contract.err = err
			return
		}
		contract.doc = doc
		contract.router, contract.err = gorillamux.NewRouter(doc)
	})
	return contract.doc, contract.router, contract.err
}

// kin-openapi compiles a JSON Schema validator for every body it checks
// (two thirds of the contract check's cost in the suite), so JSON bodies
// are checked here against the document's schemas, each compiled once, by
// the JSON Schema 2020-12 validator kin-openapi itself uses for OpenAPI 3.1
// documents, formats asserted. The rest (routes, parameters, statuses,
// headers, other bodies) is kin-openapi's.
var bodySchemas struct {
	once     sync.Once
	compiler *jsonschema.Compiler
	known    map[string]bool // JSON pointers of the document that exist
	mu       sync.Mutex
	compiled map[string]*jsonschema.Schema
}

const contractURL = "https://undersigned.invalid/openapi.json"

// jsonBody returns the compiled schema at a JSON pointer of the document,
// if the body's header says JSON and the document has a JSON schema there.
func jsonBody(header http.Header, pointer string) *jsonschema.Schema {
	if mt, _, err := mime.ParseMediaType(header.Get("Content-Type")); err != nil || mt != "application/json" {
		return nil
	}
	b := &bodySchemas
	b.once.Do(func() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(api.OpenAPI))
		if err != nil {
			panic(err)
		}
		b.known = map[string]bool{}
		collectPointers(doc, "", b.known)
		b.compiler = jsonschema.NewCompiler()
		b.compiler.DefaultDraft(jsonschema.Draft2020)
		b.compiler.AssertFormat()
		if err := b.compiler.AddResource(contractURL, doc); err != nil {
			panic(err)
		}
		b.compiled = map[string]*jsonschema.Schema{}
	})
	if !b.known[pointer] {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if sch, ok := b.compiled[pointer]; ok {
		return sch
	}
	sch, err := b.compiler.Compile(contractURL + "#" + pointer)
	if err != nil {
		panic(fmt.Sprintf("openapi.json %s: %v", pointer, err))
	}
	b.compiled[pointer] = sch
	return sch
}

// collectPointers notes the JSON pointer of every object of a document
// (down to the schemas of request and response bodies).
func collectPointers(node any, at string, into map[string]bool) {
	if m, ok := node.(map[string]any); ok {
		into[at] = true
		for k, v := range m {
			collectPointers(v, at+"/"+pointerEscape(k), into)
		}
	}
}

func pointerEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// responseKey is the key of the document's responses that describes a
// status, as kin-openapi finds it: the status itself, its class (2XX), or
// "default".
func responseKey(route *routers.Route, status int) string {
	for _, code := range []string{strconv.Itoa(status), fmt.Sprintf("%dXX", status/100), "default"} {
		if route.Operation.Responses.Value(code) != nil {
			return code
		}
	}
	return ""
}

func validateJSON(sch *jsonschema.Schema, body []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("body: %w", err)
	}
	return sch.Validate(v)
}

// documented reports whether a path is the API's (not the SPA's pages).
func documented(path string) bool {
	return strings.HasPrefix(path, "/api/") || path == "/healthz" || path == "/readyz"
}

// checkContract validates one exchange; it reports through t.Errorf so that
// the test's own checks still run.
func checkContract(t testing.TB, method, target string, header http.Header, reqBody []byte, status int, resHeader http.Header, resBody []byte) {
	t.Helper()
	hr := httptest.NewRequest(method, target, bytes.NewReader(reqBody))
	if !documented(hr.URL.Path) {
		return
	}
	_, router, err := loadContract()
	if err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	hr.Header = header.Clone()
	route, params, err := router.FindRoute(hr)
	if err != nil {
		// Not a documented route: the API must agree that it is none.
		if status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
			t.Errorf("contract: %s %s is not in openapi.json but answered %d", method, hr.URL.Path, status)
		}
		return
	}
	// JSON bodies are checked against schemas compiled once (jsonBody);
	// kin-openapi checks the rest.
	op := "/paths/" + pointerEscape(route.Path) + "/" + strings.ToLower(method)
	reqSchema := jsonBody(header, op+"/requestBody/content/application~1json/schema")
	in := &openapi3filter.RequestValidationInput{Request: hr, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true,
			ExcludeRequestBody: reqSchema != nil}}
	err = openapi3filter.ValidateRequest(context.Background(), in)
	if err == nil && reqSchema != nil {
		err = validateJSON(reqSchema, reqBody)
	}
	if err != nil && status < 400 {
		t.Errorf("contract: the API accepted (%d) a request openapi.json refuses: %s %s: %v", status, method, hr.URL.Path, err)
	}
	var resSchema *jsonschema.Schema
	if code := responseKey(route, status); code != "" {
		resSchema = jsonBody(resHeader, op+"/responses/"+code+"/content/application~1json/schema")
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: resHeader,
		Body: io.NopCloser(bytes.NewReader(resBody)), Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true,
			ExcludeResponseBody: resSchema != nil}}
	err = openapi3filter.ValidateResponse(context.Background(), out)
	if err == nil && resSchema != nil {
		err = validateJSON(resSchema, resBody)
	}
	if err != nil {
		t.Errorf("contract: %s %s answered %d outside openapi.json: %v\nbody: %.600s", method, hr.URL.Path, status, err, resBody)
	}
	if status == http.StatusConflict || status == http.StatusUnauthorized {
		// Clients translate the reason; a 409 or 401 without one shows English.
		var e struct {
			Error struct{ Reason string } `json:"error"`
		}
		if json.Unmarshal(resBody, &e) != nil || e.Error.Reason == "" {
			t.Errorf("contract: %s %s answered %d without a reason: %.300s", method, hr.URL.Path, status, resBody)
		}
	}
}

func TestOpenAPIDocumentIsValidAndServed(t *testing.T) {
	t.Parallel()
	doc, _, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi = %q", doc.OpenAPI)
	}
	e := newEnv(t, storetest.New(t, storetest.SQLite), nil)
	r := e.get("/api/v1/openapi.json", "").wantStatus(t, 200)
	if !bytes.Equal(r.Body, api.OpenAPI) {
		t.Fatal("the served document is not the embedded one")
	}
}

// Every route of the routes table is in the document, and every operation
// of the document is a route: an endpoint added without its contract, or
// a contract left behind, fails here.
func TestEveryRouteIsDocumented(t *testing.T) {
	t.Parallel()
	doc, _, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, storetest.New(t, storetest.SQLite), nil)
	inApp := map[string]bool{}
	for _, r := range e.app.GetRoutes(true) {
		if !documented(r.Path) || r.Method == "HEAD" || strings.HasSuffix(r.Path, "*") || r.Path == "/api/v1" {
			continue
		}
		p := r.Path
		for _, name := range []string{"slug", "id"} {
			p = strings.ReplaceAll(p, ":"+name, "{"+name+"}")
		}
		inApp[r.Method+" "+p] = true
	}
	inDoc := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			inDoc[method+" "+path] = true
		}
	}
	for k := range inApp {
		if !inDoc[k] {
			t.Errorf("route %s is not in openapi.json", k)
		}
	}
	for k := range inDoc {
		if !inApp[k] {
			t.Errorf("openapi.json documents %s, which is no route", k)
		}
	}
}

// recorder notes contract failures instead of failing the test.
type recorder struct {
	testing.TB
	failed []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.failed = append(r.failed, fmt.Sprintf(format, args...))
}

// The checker itself: a drifting answer, an undocumented route and a
// request the document refuses are caught.
func TestContractCatchesDrift(t *testing.T) {
	t.Parallel()
	js := http.Header{"Content-Type": {"application/json"}}
	cases := []struct {
		name, method, path, body string
		status                   int
		answer                   string
	}{
		{"an answer with a field the document lacks", "GET", "/api/v1/campaigns", "", 200, `{"items":[],"total":0}`},
		{"an answer missing a field", "GET", "/healthz", "", 200, `{"status":"ok"}`},
		{"an error outside the shape", "GET", "/api/v1/campaigns", "", 500, `{"message":"boom"}`},
		{"an undocumented route that answers", "GET", "/api/v1/secret", "", 200, `{}`},
		{"a request the document refuses, accepted", "POST", "/api/v1/signatures/confirm", `{"token":1}`, 200, `{"status":"confirmed","campaign":"x"}`},
	}
	for _, tc := range cases {
		rec := &recorder{TB: t}
		checkContract(rec, tc.method, tc.path, js, []byte(tc.body), tc.status, js, []byte(tc.answer))
		if len(rec.failed) == 0 {
			t.Errorf("%s: not caught", tc.name)
		}
	}
	rec := &recorder{TB: t}
	checkContract(rec, "GET", "/healthz", js, nil, 200, js, []byte(`{"status":"ok","version":"1"}`))
	if len(rec.failed) > 0 {
		t.Errorf("a faithful answer was refused: %v", rec.failed)
	}
}
