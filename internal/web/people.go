package web

import (
	"net/http"

	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/validate"
)

func (h *handler) personGet(w http.ResponseWriter, r *http.Request) {
	email, err := validate.Email(r.PathValue("email"))
	if err != nil {
		h.writeError(w, r, badRequest("%v", err))
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
