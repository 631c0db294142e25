package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"go.temporal.io/api/serviceerror"

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/report"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/validate"
)

// httpError carries the status an error should be answered with.
type httpError struct {
	status int
	msg    string
	// list holds every problem when there are several.
	list []string
	// cause is logged, never shown: it may name hosts or queries.
	cause error
}

func (e *httpError) Error() string { return e.msg }
func (e *httpError) Unwrap() error { return e.cause }

func badRequest(format string, args ...any) error {
	return &httpError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...)}
}

// programPath reads the program of a URL's {edition}/{project}; a bad one
// is a 400.
func programPath(r *http.Request) (edition, project string, err error) {
	edition, project, err = validate.ProgramKey(r.PathValue("edition") + "/" + r.PathValue("project"))
	if err != nil {
		return "", "", badRequest("%v", err)
	}
	return edition, project, nil
}

func conflict(format string, args ...any) error {
	return &httpError{status: http.StatusConflict, msg: fmt.Sprintf(format, args...)}
}

func unavailable(format string, args ...any) error {
	return &httpError{status: http.StatusServiceUnavailable, msg: fmt.Sprintf(format, args...)}
}

// noProgram is the one answer for a program that does not exist (or, later,
// that the caller may not see).
func noProgram(edition, project string) error {
	return &httpError{status: http.StatusNotFound, msg: "no program " + edition + "/" + project + "; see `suivi program list`"}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	// Compact: a list of 1,000 programs is a quarter lighter, and
	// encoding it much faster, than indented (the CLI prints its own).
	_ = json.NewEncoder(w).Encode(v)
}

// classify is the one place errors become HTTP statuses and the words a
// person reads: Postgres or Temporal out of reach is a 503 everywhere, a
// body over its limit a 413, a missing row a 404; anything else is a 500
// whose details only the log sees.
func classify(err error) (status int, msg string, list []string) {
	var he *httpError
	var tooBig *http.MaxBytesError
	var notFound *serviceerror.NotFound
	var tUnavailable *serviceerror.Unavailable
	var tDeadline *serviceerror.DeadlineExceeded
	switch {
	case errors.As(err, &he):
		return he.status, he.msg, he.list
	case errors.As(err, &tooBig):
		return http.StatusRequestEntityTooLarge, tooLarge(tooBig.Limit).Error(), nil
	case store.Unavailable(err):
		return http.StatusServiceUnavailable, "Postgres is unavailable; nothing was done, try again in a moment", nil
	case errors.As(err, &tUnavailable), errors.As(err, &tDeadline):
		return http.StatusServiceUnavailable, "Temporal is unavailable; nothing was done, try again in a moment", nil
	case errors.Is(err, store.ErrFunderExists):
		return http.StatusConflict, "this funder exists already; change it with `suivi funder set` (PUT /api/v1/funders/{slug})", nil
	case errors.Is(err, store.ErrUnknownFunder):
		return http.StatusBadRequest, "no such funder; add it first with `suivi funder add SLUG --name NAME --contact EMAIL`", nil
	case errors.Is(err, report.ErrMonthNotOver):
		return http.StatusBadRequest, strings.TrimPrefix(err.Error(), report.ErrMonthNotOver.Error()+": "), nil
	case errors.Is(err, store.ErrNotFound), errors.As(err, &notFound):
		return http.StatusNotFound, "not found", nil
	}
	return http.StatusInternalServerError, "internal error; the server log has the details", nil
}

// writeError answers err: JSON on the API, an HTML page elsewhere, one line
// always.
func (h *handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, msg, list := classify(err)
	if status >= 500 {
		h.Logger.Error("request failed", "method", r.Method, "path", logPath(r.URL.Path), "status", status, "error", err)
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	msg = strings.Join(strings.Fields(msg), " ")
	if !wantsJSON(r) {
		writeErrorPage(w, r, status, msg, list)
		return
	}
	writeJSON(w, status, api.Error{Error: msg, Errors: list})
}

// wantsJSON tells API calls from pages a browser shows.
func wantsJSON(r *http.Request) bool {
	p := r.URL.Path
	return strings.HasPrefix(p, "/api/") || p == "/healthz" || p == "/prefs/unsubscribe"
}

var errorTemplate = template.Must(template.ParseFS(templateFS, "templates/error.html"))

// errorTitles are the page headings, per language, of each status a page
// can answer.
var errorTitles = map[string]map[int]string{
	"fr": {400: "Demande incorrecte", 403: "Accès refusé", 404: "Page introuvable", 413: "Envoi trop volumineux",
		415: "Format non accepté", 503: "Service momentanément indisponible", 500: "Erreur interne"},
	"en": {400: "Bad request", 403: "Forbidden", 404: "Not found", 413: "Too large",
		415: "Unsupported format", 503: "Temporarily unavailable", 500: "Internal error"},
}

var errorHints = map[string]map[int]string{
	"fr": {503: "Réessayez dans quelques instants.", 404: "Vérifiez l’adresse, ou revenez à l’accueil."},
	"en": {503: "Please try again in a moment.", 404: "Check the address, or go back to the home page."},
}

func writeErrorPage(w http.ResponseWriter, r *http.Request, status int, msg string, list []string) {
	l := lang(r)
	title := errorTitles[l][status]
	if title == "" {
		title = http.StatusText(status)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", l)
	w.WriteHeader(status)
	_ = errorTemplate.Execute(w, map[string]any{"Lang": l, "Status": status, "Title": title, "Detail": msg, "List": list, "Hint": errorHints[l][status]})
}

func (h *handler) apiNotFound(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusNotFound, api.Error{Error: fmt.Sprintf("no API route %s %s", r.Method, validate.Quote(r.URL.Path))})
}

// notFoundPage answers every path no route knows.
func (h *handler) notFoundPage(w http.ResponseWriter, r *http.Request) {
	h.writeError(w, r, &httpError{status: http.StatusNotFound, msg: "no page at " + validate.Quote(r.URL.Path)})
}
