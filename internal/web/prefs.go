package web

import (
	"net/http"
	"net/url"

	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/validate"
)

// prefs shows, from a signed link in an email, what a person receives and
// lets them change it without logging in.
func (h *handler) prefs(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("t")
	email, err := h.signedEmail(token)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.prefsPage(w, r, email, token, false)
}

func (h *handler) prefsSave(w http.ResponseWriter, r *http.Request) {
	token := r.PostFormValue("t")
	email, err := h.signedEmail(token)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	p := store.Person{Email: email, Locale: r.PostFormValue("locale"), Reminders: r.PostFormValue("reminders")}
	if err := checkPerson(p); err != nil {
		h.writeError(w, r, err)
		return
	}
	if _, err := h.Store.SetPerson(r.Context(), p); err != nil {
		h.writeError(w, r, err)
		return
	}
	h.prefsPage(w, r, email, token, true)
}

// signedEmail returns the address a link's token was signed for; a bad or
// forged token is a 403.
func (h *handler) signedEmail(token string) (string, error) {
	email, err := h.Tokens.Verify(token)
	if err != nil {
		return "", &httpError{status: http.StatusForbidden, msg: err.Error()}
	}
	return email, nil
}

// prefsPage shows the preferences of email, whose token the form carries.
func (h *handler) prefsPage(w http.ResponseWriter, r *http.Request, email, token string, saved bool) {
	p, err := h.Store.GetPerson(r.Context(), email)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	l := p.Locale
	if r.Header.Get("Accept-Language") != "" && !saved {
		l = lang(r)
	}
	if l != "en" {
		l = "fr"
	}
	v := h.page(r, tr(l, "prefs.title"), map[string]any{"Email": email, "Token": token, "Person": p, "Saved": saved})
	// The page's address holds the signed token: no switch link repeats
	// it; the language is the person's own choice below.
	v.Lang, v.OtherLang, v.NoLangSwitch = l, otherLang(l), true
	v.Nav = navFor(l, viewer(r), r.URL.Path)
	h.render(w, r, http.StatusOK, "prefs", v)
}

// unsubscribe is RFC 8058's one-click unsubscribe: mail clients POST to the
// List-Unsubscribe address; the person keeps only escalations.
func (h *handler) unsubscribe(w http.ResponseWriter, r *http.Request) {
	email, err := h.signedEmail(r.URL.Query().Get("t"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if _, err := h.Store.SetPerson(r.Context(), store.Person{Email: email, Reminders: "escalations"}); err != nil {
		h.writeError(w, r, err)
		return
	}
	if r.PostFormValue("confirm") == "page" {
		// A person who opened the link and pressed the button: show them
		// where they now stand, and how to change it back.
		h.prefsPage(w, r, email, r.URL.Query().Get("t"), true)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("Désinscrit des rappels / unsubscribed from reminders\n"))
}

// unsubscribePage answers a GET (or HEAD) of the List-Unsubscribe link:
// people open it in a browser and scanners fetch it, so it changes nothing
// and asks for a button press, which POSTs (RFC 8058 §3.2).
func (h *handler) unsubscribePage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("t")
	email, err := h.signedEmail(token)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	l := lang(r)
	v := h.page(r, tr(l, "unsub.title"), map[string]any{"Email": email, "Action": "/prefs/unsubscribe?t=" + url.QueryEscape(token),
		"Prefs": "/prefs?t=" + url.QueryEscape(token)})
	v.NoLangSwitch = true
	h.render(w, r, http.StatusOK, "unsubscribe", v)
}

func checkPerson(p store.Person) error {
	if p.Locale != "" && p.Locale != "fr" && p.Locale != "en" {
		return badRequest("locale %s: say fr or en", validate.Quote(p.Locale))
	}
	if p.Reminders != "" && p.Reminders != "all" && p.Reminders != "digest" && p.Reminders != "escalations" {
		return badRequest("reminders %s: say all, digest or escalations", validate.Quote(p.Reminders))
	}
	return nil
}
