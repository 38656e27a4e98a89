package api

import (
	"net/http"
	"slices"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// answerUnknownMethods puts requests with a method Fiber does not know
// through the error handler: Fiber itself answers them with a bare
// text/plain 400, outside the error shape and without the strict headers.
func answerUnknownMethods(app *fiber.App) {
	next := app.Server().Handler
	app.Server().Handler = func(fctx *fasthttp.RequestCtx) {
		if slices.Contains(app.Config().RequestMethods, string(fctx.Method())) {
			next(fctx)
			return
		}
		c := app.AcquireCtx(fctx)
		defer app.ReleaseCtx(c)
		_ = app.Config().ErrorHandler(c, &Error{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed", Message: "this method is not allowed here"})
	}
}
