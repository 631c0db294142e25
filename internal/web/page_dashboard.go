package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/validate"
	"github.com/codecitoyen/suivi/workflows"
)

// PlanAhead is how far ahead the dashboard lists the messages programs are
// due to send.
const PlanAhead = 7 * 24 * time.Hour

// maxPlanned bounds the messages the dashboard lists.
const maxPlanned = 300

type dashFilter struct{ Edition, City, Theme, Phase string }

// Query is the filter as a query string, for the forms' way back.
func (f dashFilter) Query() string {
	q := url.Values{}
	for k, v := range map[string]string{"edition": f.Edition, "city": f.City, "theme": f.Theme, "phase": f.Phase} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// overdueRow is one step past its due date and still open or submitted.
type overdueRow struct {
	Program   store.Program
	Milestone store.Milestone
}

// undeliveredRow is one message that failed or may not have arrived.
type undeliveredRow struct {
	Program store.Program
	Message store.Message
}

type dashData struct {
	Filter                           dashFilter
	Editions, Cities, Themes, Phases []option
	// Total is how many programs the viewer may see, before filters.
	Total       int
	Programs    []programView
	Overdue     []overdueRow
	Undelivered []undeliveredRow
	Planned     []planned
	PlannedMore int
}

// dashboard is the coordinators' page: every program they may view, with
// what needs them (overdue steps, undelivered emails, licences, activity),
// what goes out in the coming week, and forms for their usual actions.
func (h *handler) dashboard(w http.ResponseWriter, r *http.Request) {
	if !h.allow(w, r, auth.Dashboard) {
		return
	}
	f, err := readDashFilter(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	all, err := h.visiblePrograms(r, store.ProgramFilter{})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	l := lang(r)
	now := h.now()
	eds := h.editions(ctx)
	d := dashData{Filter: f, Total: len(all)}
	d.Editions, d.Cities, d.Themes = filterOptions(all, eds, l)
	for _, p := range workflows.Phases {
		d.Phases = append(d.Phases, option{string(p), tr(l, "phase."+string(p))})
	}
	who := viewer(r)
	back := "/dashboard" + f.Query()
	funders, err := h.Store.AllProgramFunders(ctx)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	for _, row := range all {
		if !f.matches(row) {
			continue
		}
		// One read per program for its steps: the list has none. A store
		// query over every program's milestones would make this constant.
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
		ap := &auth.Program{Edition: p.Edition, Project: p.Project, City: p.City, Phase: p.Phase,
			Holders: p.Holders, Mentors: p.Mentors, Funders: funders[p.Edition+"/"+p.Project]}
		v := newProgramView(who, ap, p, snap, now, back+"#p-"+p.Edition+"-"+p.Project)
		v.ThemeTitle = eds.themeTitle(p.Edition, p.Theme, l)
		for _, m := range v.Overdue {
			d.Overdue = append(d.Overdue, overdueRow{Program: p, Milestone: m})
		}
		und, err := h.Store.Undelivered(ctx, p.Edition, p.Project)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		v.Undelivered = len(und)
		for _, m := range und {
			d.Undelivered = append(d.Undelivered, undeliveredRow{Program: p, Message: m})
		}
		// Only programs under way are watched: others have no activity.
		if p.Active() {
			if v.Spark, err = h.programSpark(ctx, p, now); err != nil {
				h.writeError(w, r, err)
				return
			}
		}
		d.Planned = append(d.Planned, plannedFor(p, snap, now, now.Add(PlanAhead))...)
		d.Programs = append(d.Programs, v)
	}
	sortPlanned(d.Planned)
	if len(d.Planned) > maxPlanned {
		d.PlannedMore = len(d.Planned) - maxPlanned
		d.Planned = d.Planned[:maxPlanned]
	}
	slices.SortStableFunc(d.Overdue, func(a, b overdueRow) int { return strings.Compare(a.Milestone.Due, b.Milestone.Due) })
	h.render(w, r, http.StatusOK, "dashboard", h.page(r, tr(l, "dash.title"), d))
}

// readDashFilter checks the filters: a bad one is a 400 that says which.
func readDashFilter(r *http.Request) (dashFilter, error) {
	q := r.URL.Query()
	f := dashFilter{Edition: q.Get("edition"), City: strings.TrimSpace(q.Get("city")), Theme: q.Get("theme"), Phase: q.Get("phase")}
	if f.Edition != "" {
		if err := validate.Slug("edition", f.Edition); err != nil {
			return f, badRequest("%v", err)
		}
	}
	if f.Theme != "" {
		if err := validate.Slug("theme", f.Theme); err != nil {
			return f, badRequest("%v", err)
		}
	}
	if f.City != "" {
		if _, err := validate.Text("city", f.City, false, 64); err != nil {
			return f, badRequest("%v", err)
		}
	}
	if f.Phase != "" && !slices.Contains(workflows.Phases, workflows.Phase(f.Phase)) {
		return f, badRequest("unknown phase %s; phases are %s", validate.Quote(f.Phase), phaseNames())
	}
	return f, nil
}

func (f dashFilter) matches(p store.Program) bool {
	return (f.Edition == "" || p.Edition == f.Edition) && (f.City == "" || strings.EqualFold(p.City, f.City)) &&
		(f.Theme == "" || p.Theme == f.Theme) && (f.Phase == "" || p.Phase == f.Phase)
}

// filterOptions are the editions, cities and themes of the programs the
// viewer may see: a filter never offers what would hide everything.
func filterOptions(ps []store.Program, eds *editionCache, l string) (editions, cities, themes []option) {
	seen := map[string]bool{}
	for _, p := range ps {
		if !seen["e"+p.Edition] {
			seen["e"+p.Edition] = true
			editions = append(editions, option{p.Edition, p.Edition})
		}
		if p.City != "" && !seen["c"+strings.ToLower(p.City)] {
			seen["c"+strings.ToLower(p.City)] = true
			cities = append(cities, option{p.City, p.City})
		}
		if p.Theme != "" && !seen["t"+p.Theme] {
			seen["t"+p.Theme] = true
			themes = append(themes, option{p.Theme, eds.themeTitle(p.Edition, p.Theme, l)})
		}
	}
	for _, list := range [][]option{editions, cities, themes} {
		slices.SortFunc(list, func(a, b option) int { return strings.Compare(a.Label, b.Label) })
	}
	return editions, cities, themes
}
