package web

import (
	"net/http"

	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/store"
)

type settingsData struct {
	Person    store.Person
	Tokens    []store.Token
	Live      int
	MaxTokens int
	// NewToken and FeedURL are secrets shown once, in the answer to the
	// POST that made them: never in an address, a log or the session.
	NewToken     string
	NewTokenName string
	HasFeed      bool
	FeedURL      string
	// TokenError says what is wrong with the name typed for a token.
	TokenError string
	TokenName  string
}

// settings is a person's own account: email settings, API tokens, the
// private calendar feed and signing out everywhere (auth.OwnAccount).
func (h *handler) settings(w http.ResponseWriter, r *http.Request) {
	if !h.allow(w, r, auth.OwnAccount) {
		return
	}
	h.renderSettings(w, r, http.StatusOK, settingsData{})
}

func (h *handler) renderSettings(w http.ResponseWriter, r *http.Request, status int, d settingsData) {
	ctx := r.Context()
	email := viewer(r).Email
	var err error
	if d.Person, err = h.Store.GetPerson(ctx, email); err != nil {
		h.writeError(w, r, err)
		return
	}
	if d.Tokens, err = h.Store.Tokens(ctx, email); err != nil {
		h.writeError(w, r, err)
		return
	}
	for _, t := range d.Tokens {
		if t.RevokedAt.IsZero() {
			d.Live++
		}
	}
	d.MaxTokens = MaxTokens
	if d.HasFeed, err = h.Store.HasCalendarFeed(ctx, email); err != nil {
		h.writeError(w, r, err)
		return
	}
	v := h.page(r, tr(lang(r), "settings.title"), d)
	v.Self = "/settings"
	h.render(w, r, status, "settings", v)
}
