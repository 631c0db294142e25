// Package web is Suivi's HTTP server: the JSON API under /api/v1, /healthz,
// and later the pages. Handlers are small methods on one handler struct and
// return early through the response helpers.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"go.temporal.io/sdk/client"

	"github.com/codecitoyen/suivi/internal/mail"
	"github.com/codecitoyen/suivi/internal/store"
)

// Check reports whether one dependency is ready; nil means ready.
type Check struct {
	Name string
	Func func(ctx context.Context) error
}

// Deps are what the handlers need.
type Deps struct {
	Temporal client.Client
	Store    *store.Store
	Logger   *slog.Logger
	// Checks decide /healthz: every one must pass for a 200.
	Checks []Check
	// Now is the clock; nil means time.Now. Tests set it.
	Now func() time.Time
	// Tokens check the signed links in emails (preferences).
	Tokens mail.Tokens
	// MailDir, when set, holds the .eml files shown at /dev/mail.
	MailDir string
	// Hosts, when set, are the Host names the server answers to, besides
	// loopback names and addresses (config.Hosts); others get 421.
	Hosts []string
	// RequestTimeout bounds every request but actions (which wait up to
	// 40 s for their Update); zero means 15 s.
	RequestTimeout time.Duration
	// SecureCookies marks the session cookie Secure: set when people reach
	// Suivi over https (SUIVI_PUBLIC_URL).
	SecureCookies bool
}

type handler struct {
	Deps
	// Sessions are the browsers' signed-in sessions.
	Sessions *scs.SessionManager
	// reports bounds how many reports are built at once (each reads a
	// month of history and may take a second or more).
	reports chan struct{}
	// decoded keeps decoded editions by file, for pages and starts.
	decoded *decodedEditions
}

// ReportsAtOnce is how many reports one server builds at the same time;
// others wait their turn within the request's time limit.
const ReportsAtOnce = 2

// Route is one route of the web server. Public routes answer anyone (the
// handler still decides what each person sees); the others need someone
// signed in, then ask auth.Can. Tests iterate Routes.
type Route struct {
	Pattern string
	Public  bool
}

type route struct {
	Route
	handle http.HandlerFunc
}

