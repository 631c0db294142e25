package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/validate"
	"github.com/codecitoyen/suivi/workflows"
)

func (h *handler) programList(w http.ResponseWriter, r *http.Request) {
	f := store.ProgramFilter{Edition: r.URL.Query().Get("edition"), Phase: r.URL.Query().Get("phase")}
	if f.Edition != "" {
		if err := validate.Slug("edition", f.Edition); err != nil {
			h.writeError(w, r, badRequest("%v", err))
			return
		}
	}
	if f.Phase != "" && !slices.Contains(workflows.Phases, workflows.Phase(f.Phase)) {
		h.writeError(w, r, badRequest("unknown phase %s; phases are %s", validate.Quote(f.Phase), phaseNames()))
		return
	}
	list, err := h.Store.ListPrograms(r.Context(), f)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, api.ProgramList{Programs: list})
}

func phaseNames() string {
	names := make([]string, len(workflows.Phases))
	for i, p := range workflows.Phases {
		names[i] = string(p)
	}
	return strings.Join(names, ", ")
}
