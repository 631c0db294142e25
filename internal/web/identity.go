package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/store"
)

// Session lifetimes: a session unused for IdleTimeout, or older than
// SessionLifetime, must sign in again.
const (
	IdleTimeout     = 12 * time.Hour
	SessionLifetime = 14 * 24 * time.Hour
)

// newSessions configures web sessions: in Postgres (so any serve process
// knows them), the token hashed at rest, HttpOnly, SameSite=Lax, Secure
// when people reach Suivi over https.
func newSessions(st *store.Store, secure bool) *scs.SessionManager {
	sm := scs.New()
	sm.Store = store.Sessions{Store: st}
	sm.IdleTimeout, sm.Lifetime = IdleTimeout, SessionLifetime
	sm.HashTokenInStore = true
	sm.Cookie.Name = "suivi_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = secure
	sm.Cookie.Path = "/"
	return sm
}

type personKey struct{}

// viewer is who is signed in on this request, or nil.
func viewer(r *http.Request) *auth.Person {
	p, _ := r.Context().Value(personKey{}).(*auth.Person)
	return p
}

// viaToken reports whether the request authenticated with an API token
// (rather than a browser session).
type viaTokenKey struct{}

// identify finds who makes the request: an API token (Authorization:
// Bearer), else the web session. A token that is not valid is refused at
// once (401); no credentials at all is the public, and routes decide.
func (h *handler) identify(next http.Handler) http.Handler {
	load := h.Sessions.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if authz := r.Header.Get("Authorization"); authz != "" {
			// The scheme is case-insensitive (RFC 9110, 11.1).
			scheme, secret, ok := strings.Cut(authz, " ")
			ok = ok && strings.EqualFold(scheme, "Bearer")
			if !ok || !auth.LooksLike(strings.TrimSpace(secret), auth.TokenPrefix) {
				h.writeError(w, r, unauthorized("the Authorization header is not \"Bearer suivi_…\"; create a token with `suivi token create` or sign in with `suivi login`"))
				return
			}
			p, err := h.Store.TokenPerson(ctx, auth.Hash(strings.TrimSpace(secret)), h.now())
			if errors.Is(err, store.ErrNotFound) {
				h.writeError(w, r, unauthorized("this token is unknown or revoked; create another with `suivi token create`"))
				return
			}
			if err != nil {
				h.writeError(w, r, err)
				return
			}
			ctx = context.WithValue(context.WithValue(ctx, personKey{}, p), viaTokenKey{}, true)
			next.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		if email := h.Sessions.GetString(ctx, "email"); email != "" {
			p, epoch, err := h.Store.SessionPerson(ctx, email)
			if err != nil {
				h.writeError(w, r, err)
				return
			}
			if h.Sessions.GetInt(ctx, "epoch") != epoch {
				// Signed out everywhere since this session began.
				_ = h.Sessions.Destroy(ctx)
			} else {
				ctx = context.WithValue(ctx, personKey{}, p)
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	}))
	// The session read is remembered, so that an unchanged session is not
	// written back on every request (store.WithSessionMemo).
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		load.ServeHTTP(w, r.WithContext(store.WithSessionMemo(r.Context())))
	})
}

func unauthorized(msg string) error {
	return &httpError{status: http.StatusUnauthorized, msg: msg}
}

// signedIn wraps a route that needs someone signed in: the API answers 401,
// a page sends the browser to sign in and back. The route itself then asks
// auth.Can for what it does.
func (h *handler) signedIn(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if viewer(r) != nil {
			next(w, r)
			return
		}
		if wantsJSON(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="suivi"`)
			h.writeError(w, r, unauthorized("sign in first: send Authorization: Bearer TOKEN (`suivi login`, or SUIVI_TOKEN)"))
			return
		}
		http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
	}
}

// allow answers whether the viewer may do a (on no particular program);
// when not, it writes the refusal: 404 for a page or route whose very
// existence is theirs to know only with the right (a hint is a leak).
func (h *handler) allow(w http.ResponseWriter, r *http.Request, a auth.Action) bool {
	if auth.Can(viewer(r), a, nil) {
		return true
	}
	h.writeError(w, r, &httpError{status: http.StatusNotFound, msg: "not found"})
	return false
}

// program loads a program for action a by the viewer: a program they may
// not view is "no program" (404), exactly as one that does not exist; one
// they may view but not act on is 403.
func (h *handler) program(w http.ResponseWriter, r *http.Request, edition, project string, a auth.Action) (store.Program, *auth.Program, bool) {
	p, err := h.Store.ProgramRow(r.Context(), edition, project)
	if errors.Is(err, store.ErrNotFound) {
		h.writeError(w, r, noProgram(edition, project))
		return store.Program{}, nil, false
	}
	if err != nil {
		h.writeError(w, r, err)
		return store.Program{}, nil, false
	}
	ap, err := h.authProgram(r.Context(), p)
	if err != nil {
		h.writeError(w, r, err)
		return store.Program{}, nil, false
	}
	if !h.decide(w, r, ap, a) {
		return store.Program{}, nil, false
	}
	return p, ap, true
}

// decide answers for a program one found: 404 to someone who may not see
// it (as if it were absent), 403 to someone who sees it but may not do a.
func (h *handler) decide(w http.ResponseWriter, r *http.Request, ap *auth.Program, a auth.Action) bool {
	who := viewer(r)
	if !auth.Can(who, auth.ViewProgram, ap) {
		h.writeError(w, r, noProgram(ap.Edition, ap.Project))
		return false
	}
	if a != auth.ViewProgram && !auth.Can(who, a, ap) {
		h.writeError(w, r, &httpError{status: http.StatusForbidden, msg: "you may see this program but not " + actionWords(a) + "; ask a coordinator"})
		return false
	}
	return true
}

// access is h.program for routes that need only the decision, not the
// program's row: one light read (store.ProgramAccess), the same answers.
func (h *handler) access(w http.ResponseWriter, r *http.Request, edition, project string, a auth.Action) (*auth.Program, bool) {
	ap, err := h.Store.ProgramAccess(r.Context(), edition, project)
	if errors.Is(err, store.ErrNotFound) {
		h.writeError(w, r, noProgram(edition, project))
		return nil, false
	}
	if err != nil {
		h.writeError(w, r, err)
		return nil, false
	}
	return ap, h.decide(w, r, ap, a)
}

// authProgram is what a decision needs of a program read from Postgres.
func (h *handler) authProgram(ctx context.Context, p store.Program) (*auth.Program, error) {
	funders, err := h.Store.ProgramFunders(ctx, p.Edition, p.Project)
	if err != nil {
		return nil, err
	}
	return &auth.Program{Edition: p.Edition, Project: p.Project, City: p.City, Phase: p.Phase,
		Holders: p.Holders, Mentors: p.Mentors, Funders: funders}, nil
}

// actionWords says an action in a refusal.
func actionWords(a auth.Action) string {
	verb, obj, _ := strings.Cut(string(a), ".")
	if obj == "" {
		return verb
	}
	return obj + " (" + verb + ")"
}
