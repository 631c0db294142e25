package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/store"
)

// settingsEmail saves the viewer's own email settings (language and
// reminders), from /settings or /me.
func (h *handler) settingsEmail(w http.ResponseWriter, r *http.Request) {
	if !h.allow(w, r, auth.OwnAccount) {
		return
	}
	p := store.Person{Email: viewer(r).Email, Locale: r.PostFormValue("locale"), Reminders: r.PostFormValue("reminders")}
	if err := checkPerson(p); err != nil {
		h.writeError(w, r, err)
		return
	}
	if _, err := h.Store.SetPerson(r.Context(), p); err != nil {
		h.writeError(w, r, err)
		return
	}
	back := "/settings"
	if r.PostFormValue("back") == "/me" {
		back = "/me"
	}
	h.flash(r, tr(lang(r), "flash.saved"), "", false)
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// settingsTokenCreate makes an API token and shows its secret, once.
func (h *handler) settingsTokenCreate(w http.ResponseWriter, r *http.Request) {
	if !h.allow(w, r, auth.OwnAccount) {
		return
	}
	l := lang(r)
	raw := r.PostFormValue("name")
	name, msg := checkText(l, raw, true, 80, false)
	if msg != "" {
		h.renderSettings(w, r, http.StatusBadRequest, settingsData{TokenError: msg, TokenName: raw})
		return
	}
	who := viewer(r).Email
	ts, err := h.Store.Tokens(r.Context(), who)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if live := slices.DeleteFunc(ts, func(t store.Token) bool { return !t.RevokedAt.IsZero() }); len(live) >= MaxTokens {
		h.renderSettings(w, r, http.StatusConflict, settingsData{TokenError: tr(l, "settings.tokens.full", MaxTokens), TokenName: raw})
		return
	}
	secret, hash := auth.NewSecret(auth.TokenPrefix)
	if _, err := h.Store.CreateToken(r.Context(), who, name, hash); err != nil {
		h.writeError(w, r, err)
		return
	}
	h.renderSettings(w, r, http.StatusCreated, settingsData{NewToken: secret, NewTokenName: name})
}

// settingsTokenRevoke revokes one of the viewer's tokens; another person's
// is "no token", like one that does not exist.
func (h *handler) settingsTokenRevoke(w http.ResponseWriter, r *http.Request) {
	if !h.allow(w, r, auth.OwnAccount) {
		return
	}
	if _, err := h.revokeOwnToken(r); err != nil {
		h.writeError(w, r, err)
		return
	}
	h.flash(r, tr(lang(r), "flash.token-revoked"), "", false)
	http.Redirect(w, r, "/settings#tokens", http.StatusSeeOther)
}

// settingsFeed creates the viewer's private calendar feed, or replaces it
// (the old address stops working), and shows its address once.
func (h *handler) settingsFeed(w http.ResponseWriter, r *http.Request) {
	if !h.allow(w, r, auth.OwnAccount) {
		return
	}
	secret, hash := auth.NewSecret(auth.FeedPrefix)
	if err := h.Store.SetCalendarFeed(r.Context(), viewer(r).Email, hash); err != nil {
		h.writeError(w, r, err)
		return
	}
	h.renderSettings(w, r, http.StatusCreated, settingsData{FeedURL: h.baseURL(r) + "/calendar/" + secret + ".ics"})
}

// settingsFeedRevoke ends the viewer's calendar feed.
func (h *handler) settingsFeedRevoke(w http.ResponseWriter, r *http.Request) {
	if !h.allow(w, r, auth.OwnAccount) {
		return
	}
	if err := h.Store.RevokeCalendarFeed(r.Context(), viewer(r).Email); err != nil {
		h.writeError(w, r, err)
		return
	}
	h.flash(r, tr(lang(r), "flash.feed-revoked"), "", false)
	http.Redirect(w, r, "/settings#calendar", http.StatusSeeOther)
}

// feedSecret reads a feed address's last segment, "SECRET.ics".
func feedSecret(file string) (string, bool) {
	secret, ok := strings.CutSuffix(file, ".ics")
	return secret, ok && auth.LooksLike(secret, auth.FeedPrefix)
}
