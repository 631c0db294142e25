package web

import (
	"context"
	"encoding/hex"
	"errors"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/validate"
	"github.com/codecitoyen/suivi/worker"
)

// Sign-in limits.
const (
	// LinkLifetime is how long a sign-in link works (once).
	LinkLifetime = 15 * time.Minute
	// LinksPerAddress and LinksPerIP bound the requests for a link within
	// LinkWindow: beyond, no email goes out (for an address) or the answer
	// is 429 (for an IP), so Suivi cannot be used to flood a mailbox.
	LinksPerAddress = 5
	LinksPerIP      = 30
	LinkWindow      = 15 * time.Minute
)

var signinTemplate = template.Must(template.ParseFS(templateFS, "templates/signin.html"))

type signinText struct {
	Title, Email, Send, Sent, Confirm, ConfirmButton, Invalid, CLI, Again string
}

var signinTexts = map[string]signinText{
	"fr": {Title: "Se connecter à Suivi", Email: "Adresse e-mail", Send: "Recevoir un lien de connexion",
		Sent:          "Si cette adresse est connue de Suivi, un lien de connexion vient d’y être envoyé. Il sert une fois et expire dans 15 minutes.",
		Confirm:       "Vous allez vous connecter à Suivi en tant que",
		ConfirmButton: "Me connecter", Invalid: "Ce lien n’est plus valable : il a déjà servi, il a expiré (15 minutes) ou il est incomplet.",
		CLI: "Pour connecter la ligne de commande plutôt que ce navigateur, collez l’adresse de cette page dans suivi login.", Again: "Demander un nouveau lien"},
	"en": {Title: "Sign in to Suivi", Email: "Email address", Send: "Email me a sign-in link",
		Sent:          "If Suivi knows this address, a sign-in link has just been sent to it. It works once and expires in 15 minutes.",
		Confirm:       "You are about to sign in to Suivi as",
		ConfirmButton: "Sign me in", Invalid: "This link no longer works: it was used, it expired (15 minutes), or it is incomplete.",
		CLI: "To sign in the command line instead of this browser, paste this page's address into suivi login.", Again: "Ask for a new link"},
}

func (h *handler) renderSignin(w http.ResponseWriter, r *http.Request, status int, data map[string]any) {
	l := lang(r)
	data["Lang"], data["T"] = l, signinTexts[l]
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", l)
	// The confirm page's address holds a secret: never sent on as Referer,
	// never kept in a cache.
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = signinTemplate.Execute(w, data)
}

// signinPage asks for an address.
func (h *handler) signinPage(w http.ResponseWriter, r *http.Request) {
	h.renderSignin(w, r, http.StatusOK, map[string]any{"Step": "ask", "Next": safeNext(r.URL.Query().Get("next"))})
}

// signinRequest sends a link; the answer is the same whether the address
// is known or not.
func (h *handler) signinRequest(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.PostFormValue("next"))
	if err := h.requestLink(r.Context(), r.PostFormValue("email"), clientIP(r), next); err != nil {
		h.writeError(w, r, err)
		return
	}
	h.renderSignin(w, r, http.StatusOK, map[string]any{"Step": "sent"})
}

// apiSignin is the same for the CLI (`suivi login`).
func (h *handler) apiSignin(w http.ResponseWriter, r *http.Request) {
	var req api.SigninRequest
	if err := decodeJSON(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := h.requestLink(r.Context(), req.Email, clientIP(r), "/"); err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, api.SigninSent{Message: "if Suivi knows " + req.Email + ", a sign-in link was sent to it; it works once, for 15 minutes"})
}

// requestLink emails a sign-in link to a known address, within the limits.
// An unknown address, or one over its limit, gets nothing, silently.
func (h *handler) requestLink(ctx context.Context, raw, ip, next string) error {
	email, err := validate.Email(raw)
	if err != nil {
		return badRequest("%v", err)
	}
	email = strings.ToLower(email)
	now := h.now()
	forEmail, fromIP, err := h.Store.RecordSigninRequest(ctx, email, ip, now, LinkWindow)
	if err != nil {
		return err
	}
	if fromIP > LinksPerIP {
		return &httpError{status: http.StatusTooManyRequests, msg: "too many sign-in requests from your network; try again in 15 minutes"}
	}
	if forEmail > LinksPerAddress {
		h.Logger.Warn("sign-in link not sent: too many requests for the address", "requests", forEmail)
		return nil
	}
	known, err := h.Store.Known(ctx, email)
	if err != nil || !known {
		return err
	}
	secret, hash := auth.NewSecret(auth.LinkPrefix)
	if err := h.Store.CreateMagicLink(ctx, hash, email, next, now.Add(LinkLifetime)); err != nil {
		return err
	}
	msg := store.Message{Key: "login|" + hex.EncodeToString(hash[:8]), Kind: "login-link", Recipient: email,
		Payload: map[string]string{"path": "/signin/confirm?t=" + url.QueryEscape(secret)}}
	if _, err := h.Store.Enqueue(ctx, []store.Message{msg}); err != nil {
		return err
	}
	if h.Temporal != nil {
		if err := worker.WakeOutbox(ctx, h.Temporal); err != nil {
			// The dispatcher also looks every minute.
			h.Logger.Warn("cannot wake the outbox for a sign-in link", "error", err)
		}
	}
	return nil
}

