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
)

// httpError carries the status an error should be answered with.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &httpError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

func conflict(format string, args ...any) error {
	return &httpError{http.StatusConflict, fmt.Sprintf(format, args...)}
}

func unavailable(format string, args ...any) error {
	return &httpError{http.StatusServiceUnavailable, fmt.Sprintf(format, args...)}
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
	switch {
	case errors.As(err, &he):
		status, msg = he.status, he.msg
	case errors.Is(err, store.ErrNotFound), errors.As(err, &notFound):
		status, msg = http.StatusNotFound, err.Error()
	}
	if status >= 500 {
		h.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "status", status, "error", err)
	}
	// One line, always.
	msg = strings.Join(strings.Fields(msg), " ")
	writeJSON(w, status, api.Error{Error: msg})
}

func (h *handler) apiNotFound(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusNotFound, api.Error{Error: fmt.Sprintf("no API route %s %s", r.Method, r.URL.Path)})
}
