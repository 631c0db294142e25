package web

import (
	"net/http"
	"time"
)

// setLang is the language switch: it remembers the choice in a cookie for
// a year and goes back to the page it came from. A GET, since it is a link
// and changes nothing but how pages read to this browser.
func (h *handler) setLang(w http.ResponseWriter, r *http.Request) {
	l := r.PathValue("lang")
	if l != "fr" && l != "en" {
		h.writeError(w, r, &httpError{status: http.StatusNotFound, msg: "Suivi speaks fr and en"})
		return
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: int((365 * 24 * time.Hour).Seconds()),
		HttpOnly: true, Secure: h.SecureCookies, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
}