// confirmPage is where the emailed link leads: mail scanners fetch links,
// so a GET never signs in; it shows a button whose POST does.
func (h *handler) confirmPage(w http.ResponseWriter, r *http.Request) {
	secret := r.URL.Query().Get("t")
	ok, email := false, ""
	if auth.LooksLike(secret, auth.LinkPrefix) {
		var err error
		if email, ok, err = h.Store.MagicLinkFor(r.Context(), auth.Hash(secret), h.now()); err != nil {
			h.writeError(w, r, err)
			return
		}
	}
	if !ok {
		h.renderSignin(w, r, http.StatusNotFound, map[string]any{"Step": "invalid"})
		return
	}
	h.renderSignin(w, r, http.StatusOK, map[string]any{"Step": "confirm", "Secret": secret, "Email": email})
}

// confirm uses the link once and begins a session with a new token (the
// cookie a visitor may have had before is not the one that signs in:
// no session fixation).
func (h *handler) confirm(w http.ResponseWriter, r *http.Request) {
	secret := r.PostFormValue("t")
	if !auth.LooksLike(secret, auth.LinkPrefix) {
		h.renderSignin(w, r, http.StatusNotFound, map[string]any{"Step": "invalid"})
		return
	}
	email, next, err := h.Store.ConsumeMagicLink(r.Context(), auth.Hash(secret), h.now())
	if errors.Is(err, store.ErrLinkInvalid) {
		h.renderSignin(w, r, http.StatusNotFound, map[string]any{"Step": "invalid"})
		return
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	epoch, err := h.Store.SessionEpoch(r.Context(), email)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := h.Sessions.RenewToken(r.Context()); err != nil {
		h.writeError(w, r, err)
		return
	}
	h.Sessions.Put(r.Context(), "email", email)
	h.Sessions.Put(r.Context(), "epoch", epoch)
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
}

// signout ends this browser's session.
func (h *handler) signout(w http.ResponseWriter, r *http.Request) {
	if err := h.Sessions.Destroy(r.Context()); err != nil {
		h.writeError(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// signoutEverywhere ends every session of the viewer, in every browser.
func (h *handler) signoutEverywhere(w http.ResponseWriter, r *http.Request) {
	if _, err := h.Store.SignOutEverywhere(r.Context(), viewer(r).Email); err != nil {
		h.writeError(w, r, err)
		return
	}
	_ = h.Sessions.Destroy(r.Context())
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// tokenExchange turns a sign-in link into an API token, for `suivi login`:
// the link (its secret, or the whole address pasted) is used once.
func (h *handler) tokenExchange(w http.ResponseWriter, r *http.Request) {
	var req api.TokenExchange
	if err := decodeJSON(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	secret := req.Link
	if u, err := url.Parse(req.Link); err == nil && u.Query().Get("t") != "" {
		secret = u.Query().Get("t")
	}
	name, err := validate.Text("name", req.Name, false, 80)
	if err != nil {
		h.writeError(w, r, badRequest("%v", err))
		return
	}
	if name == "" {
		name = "suivi login"
	}
	if !auth.LooksLike(secret, auth.LinkPrefix) {
		h.writeError(w, r, badRequest("that is not a sign-in link from a Suivi email; ask for one with `suivi login --email ADDRESS`"))
		return
	}
	email, _, err := h.Store.ConsumeMagicLink(r.Context(), auth.Hash(secret), h.now())
	if errors.Is(err, store.ErrLinkInvalid) {
		h.writeError(w, r, &httpError{status: http.StatusUnauthorized, msg: err.Error()})
		return
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	token, hash := auth.NewSecret(auth.TokenPrefix)
	t, err := h.Store.CreateToken(r.Context(), email, name, hash)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, api.NewToken{Token: token, Info: t})
}

// safeNext keeps a redirect on this site: a path, never //host or a URL.
func safeNext(next string) string {
	// Browsers read \ as /, and http.Redirect cleans the path (path.Clean
	// makes /./\evil.example into /\evil.example): no backslash at all, and
	// the cleaned form must stay a path too.
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\t\r\n") || len(next) > 512 {
		return "/"
	}
	if u, err := url.Parse(next); err != nil || u.Host != "" || u.Scheme != "" || strings.HasPrefix(path.Clean(u.Path), "//") {
		return "/"
	}
	return next
}

// clientIP is the peer's address. Behind a reverse proxy every request
// comes from the proxy: the per-IP limit then bounds the whole site, which
// errs on the safe side.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
