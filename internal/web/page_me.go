package web

import (
	"net/http"
	"slices"

	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/store"
)

type meData struct {
	// Programs by the viewer's role on them; one program may be in two.
	Mentor, Holder, Funder []programView
	// Person is the viewer's email settings, shown to holders.
	Person store.Person
	// Funders are the slugs of the funders the viewer reads for.
	Funders []string
}

// mePage is "My projects": a mentor's programs with their step and attendance
// forms, a holder's with deliverable submission and their email settings,
// a funder's read-only. Only programs the viewer is on: a coordinator's
// or jury's wider view is the dashboard's and the jury page's.
func (h *handler) mePage(w http.ResponseWriter, r *http.Request) {
	if !h.allow(w, r, auth.ListPrograms) {
		return
	}
	who := viewer(r)
	ctx := r.Context()
	list, aps, err := h.visibleWithAuth(r, store.ProgramFilter{})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	l := lang(r)
	eds := h.editions(ctx)
	var d meData
	for _, g := range who.Grants {
		if g.Role == auth.Funder && g.Funder != "" && !slices.Contains(d.Funders, g.Funder) {
			d.Funders = append(d.Funders, g.Funder)
		}
	}
	for i, row := range list {
		ap := aps[i]
		roles := who.Roles(ap)
		mentor, holder, funder := slices.Contains(roles, auth.Mentor), slices.Contains(roles, auth.Holder), slices.Contains(roles, auth.Funder)
		if !mentor && !holder && !funder {
			continue
		}
		p, err := h.Store.GetProgram(ctx, row.Edition, row.Project)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		p.Licence, p.Public = row.Licence, row.Public
		snap, err := eds.snapshot(p.Edition, p.City)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		v := newProgramView(who, ap, p, snap, h.now(), "")
		v.ThemeTitle = eds.themeTitle(p.Edition, p.Theme, l)
		// Each section has its own anchors: a program listed twice is two
		// places to come back to.
		section := func(name string, list *[]programView) {
			c := v
			c.Back = "/me#" + name + "-" + p.Edition + "-" + p.Project
			*list = append(*list, c)
		}
		if mentor {
			section("mentor", &d.Mentor)
		}
		if holder {
			section("holder", &d.Holder)
		}
		if funder {
			section("funder", &d.Funder)
		}
	}
	if d.Person, err = h.Store.GetPerson(ctx, who.Email); err != nil {
		h.writeError(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "me", h.page(r, tr(l, "me.title"), d))
}
