package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"go.temporal.io/api/serviceerror"

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/validate"
)

// httpError carries the status an error should be answered with.
type httpError struct {
	status int
	msg    string
	// list holds every problem when there are several.
	list []string
}

func (e *httpError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &httpError{http.StatusBadRequest, fmt.Sprintf(format, args...), nil}
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
	return &httpError{http.StatusConflict, fmt.Sprintf(format, args...), nil}
}

func unavailable(format string, args ...any) error {
	return &httpError{http.StatusServiceUnavailable, fmt.Sprintf(format, args...), nil}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// writeError is the one place errors become HTTP statuses.
func (h *handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	msg := "internal error; the server log has the details"
	var he *httpError
	var notFound *serviceerror.NotFound
	var list []string
	switch {
	case errors.As(err, &he):
		status, msg, list = he.status, he.msg, he.list
	case errors.Is(err, store.ErrNotFound), errors.As(err, &notFound):
		status, msg = http.StatusNotFound, err.Error()
	}
	if status >= 500 {
		h.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "status", status, "error", err)
	}
	// One line, always.
	msg = strings.Join(strings.Fields(msg), " ")
	writeJSON(w, status, api.Error{Error: msg, Errors: list})
}

func (h *handler) apiNotFound(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusNotFound, api.Error{Error: fmt.Sprintf("no API route %s %s", r.Method, r.URL.Path)})
}
