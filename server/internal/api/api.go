// Package api is undersigned's HTTP interface: one table of routes, thin
// handlers (parse, validate, store, respond) and one error handler.
package api

import (
	"io/fs"
	"net/http"
	"time"

	"github.com/ansrivas/fiberprometheus/v2"
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/bnp/undersigned/mailers"
	"github.com/bnp/undersigned/server/internal/auth"
	"github.com/bnp/undersigned/server/internal/config"
	"github.com/bnp/undersigned/server/internal/digest"
	"github.com/bnp/undersigned/server/internal/formtoken"
	"github.com/bnp/undersigned/server/internal/intake"
	"github.com/bnp/undersigned/server/internal/pow"
	"github.com/bnp/undersigned/server/internal/privacy"
	"github.com/bnp/undersigned/server/internal/ratelimit"
	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/translog"
	"github.com/bnp/undersigned/server/internal/web"
)

// The bodies routes take, declared per route below. The server reads at
// most maxBodyLimit before routing; each route then holds to its own.
const (
	jsonBodyLimit = 64 << 10
	csvBodyLimit  = 5 << 20
	maxBodyLimit  = csvBodyLimit
)

var (
	jsonBody = accepts(jsonBodyLimit, fiber.MIMEApplicationJSON)
	csvBody  = accepts(csvBodyLimit, "text/csv")
	// unsubscribeBody also takes the form body mail clients post for
	// one-click unsubscribe (RFC 8058).
	unsubscribeBody = accepts(1<<10, fiber.MIMEApplicationJSON, fiber.MIMEApplicationForm, fiber.MIMEMultipartForm)
)

// Deps is everything the handlers use.
type Deps struct {
	Config  config.Config
	Store   *store.Store
	Tokens  *auth.Tokens
	Limiter *ratelimit.Limiter
	Keys    privacy.Keys
	// Coalition seals signers' kept data to SEAL_RECIPIENTS (built from
	// the config when nil).
	Coalition *privacy.Coalition
	// Hasher hashes addresses with each campaign's own key (built from
	// Keys and Store when nil).
	Hasher *privacy.CampaignHasher
	// SPA is the built frontend; nil serves the API alone.
	SPA fs.FS
	// Catalog renders email, for digest previews.
	Catalog *mailers.Catalog
	// Digests composes and starts digests (nil: one on Store with
	// Config's PUBLIC_URL, Keys and Catalog).
	Digests *digest.Service
	// Pow checks the proof of work of public forms.
	Pow *pow.Service
	// Mail is told when mail was queued, to send it at once.
	Mail Notifier
	// Forms issues and checks the server-rendered forms' tokens; nil: one
	// signed with a key derived from Keys, spent in Store.
	Forms *formtoken.Service
	// Intake accepts signing requests; its worker runs beside the server.
	Intake *intake.Worker
	// Version is reported by /healthz.
	Version string
	// CacheTTL is how stale public counts and pages may be (0: not cached).
	CacheTTL time.Duration
	// Log signs and checks the transparency logs; nil serves no /log.
	Log *translog.Keys
	// Metrics collects the HTTP metrics; serve it on its own listener
	// (METRICS_ADDR), never on the public one. Nil: a new one.
	Metrics *Metrics
}

// Metrics is the HTTP metrics of one app, served with the process's
// default registry (the mail queue's metrics, the Go and process
// collectors) by Handler.
type Metrics struct{ registry *prometheus.Registry }

// NewMetrics returns an empty set of HTTP metrics.
func NewMetrics() *Metrics { return &Metrics{registry: prometheus.NewRegistry()} }

// Handler serves the metrics in the Prometheus text formats. It is not on
// the app: live per-route counts (confirmations, withdrawals, exports,
// failed logins) are nobody's business on the public listener.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(prometheus.Gatherers{m.registry, prometheus.DefaultGatherer}, promhttp.HandlerOpts{EnableOpenMetrics: true})
}

// Notifier wakes the mail queue's workers.
type Notifier interface{ Wake() }

