// Package web is Suivi's HTTP server: the JSON API under /api/v1, /healthz,
// and later the pages. Handlers are small methods on one handler struct and
// return early through the response helpers.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

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
	// RecordWait bounds how long a start waits for the worker to project
	// the new program into Postgres before answering.
	RecordWait time.Duration
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
}

type handler struct{ Deps }

// NewHandler returns the routes of the web server.
func NewHandler(d Deps) http.Handler {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	h := &handler{d}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", h.index)
	mux.HandleFunc("GET /healthz", h.health)
	mux.HandleFunc("POST /api/v1/programs", h.programStart)
	mux.HandleFunc("GET /api/v1/programs", h.programList)
	mux.HandleFunc("GET /api/v1/programs/{edition}/{project}", h.programGet)
	mux.HandleFunc("POST /api/v1/programs/{edition}/{project}/actions/{action}", h.programAction)
	mux.HandleFunc("GET /api/v1/programs/{edition}/{project}/activity", h.repoActivity)
	mux.HandleFunc("POST /api/v1/programs/{edition}/{project}/forget", h.programForget)
	mux.HandleFunc("POST /api/v1/editions", h.editionApply)
	mux.HandleFunc("GET /api/v1/editions/{id}", h.editionGet)
	mux.HandleFunc("GET /api/v1/people/{email}", h.personGet)
	mux.HandleFunc("PUT /api/v1/people/{email}", h.personSet)
	mux.HandleFunc("GET /programs/{edition}/{project}", h.programPage)
	mux.HandleFunc("GET /prefs", h.prefs)
	mux.HandleFunc("POST /prefs", h.prefsSave)
	mux.HandleFunc("POST /prefs/unsubscribe", h.unsubscribe)
	mux.HandleFunc("GET /dev/mail", h.devMailList)
	mux.HandleFunc("GET /dev/mail/{name}", h.devMailShow)
	mux.HandleFunc("/api/", h.apiNotFound)
	mux.HandleFunc("/", h.notFoundPage)
	return h.logRequests(h.guard(mux))
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
		// Path only: query strings may one day carry tokens.
		h.Logger.Debug("http", "method", r.Method, "path", r.URL.Path, "status", rec.status, "duration", time.Since(start))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}
