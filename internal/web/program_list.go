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

// visiblePage is one page of the programs the viewer may view, and where
// the next page starts ("" after the last): f.Limit+1 rows are read, the
// extra one saying whether there is a next page.
func (h *handler) visiblePage(r *http.Request, f store.ProgramFilter) ([]store.Program, string, error) {
	s, counts, err := h.viewScope(r.Context(), viewer(r))
	if err != nil {
		return nil, "", err
	}
	f.Scope = s
	limit := f.Limit
	f.Limit++
	f.Few = fewOf(counts, f, f.Limit)
	list, _, err := h.listVisible(r, f, false)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(list) > limit {
		list = list[:limit]
		last := list[len(list)-1]
		next = last.Edition + "/" + last.Project
	}
	return list, next, nil
}

func phaseNames() string {
	names := make([]string, len(workflows.Phases))
	for i, p := range workflows.Phases {
		names[i] = string(p)
	}
	return strings.Join(names, ", ")
}