type noNotifier struct{}

func (noNotifier) Wake() {}

type server struct {
	Deps
	secureCookies bool
	cache         *ttlCache
	proxies       proxies
	salts         *ipSalts
	// Pages renders the server-rendered public pages.
	Pages *web.Renderer
}

// New returns the Fiber app with every route of undersigned.
func New(d Deps) *fiber.App {
	if d.Mail == nil {
		d.Mail = noNotifier{}
	}
	if d.Metrics == nil {
		d.Metrics = NewMetrics()
	}
	if d.Coalition == nil {
		coalition, err := privacy.NewCoalition(d.Config.SealRecipients)
		if err != nil {
			panic("api: SEAL_RECIPIENTS was validated by config: " + err.Error())
		}
		d.Coalition = coalition
	}
	if d.Hasher == nil {
		d.Hasher = &privacy.CampaignHasher{Keys: d.Keys, Store: d.Store}
	}
	if d.Digests == nil {
		d.Digests = &digest.Service{Store: d.Store, PublicURL: d.Config.PublicURL.String(), Keys: d.Keys, Catalog: d.Catalog}
	}
	s := &server{Deps: d, secureCookies: d.Config.PublicURL.Scheme == "https", cache: newTTLCache(d.CacheTTL),
		proxies: newProxies(d.Config.TrustedProxies), salts: &ipSalts{store: d.Store}}
	pages, err := web.New(d.SPA)
	if err != nil {
		panic(err) // the templates and dictionaries are embedded: a failure is a bug caught by any test
	}
	s.Pages = pages
	if s.Forms == nil {
		if s.Forms, err = formtoken.New(d.Keys.Derive("form"), d.Store.SpendOnce); err != nil {
			panic(err) // a derived key is always long enough
		}
	}
	cfg := fiber.Config{
		AppName:               "undersigned",
		BodyLimit:             maxBodyLimit,
		ErrorHandler:          lingerOnTooLarge(errorHandler(d.Store, s.secureCookies)),
		DisableStartupMessage: true,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
	}
	if len(d.Config.TrustedProxies) > 0 {
		// Only the trusted proxies' X-Forwarded-Proto and Host are believed.
		// The client address is not Fiber's: it would take the whole raw
		// X-Forwarded-For header, which the client writes the start of
		// (see clientAddr).
		cfg.EnableTrustedProxyCheck = true
		cfg.TrustedProxies = d.Config.TrustedProxies
	}
	app := fiber.New(cfg)
	answerUnknownMethods(app)

	// The metrics middleware sits outside accessLog, which has already turned
	// a handler's error into its answer: so it counts the status the client
	// got, not a 500 for every returned error. The metrics are served by
	// Metrics.Handler on a listener of their own.
	prom := fiberprometheus.NewWithRegistry(d.Metrics.registry, "undersigned", "http", "", nil)
	app.Use(requestIDs(), prom.Middleware, accessLog(), recoverPanics(), securityHeaders(s.secureCookies), refuseNonUTF8(), s.onionLocation())

	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)

	// The transparency logs (issue 15): see tlog.go.
	app.Get("/log/key", s.logKey)
	app.Get("/log/:slug/checkpoint", s.logCheckpoint)
	app.Get("/log/:slug/tile/*", s.logTile)
	app.Post("/log/:slug/cosignature", s.logCosignature)

	v1 := app.Group("/api/v1", noStore(), refuseNUL())

	// Public.
	v1.Get("/openapi.json", s.openAPI)
	v1.Get("/campaigns", s.listCampaigns)
	v1.Get("/campaigns/:slug", s.getCampaign)
	v1.Get("/campaigns/:slug/stats", s.campaignStats)
	v1.Get("/campaigns/:slug/signers", s.listSigners)
	v1.Post("/campaigns/:slug/signatures", jsonBody, s.sign)
	v1.Post("/signatures/confirm", jsonBody, s.confirmSignature)
	v1.Post("/signatures/withdraw", jsonBody, s.withdrawSignature)
	v1.Get("/campaigns/:slug/endorsements", s.listEndorsements)
	v1.Post("/campaigns/:slug/endorsements", jsonBody, s.endorse)
	v1.Post("/endorsements/confirm", jsonBody, s.confirmEndorsement)
	v1.Get("/pow", s.powChallenge)
	v1.Get("/site", s.site)
	v1.Post("/contacts/unsubscribe", unsubscribeBody, s.unsubscribe)
	v1.Get("/contacts/unsubscribe", s.unsubscribeLink)

	// Staff sessions.
	v1.Post("/auth/login", jsonBody, s.login)
	v1.Post("/auth/refresh", jsonBody, s.refresh)
	v1.Post("/auth/logout", jsonBody, s.logout)
	v1.Get("/auth/me", s.staff(store.RoleViewer), s.me)
	v1.Post("/auth/password-reset", jsonBody, s.requestPasswordReset)
	v1.Post("/auth/password-reset/confirm", jsonBody, s.confirmPasswordReset)

	// Staff: campaigns (editor).
	editor := s.staff(store.RoleEditor)
	v1.Get("/admin/campaigns", editor, s.adminListCampaigns)
	v1.Post("/admin/campaigns", jsonBody, editor, s.createCampaign)
	v1.Get("/admin/campaigns/:slug", editor, s.adminGetCampaign)
	v1.Patch("/admin/campaigns/:slug", jsonBody, editor, s.updateCampaign)
	v1.Delete("/admin/campaigns/:slug", editor, s.deleteCampaign)
	v1.Post("/admin/campaigns/preview", jsonBody, editor, s.previewCampaignBody)

	// Staff: officials and digests (editor).
	v1.Get("/admin/contacts", editor, s.listContacts)
	v1.Post("/admin/contacts", jsonBody, editor, s.createContact)
	v1.Post("/admin/contacts/import", csvBody, editor, s.importContacts)
	v1.Patch("/admin/contacts/:id", jsonBody, editor, s.updateContact)
	v1.Delete("/admin/contacts/:id", editor, s.deleteContact)
	v1.Delete("/admin/contacts/:id/bounce", editor, s.clearContactBounce)
	v1.Get("/admin/digests", editor, s.listDigests)
	v1.Post("/admin/digests", jsonBody, editor, s.createDigest)
	v1.Get("/admin/digests/:id", editor, s.getDigest)
	v1.Get("/admin/digests/:id/preview", s.editorOrSignedPreview(), s.previewDigest)
	v1.Post("/admin/digests/:id/preview-link", jsonBody, editor, s.previewLink)
	v1.Post("/admin/digests/:id/test", jsonBody, editor, s.testDigest)
	v1.Post("/admin/digests/:id/send", jsonBody, editor, s.sendDigest)
	v1.Post("/admin/digests/:id/cancel", jsonBody, editor, s.cancelDigest)
	v1.Get("/admin/campaigns/:slug/updates", editor, s.listUpdates)
	v1.Post("/admin/campaigns/:slug/updates", jsonBody, editor, s.createUpdate)
	v1.Get("/admin/campaigns/:slug/updates/:id", editor, s.getUpdate)
	v1.Patch("/admin/campaigns/:slug/updates/:id", jsonBody, editor, s.patchUpdate)
	v1.Get("/admin/campaigns/:slug/updates/:id/preview", editor, s.previewUpdate)
	v1.Post("/admin/campaigns/:slug/updates/:id/test", jsonBody, editor, s.testUpdate)
	v1.Post("/admin/campaigns/:slug/updates/:id/send", jsonBody, editor, s.sendUpdate)
	v1.Get("/admin/schedules", editor, s.listSchedules)
	v1.Post("/admin/schedules", jsonBody, editor, s.createSchedule)
	v1.Patch("/admin/schedules/:id", jsonBody, editor, s.updateSchedule)
	v1.Delete("/admin/schedules/:id", editor, s.deleteSchedule)

	// Staff: a campaign's dashboards (viewer, and moderator for the surge view).
	v1.Get("/admin/campaigns/:slug/dashboard", s.staff(store.RoleViewer), s.dashboard)
	v1.Get("/admin/campaigns/:slug/surge", s.staff(store.RoleModerator), s.surge)

	// Staff: accounts and the audit log (admin).
	admin := s.staff(store.RoleAdmin)
	v1.Get("/admin/users", admin, s.listUsers)
	v1.Post("/admin/users", jsonBody, admin, s.createUser)
	v1.Patch("/admin/users/:id", jsonBody, admin, s.updateUser)
	v1.Get("/admin/audit", admin, s.listAudit)
	v1.Get("/admin/outbox", admin, s.listOutbox)
	v1.Get("/admin/outbox/status", admin, s.outboxStatus)

	// Staff: signatures, their exports and invalidations (admin).
	v1.Get("/admin/campaigns/:slug/signatures", admin, s.adminListSignatures)
	v1.Get("/admin/campaigns/:slug/signatures.csv", admin, s.exportSignatures)
	v1.Post("/admin/campaigns/:slug/signatures.csv", jsonBody, admin, s.exportSignaturesOpened)
	v1.Post("/admin/campaigns/:slug/invalidations", jsonBody, admin, s.invalidateSignatures)
	v1.Get("/admin/campaigns/:slug/endorsements.csv", admin, s.exportEndorsements)

	// Staff: the endorsements' review queue (moderator).
	moderator := s.staff(store.RoleModerator)
	v1.Get("/admin/endorsements", moderator, s.adminListEndorsements)
	v1.Patch("/admin/endorsements/:id", jsonBody, moderator, s.updateEndorsement)
	v1.Post("/admin/endorsements/:id/approve", jsonBody, moderator, s.approveEndorsement)
	v1.Post("/admin/endorsements/:id/reject", jsonBody, moderator, s.rejectEndorsement)
	v1.Post("/admin/endorsements/:id/revoke", jsonBody, moderator, s.revokeEndorsement)

	v1.Use(func(c *fiber.Ctx) error { return errNotFound("route") })

	// Public pages, rendered on the server in the reader's language, with
	// plain forms that work without JavaScript (pages*.go); the SPA takes
	// them over where JavaScript runs. A plain form's post takes a form
	// body (form) from a page of ours (sameSite).
	zip, form, pe, sameSite := compress.New(), formBodies(), s.pageErrors(), s.sameSitePost
	app.Get("/", zip, pe, s.homePage)
	app.Get("/privacy", zip, pe, s.privacyPage)
	app.Get("/c/:slug", zip, pe, s.campaignPage)
	app.Post("/c/:slug", zip, form, pe, sameSite, s.signFormPost)
	app.Get("/c/:slug/share.png", s.shareImage)
	app.Get("/c/:slug/endorse", zip, pe, s.endorsePage)
	app.Post("/c/:slug/endorse", zip, form, pe, sameSite, s.endorseFormPost)
	app.Get("/confirm/:token", zip, pe, s.tokenPage("confirm"))
	app.Post("/confirm/:token", zip, form, pe, sameSite, s.tokenPost("confirm"))
	app.Get("/withdraw/:token", zip, pe, s.tokenPage("withdraw"))
	app.Post("/withdraw/:token", zip, form, pe, sameSite, s.tokenPost("withdraw"))
	app.Get("/unsubscribe/:token", zip, pe, s.tokenPage("unsubscribe"))
	app.Post("/unsubscribe/:token", zip, form, pe, sameSite, s.tokenPost("unsubscribe"))
	app.Get("/endorse/confirm/:token", zip, pe, s.tokenPage("endorse-confirm"))
	app.Post("/endorse/confirm/:token", zip, form, pe, sameSite, s.tokenPost("endorse-confirm"))

	if d.SPA != nil {
		app.Use(compress.New(), spaHandler(d.SPA))
	}
	return app
}