// routes is every route, once; NewHandler, Routes and the tests read it.
func (h *handler) routes() []route {
	pub := func(p string, f http.HandlerFunc) route { return route{Route{p, true}, f} }
	in := func(p string, f http.HandlerFunc) route { return route{Route{p, false}, f} }
	return []route{
		pub("GET /{$}", h.index),
		pub("GET /healthz", h.health),
		pub("GET /signin", h.signinPage),
		pub("POST /signin", h.signinRequest),
		pub("GET /signin/confirm", h.confirmPage),
		pub("POST /signin/confirm", h.confirm),
		in("POST /signout", h.signout),
		in("POST /signout/everywhere", h.signoutEverywhere),
		pub("GET /prefs", h.prefs),
		pub("POST /prefs", h.prefsSave),
		pub("GET /prefs/unsubscribe", h.unsubscribePage),
		pub("POST /prefs/unsubscribe", h.unsubscribe),
		pub("GET /dev/mail", h.devMailList),
		pub("GET /dev/mail/{name}", h.devMailShow),
		in("GET /programs/{edition}/{project}", h.programPage),
		pub("GET /static/{file}", h.staticFile),
		pub("GET /lang/{lang}", h.setLang),
		pub("GET /board", h.board),
		pub("GET /call/{edition}", h.callPage),
		pub("POST /call/{edition}", h.callApply(newIPLimiter(CallsPerIP, CallWindow, callLimiterSize))),
		pub("GET /call/{edition}/received", h.callReceived),
		pub("GET /calendar/{file}", h.calendarFeed),
		in("GET /dashboard", h.dashboard),
		in("GET /dashboard/preview", h.preview),
		in("POST /programs/{edition}/{project}/actions/{action}", h.pageAction),
		in("GET /jury", h.jury),
		in("GET /me", h.mePage),
		in("GET /funders", h.fundersPage),
		in("POST /funders", h.fundersAdd),
		in("GET /funders/{slug}", h.funderPage),
		in("GET /funders/{slug}/reports/{month}", h.funderReport),
		in("GET /editions/{edition}/report", h.editionReportPage),
		in("GET /settings", h.settings),
		in("POST /settings/email", h.settingsEmail),
		in("POST /settings/tokens", h.settingsTokenCreate),
		in("POST /settings/tokens/{id}/revoke", h.settingsTokenRevoke),
		in("POST /settings/calendar", h.settingsFeed),
		in("POST /settings/calendar/revoke", h.settingsFeedRevoke),

		pub("GET /api/v1/openapi.json", h.openapi),
		pub("POST /api/v1/signin", h.apiSignin),
		pub("POST /api/v1/tokens/exchange", h.tokenExchange),
		in("GET /api/v1/me", h.me),
		in("GET /api/v1/tokens", h.tokenList),
		in("POST /api/v1/tokens", h.tokenCreate),
		in("POST /api/v1/tokens/{id}/revoke", h.tokenRevoke),
		in("GET /api/v1/users", h.userList),
		in("POST /api/v1/users", h.userAdd),
		in("POST /api/v1/users/remove", h.userRemove),
		in("POST /api/v1/programs", h.programStart),
		in("GET /api/v1/programs", h.programList),
		in("GET /api/v1/programs/{edition}/{project}", h.programGet),
		in("POST /api/v1/programs/{edition}/{project}/actions/{action}", h.programAction),
		in("GET /api/v1/programs/{edition}/{project}/activity", h.repoActivity),
		in("POST /api/v1/programs/{edition}/{project}/forget", h.programForget),
		in("POST /api/v1/programs/{edition}/{project}/funders", h.fund),
		in("POST /api/v1/programs/{edition}/{project}/funders/remove", h.unfund),
		in("POST /api/v1/programs/{edition}/{project}/public", h.setPublic),
		in("POST /api/v1/editions", h.editionApply),
		in("GET /api/v1/editions/{id}", h.editionGet),
		in("GET /api/v1/funders", h.funderList),
		in("POST /api/v1/funders", h.funderAdd),
		in("GET /api/v1/funders/{slug}", h.funderGet),
		in("PUT /api/v1/funders/{slug}", h.funderSet),
		in("GET /api/v1/funders/{slug}/reports/{month}", h.funderReport),
		in("GET /api/v1/editions/{edition}/report", h.editionReport),
		in("GET /api/v1/people/{email}", h.personGet),
		in("PUT /api/v1/people/{email}", h.personSet),
	}
}

// Routes lists the web server's routes, in the order they are declared.
func Routes() []Route {
	var out []Route
	for _, r := range (&handler{}).routes() {
		out = append(out, r.Route)
	}
	return out
}

// NewHandler returns the routes of the web server, each behind the gate
// (guard) and the identification of who asks (identify).
func NewHandler(d Deps) http.Handler {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	h := &handler{Deps: d, reports: make(chan struct{}, ReportsAtOnce), decoded: newDecodedEditions()}
	if d.Store != nil {
		h.Sessions = newSessions(d.Store, d.SecureCookies)
		// scs would log with the standard logger and answer a bare 500:
		// a session store out of reach is Postgres out of reach, a 503.
		h.Sessions.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) { h.writeError(w, r, err) }
	}
	mux := http.NewServeMux()
	for _, rt := range h.routes() {
		f := rt.handle
		if !rt.Public {
			f = h.signedIn(f)
		}
		mux.HandleFunc(rt.Pattern, f)
	}
	mux.HandleFunc("/api/", h.apiNotFound)
	mux.HandleFunc("/", h.notFoundPage)
	var next http.Handler = mux
	if h.Sessions != nil {
		next = h.identify(mux)
	}
	return h.logRequests(h.guard(next))
}

// NewServer returns an http.Server with timeouts suited to a JSON API.
func NewServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
}

func (h *handler) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		// Path only: query strings carry sign-in secrets; and a calendar
		// feed's path is its secret.
		h.Logger.Debug("http", "method", r.Method, "path", logPath(r.URL.Path), "status", rec.status, "duration", time.Since(start))
	})
}

// logPath is a request's path as the log may show it.
func logPath(p string) string {
	if strings.HasPrefix(p, "/calendar/") {
		return "/calendar/(secret).ics"
	}
	return p
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}
