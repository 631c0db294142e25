package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/auth"
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
	if !h.allow(w, r, auth.ListPrograms) {
		return
	}
	list, err := h.visiblePrograms(r, f)
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

// visiblePrograms lists the programs the viewer may view, filtered.
func (h *handler) visiblePrograms(r *http.Request, f store.ProgramFilter) ([]store.Program, error) {
	who := viewer(r)
	reach := auth.ReachOf(who)
	f.Reach = &reach
	list, err := h.Store.ListPrograms(r.Context(), f)
	if err != nil {
		return nil, err
	}
	funders, err := h.Store.AllProgramFunders(r.Context())
	if err != nil {
		return nil, err
	}
	out := list[:0]
	for _, p := range list {
		ap := &auth.Program{Edition: p.Edition, Project: p.Project, City: p.City, Phase: p.Phase,
			Holders: p.Holders, Mentors: p.Mentors, Funders: funders[p.Edition+"/"+p.Project]}
		if auth.Can(who, auth.ViewProgram, ap) {
			out = append(out, p)
		}
	}
	return out, nil
}
