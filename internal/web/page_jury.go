package web

import (
	"net/http"
	"slices"

	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/workflows"
)

type juryData struct {
	// Seats are the viewer's jury grants: an edition and a city each.
	Seats []auth.Grant
	// Demos are the programs of their seats in the demo phase, to score;
	// Others the rest of their seats, for context.
	Demos, Others []programView
}

// jury is the jury's page: the demos of their edition and city, with a
// score form for each (auth.Score, during the demo phase only).
func (h *handler) jury(w http.ResponseWriter, r *http.Request) {
	if !h.allow(w, r, auth.JuryPage) {
		return
	}
	who := viewer(r)
	var d juryData
	for _, g := range who.Grants {
		if g.Role == auth.Jury {
			d.Seats = append(d.Seats, g)
		}
	}
	ctx := r.Context()
	list, aps, err := h.visibleWithAuth(r, store.ProgramFilter{})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	l := lang(r)
	eds := h.editions(ctx)
	for i, row := range list {
		ap := aps[i]
		// Only their seat: a jury member who also coordinates sees the
		// rest on the dashboard.
		if !slices.Contains(who.Roles(ap), auth.Jury) {
			continue
		}
		v := newProgramView(who, ap, row, nil, h.now(), "/jury#p-"+row.Edition+"-"+row.Project)
		v.ThemeTitle = eds.themeTitle(row.Edition, row.Theme, l)
		if row.Phase == string(workflows.PhaseDemo) {
			d.Demos = append(d.Demos, v)
		} else {
			d.Others = append(d.Others, v)
		}
	}
	h.render(w, r, http.StatusOK, "jury", h.page(r, tr(l, "jury.title"), d))
}
