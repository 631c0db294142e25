package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/codecitoyen/suivi/internal/config"
	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/validate"
)

// Request limits. Every body is read through http.MaxBytesReader, so a
// caller cannot make the server hold more than this in memory; past the
// limit the answer is 413 and states it.
const (
	// MaxBody bounds every request body but an edition file's: a start
	// with 20 holders and 10 repositories, or an action with a 2,000
	// character note, is a few kilobytes.
	MaxBody = 64 << 10
	// MaxEditionBody is an edition file's limit (edition.MaxFileSize).
	MaxEditionBody = edition.MaxFileSize
)

// guard is the one gate every request passes before its handler:
//   - cross-origin protection on every state-changing route (a page of
//     another site cannot make a signed-in browser act on Suivi; the CLI and
//     mail clients' one-click POSTs send no Origin or Sec-Fetch-Site, and
//     pass);
//   - a bounded body;
//   - JSON routes take only application/json, so an HTML form or a
//     "simple" cross-site request (text/plain) can never reach them.
func (h *handler) guard(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.writeError(w, r, &httpError{status: http.StatusForbidden,
			msg: "cross-origin request refused: Suivi only accepts changes made from its own pages or from the API without a browser"})
	}))
	return cop.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Answers are what they say they are, for every route.
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if !h.knownHost(r.Host) {
			h.writeError(w, r, &httpError{status: http.StatusMisdirectedRequest,
				msg: "this Suivi does not answer to the host " + validate.Quote(r.Host) + "; reach it by its public address (SUIVI_PUBLIC_URL)"})
			return
		}
		// Every request ends: a Postgres that hangs answers 503, never a
		// page that waits forever. Actions wait up to 30 s for Temporal.
		ctx, cancel := context.WithTimeout(r.Context(), h.requestTimeout(r))
		defer cancel()
		r = r.WithContext(ctx)
		limit := int64(MaxBody)
		if r.URL.Path == "/api/v1/editions" {
			limit = MaxEditionBody
		}
		r.Body = bodyReader{http.MaxBytesReader(w, r.Body, limit)}
		if r.ContentLength > limit {
			h.writeError(w, r, tooLarge(limit))
			return
		}
		if err := checkContentType(r); err != nil {
			h.writeError(w, r, err)
			return
		}
		if err := checkForm(r); err != nil {
			h.writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	}))
}

// knownHost reports whether a request's Host is one this server answers
// to: any when Deps.Hosts is empty (tests), else loopback or a listed name.
// A DNS-rebinding page sends its own domain as Host, which is refused.
func (h *handler) knownHost(hostport string) bool {
	if len(h.Hosts) == 0 {
		return true
	}
	host := hostport
	if hh, _, err := net.SplitHostPort(hostport); err == nil {
		host = hh
	}
	host = strings.ToLower(strings.Trim(host, "[]"))
	return config.IsLoopback(host) || slices.Contains(h.Hosts, host)
}

// requestTimeout bounds a request: actions wait for their Update.
func (h *handler) requestTimeout(r *http.Request) time.Duration {
	if r.Method == http.MethodPost && strings.Contains(r.URL.Path, "/actions/") {
		return 40 * time.Second
	}
	if h.RequestTimeout > 0 {
		return h.RequestTimeout
	}
	return 15 * time.Second
}

// checkContentType refuses a body of the wrong type on the API's
// state-changing routes.
func checkContentType(r *http.Request) error {
	if !strings.HasPrefix(r.URL.Path, "/api/") || (r.Method != http.MethodPost && r.Method != http.MethodPut && r.Method != http.MethodPatch) {
		return nil
	}
	want := []string{"application/json"}
	if r.URL.Path == "/api/v1/editions" {
		want = []string{"application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"}
	}
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil {
		for _, w := range want {
			if mt == w {
				return nil
			}
		}
	}
	if ct == "" {
		ct = "none"
	}
	return &httpError{status: http.StatusUnsupportedMediaType,
		msg: fmt.Sprintf("Content-Type %s is not accepted here; send %s", validate.Quote(ct), want[0])}
}

// checkForm reads a posted form once for every page's handler, and refuses
// one that is not URL-encoded as browsers send it (a stray "%", a ";"):
// handlers that read fields one by one would otherwise take it for a form
// with fields missing, or answer 500. The body's own errors (too large,
// incomplete) keep their answers.
func checkForm(r *http.Request) error {
	if r.Method != http.MethodPost || strings.HasPrefix(r.URL.Path, "/api/") {
		return nil
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		return nil
	}
	err := r.ParseForm()
	var tooBig *http.MaxBytesError
	var he *httpError
	if err == nil || errors.As(err, &tooBig) || errors.As(err, &he) {
		return err
	}
	return badRequest("the form is not encoded as a browser sends it (a stray %% or ;); nothing was done: send it again from Suivi's page")
}

// tooLarge answers a body over its limit.
func tooLarge(limit int64) error {
	return &httpError{status: http.StatusRequestEntityTooLarge,
		msg: fmt.Sprintf("the request body is larger than the limit of %s; nothing was done", validate.ByteSize(limit))}
}

// bodyReader tells a body that stopped arriving (the client went away, or
// sent too slowly for the server's read timeout) from everything else: it
// is the caller's connection, not Postgres, and the answer is 408.
type bodyReader struct{ io.ReadCloser }

// errIncompleteBody is a body that did not arrive in full.
var errIncompleteBody = &httpError{status: http.StatusRequestTimeout,
	msg: "the request's body did not arrive in full (it stopped, or came too slowly); nothing was done: send it again"}

func (b bodyReader) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	var tooBig *http.MaxBytesError
	if err != nil && err != io.EOF && !errors.As(err, &tooBig) {
		return n, fmt.Errorf("%w (%v)", errIncompleteBody, err)
	}
	return n, err
}
