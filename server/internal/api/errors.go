package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"github.com/google/uuid"

	"github.com/bnp/undersigned/server/internal/store"
)

// Error is an API error in the one shape of docs/design.md and openapi.json. Handlers return it;
// the ErrorHandler writes it.
type Error struct {
	Status int    `json:"-"`
	Code   string `json:"code"`
	// Reason says which refusal of its class this is, as a stable code
	// for clients to translate (reasons.go): every 409 and 401 has one.
	Reason  string            `json:"reason,omitempty"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	// Codes gives each field's reason as a stable code with its
	// parameters ({"name": {"code": "too_long", "max": 100}}), for clients
	// to translate; Fields keeps the English message for those that show it.
	Codes map[string]map[string]any `json:"codes,omitempty"`
	// RetryAfter is sent as the Retry-After header with a 429.
	RetryAfter time.Duration `json:"-"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func errBadRequest(msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: "bad_request", Message: msg}
}

func errForbidden() *Error {
	return &Error{Status: http.StatusForbidden, Code: "forbidden", Message: "your role does not allow this"}
}

func errNotFound(what string) *Error {
	return &Error{Status: http.StatusNotFound, Code: "not_found", Message: what + " not found"}
}

func errTooLarge() *Error {
	return &Error{Status: http.StatusRequestEntityTooLarge, Code: "too_large", Message: "the request body is too large"}
}

func errUnsupportedMedia() *Error {
	return &Error{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type", Message: "send the body as application/json"}
}

func errRateLimited(wait time.Duration) *Error {
	return &Error{Status: http.StatusTooManyRequests, Code: "rate_limited", Message: "too many requests; try again later", RetryAfter: wait}
}

func errUnavailable() *Error {
	return &Error{Status: http.StatusServiceUnavailable, Code: "unavailable", Message: "the service is unavailable; try again shortly"}
}

// errBusy asks a client to come back shortly: the service is past its
// capacity for this kind of request.
func errBusy() *Error {
	return &Error{Status: http.StatusServiceUnavailable, Code: "unavailable", Message: "too many requests at this moment; try again in a few seconds", RetryAfter: time.Second}
}

// fieldErrors collects validation failures by field name.
type fieldErrors map[string]fieldError

// add records an English message without a code of its own (code
// "invalid"); prefer set with a coded error, which clients can translate.
func (f fieldErrors) add(field, msg string) {
	f.set(field, fieldError{Code: codeInvalid, Message: msg})
}

// err returns nil when no field failed, else a 422 naming every field.
func (f fieldErrors) err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Status: http.StatusUnprocessableEntity, Code: "validation_failed", Message: "some fields are not valid",
		Fields: f.messages(), Codes: f.codes()}
}

// errValidation is a 422 for one field with an uncoded message; prefer
// errField.
func errValidation(field, msg string) *Error {
	f := fieldErrors{}
	f.add(field, msg)
	return f.err().(*Error)
}

// errorHandler turns every error a handler returns into the one JSON shape.
// Unknown errors become a 500 (or a 503 when the database is down) that
// tells nothing of the internals; the log line has the error and the
// request id, never personal data.
func errorHandler(st *store.Store, https bool) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		if c.GetRespHeader(fiber.HeaderXRequestID) == "" {
			// fasthttp refused the request (body too large, malformed) before
			// any middleware ran: this answer still gets an id and the headers.
			id := uuid.NewString()
			c.Locals(requestid.ConfigDefault.ContextKey, id)
			c.Set(fiber.HeaderXRequestID, id)
			setSecurityHeaders(c, https)
		}
		apiErr := classify(c, st, err)
		if apiErr.RetryAfter > 0 {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int((apiErr.RetryAfter+time.Second-1)/time.Second)))
		}
		return c.Status(apiErr.Status).JSON(fiber.Map{"error": apiErr})
	}
}

func classify(c *fiber.Ctx, st *store.Store, err error) *Error {
	var apiErr *Error
	var fiberErr *fiber.Error
	switch {
	case errors.As(err, &apiErr):
		return apiErr
	case errors.As(err, &fiberErr):
		return fromFiber(fiberErr)
	case errors.Is(err, store.ErrNotFound):
		return errNotFound("resource")
	case errors.Is(err, store.ErrConflict):
		return errConflict(reasonExists, "it conflicts with an existing resource")
	case errors.Is(err, store.ErrBusy):
		return errBusy()
	}
	reqID := requestID(c)
	if pingErr := st.Ping(context.Background()); pingErr != nil {
		slog.Error("database unavailable", "request_id", reqID, "route", routeOf(c), "err", err)
		return errUnavailable()
	}
	slog.Error("internal error", "request_id", reqID, "route", routeOf(c), "err", err)
	return &Error{Status: http.StatusInternalServerError, Code: "internal", Message: "something went wrong on our side (request " + reqID + ")"}
}

func fromFiber(e *fiber.Error) *Error {
	switch e.Code {
	case http.StatusNotFound:
		return errNotFound("route")
	case http.StatusMethodNotAllowed:
		return &Error{Status: e.Code, Code: "method_not_allowed", Message: "this method is not allowed here"}
	case http.StatusRequestEntityTooLarge:
		return errTooLarge()
	case http.StatusUnsupportedMediaType:
		return errUnsupportedMedia()
	case http.StatusBadRequest:
		return errBadRequest("the request is malformed")
	case http.StatusRequestTimeout:
		return &Error{Status: e.Code, Code: "timeout", Message: "the request took too long"}
	case http.StatusRequestHeaderFieldsTooLarge:
		return &Error{Status: e.Code, Code: "too_large", Message: "the request headers are too large"}
	}
	if e.Code >= 500 {
		return &Error{Status: http.StatusInternalServerError, Code: "internal", Message: "something went wrong on our side"}
	}
	return errBadRequest("the request is malformed")
}
