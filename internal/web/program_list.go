package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/validate"
	"github.com/codecitoyen/suivi/workflows"
)

// Pages of GET /api/v1/programs (documented in the README's Limits).
const (
	DefaultListLimit = 100
	MaxListLimit     = 500
)

func (h *handler) programList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.ProgramFilter{Edition: q.Get("edition"), Phase: q.Get("phase"), Limit: DefaultListLimit}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxListLimit {
			h.writeError(w, r, badRequest("limit %s: a number of programs from 1 to %d", validate.Quote(v), MaxListLimit))
			return
		}
		f.Limit = n
	}
	if v := q.Get("after"); v != "" {
		if _, _, err := validate.ProgramKey(v); err != nil {
			h.writeError(w, r, badRequest("after: %v (give the previous page's next)", err))
			return
		}
		f.After = v
	}
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
	list, next, err := h.visiblePage(r, f)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, api.ProgramList{Programs: list, Next: next})
}

// visiblePage is one page of visiblePrograms, and where the next page
// starts ("" after the last). The page may hold fewer than f.Limit: rows
// the viewer may not see are dropped after the database's page is read.
func (h *handler) visiblePage(r *http.Request, f store.ProgramFilter) ([]store.Program, string, error) {
	who := viewer(r)
	reach := auth.ReachOf(who)
	f.Reach = &reach
	list, err := h.Store.ListPrograms(r.Context(), f)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if f.Limit > 0 && len(list) == f.Limit {
		last := list[len(list)-1]
		next = last.Edition + "/" + last.Project
	}
	out, _, err := h.canView(r, list)
	return out, next, err
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
	list, _, err := h.visibleWithAuth(r, f)
	return list, err
}

// visibleWithAuth is visiblePrograms with, for each program, what the
// decision read of it (its people and funders), which pages reuse for
// the forms they offer rather than reading the funders again.
func (h *handler) visibleWithAuth(r *http.Request, f store.ProgramFilter) ([]store.Program, []*auth.Program, error) {
	who := viewer(r)
	reach := auth.ReachOf(who)
	f.Reach = &reach
	list, err := h.Store.ListPrograms(r.Context(), f)
	if err != nil {
		return nil, nil, err
	}
	return h.canView(r, list)
}

// canView keeps the programs of list the viewer may view (auth.Can).
func (h *handler) canView(r *http.Request, list []store.Program) ([]store.Program, []*auth.Program, error) {
	who := viewer(r)
	funders, err := h.Store.AllProgramFunders(r.Context())
	if err != nil {
		return nil, nil, err
	}
	out := list[:0]
	var aps []*auth.Program
	for _, p := range list {
		ap := &auth.Program{Edition: p.Edition, Project: p.Project, City: p.City, Phase: p.Phase,
			Holders: p.Holders, Mentors: p.Mentors, Funders: funders[p.Edition+"/"+p.Project]}
		if auth.Can(who, auth.ViewProgram, ap) {
			out = append(out, p)
			aps = append(aps, ap)
		}
	}
	return out, aps, nil
}
