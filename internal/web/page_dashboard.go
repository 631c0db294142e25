package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/report"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/validate"
	"github.com/codecitoyen/suivi/workflows"
)

// PlanAhead is how far ahead the dashboard lists the messages programs are
// due to send.
const PlanAhead = 7 * 24 * time.Hour

// maxPlanned bounds the messages the dashboard lists.
const maxPlanned = 50

// DashPageSize is how many programs one page of the dashboard shows, and
// dashMaxRows how many overdue steps or undelivered messages: a page stays
// small (and fast) at 10,000 programs; filters and the next pages reach
// the rest.
const (
	DashPageSize = 50
	dashMaxRows  = 50
)

type dashFilter struct {
	Edition, City, Theme, Phase string
	// Page counts from 1.
	Page int
}

// Query is the filter as a query string, for the forms' way back.
func (f dashFilter) Query() string {
	q := url.Values{}
	for k, v := range map[string]string{"edition": f.Edition, "city": f.City, "theme": f.Theme, "phase": f.Phase} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.Page > 1 {
		q.Set("page", strconv.Itoa(f.Page))
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
	// Total is how many programs the viewer may see, before filters;
	// Matching how many the filters keep, of which Programs is one page.
	Total, Matching int
	Programs        []programView
	Page, Pages     int
	PrevURL         string
	NextURL         string
	Overdue         []overdueRow
	OverdueMore     int
	Undelivered     []undeliveredRow
	UndeliveredMore int
	Planned         []planned
	PlannedMore     int
	// Reports link to last month's report of each edition the viewer
	// coordinates (of their city when they coordinate one).
	Reports []option
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
	all, aps, err := h.visibleWithAuth(r, store.ProgramFilter{})
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
	month := report.PreviousMonth(now)
	for _, e := range d.Editions {
		base := "/editions/" + url.PathEscape(e.Value) + "/report?month=" + month
		if auth.Can(who, auth.EditionReport, &auth.Program{Edition: e.Value}) {
			d.Reports = append(d.Reports, option{base, e.Label + " — " + report.MonthName(month, l)})
			continue
		}
		for _, g := range who.Grants {
			if g.Role == auth.Coordinator && g.City != "" && auth.Can(who, auth.EditionReport, &auth.Program{Edition: e.Value, City: g.City}) {
				d.Reports = append(d.Reports, option{base + "&city=" + url.QueryEscape(g.City), e.Label + ", " + g.City + " — " + report.MonthName(month, l)})
			}
		}
	}
	authOf := make(map[string]*auth.Program, len(all))
	for i, p := range all {
		authOf[p.Edition+"/"+p.Project] = aps[i]
	}
	var matching []store.Program
	for _, row := range all {
		if f.matches(row) {
			matching = append(matching, row)
		}
	}
	// Two queries for the steps and undelivered emails of every program
	// shown, not two per program.
	steps, err := h.Store.MilestonesOf(ctx, matching)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	undelivered, err := h.Store.UndeliveredOf(ctx, matching)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	d.Matching = len(matching)
	d.Pages = max(1, (len(matching)+DashPageSize-1)/DashPageSize)
	d.Page = min(max(f.Page, 1), d.Pages)
	first, last := (d.Page-1)*DashPageSize, min(d.Page*DashPageSize, len(matching))
	if d.Page > 1 {
		prev := f
		prev.Page = d.Page - 1
		d.PrevURL = "/dashboard" + prev.Query() + "#programs"
	}
	if d.Page < d.Pages {
		next := f
		next.Page = d.Page + 1
		d.NextURL = "/dashboard" + next.Query() + "#programs"
	}
	var pageRows []store.Program
	for i, p := range matching {
		key := p.Edition + "/" + p.Project
		p.Milestones = steps[key]
		snap, err := eds.snapshot(p.Edition, p.City)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		v := newProgramView(who, authOf[key], p, snap, now, back+"#p-"+p.Edition+"-"+p.Project)
		for _, m := range v.Overdue {
			if len(d.Overdue) < dashMaxRows {
				d.Overdue = append(d.Overdue, overdueRow{Program: p, Milestone: m})
			} else {
				d.OverdueMore++
			}
		}
		for _, m := range undelivered[key] {
			if len(d.Undelivered) < dashMaxRows {
				d.Undelivered = append(d.Undelivered, undeliveredRow{Program: p, Message: m})
			} else {
				d.UndeliveredMore++
			}
		}
		d.Planned = append(d.Planned, plannedFor(p, snap, now, now.Add(PlanAhead))...)
		if i < first || i >= last {
			continue
		}
		v.ThemeTitle = eds.themeTitle(p.Edition, p.Theme, l)
		v.Undelivered = len(undelivered[key])
		d.Programs = append(d.Programs, v)
		pageRows = append(pageRows, p)
	}
	// The page's sparklines, in one query over its repositories.
	if err := h.pageSparks(ctx, pageRows, d.Programs, now); err != nil {
		h.writeError(w, r, err)
		return
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
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			return f, badRequest("page %s is not a page number", validate.Quote(v))
		}
		f.Page = n
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
