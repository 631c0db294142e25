package web

import (
	"net/http"

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/validate"
)

func (h *handler) programList(w http.ResponseWriter, r *http.Request) {
	f := store.ProgramFilter{Edition: r.URL.Query().Get("edition"), Phase: r.URL.Query().Get("phase")}
	if f.Edition != "" {
		if err := validate.Slug("edition", f.Edition); err != nil {
			h.writeError(w, r, badRequest("%v", err))
			return
		}
	}
	list, err := h.Store.ListPrograms(r.Context(), f)
	if err != nil {
		h.writeError(w, r, unavailable("postgres: %v", err))
		return
	}
	writeJSON(w, http.StatusOK, api.ProgramList{Programs: list})
}
