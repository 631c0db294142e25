package web

import (
	"net/http"
	"strings"

	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/validate"
)

// mayManage decides for a person's settings: one's own, or a global
// coordinator's care; anyone else's are "not found".
func (h *handler) mayManage(w http.ResponseWriter, r *http.Request, email string) bool {
	if who := viewer(r); strings.EqualFold(who.Email, email) || auth.Can(who, auth.ManagePeople, nil) {
		return true
	}
	h.writeError(w, r, &httpError{status: http.StatusNotFound, msg: "no person " + validate.Quote(email) + " you may see"})
	return false
}

func (h *handler) personGet(w http.ResponseWriter, r *http.Request) {
	email, err := validate.Email(r.PathValue("email"))
	if err != nil {
		h.writeError(w, r, badRequest("%v", err))
		return
	}
	if !h.mayManage(w, r, email) {
		return
	}
	p, err := h.Store.GetPerson(r.Context(), email)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// personSet changes a person's language or reminder choice.
func (h *handler) personSet(w http.ResponseWriter, r *http.Request) {
	email, err := validate.Email(r.PathValue("email"))
	if err != nil {
		h.writeError(w, r, badRequest("%v", err))
		return
	}
	if !h.mayManage(w, r, email) {
		return
	}
	var p store.Person
	if err := decodeJSON(r, &p); err != nil {
		h.writeError(w, r, err)
		return
	}
	p.Email = email
	if err := checkPerson(p); err != nil {
		h.writeError(w, r, err)
		return
	}
	p, err = h.Store.SetPerson(r.Context(), p)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}
