package web

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/report"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/validate"
	"github.com/codecitoyen/suivi/workflows"
)

// PlanAhead is how far ahead the dashboard lists the messages programs are
// due to send.
const PlanAhead = 7 * 24 * time.Hour

// maxPlanned bounds the messages the dashboard lists.
const maxPlanned = 25

// DashPageSize is how many programs one page of the dashboard shows, and
// dashMaxRows how many overdue steps or undelivered messages; their counts
// go no further than dashCountUpTo beyond those shown. A page stays small
// (and fast) at 10,000 programs: filters and the next pages reach the rest.
const (
	DashPageSize  = 25
	dashMaxRows   = 25
	dashCountUpTo = 100
)

type dashFilter struct {
	Edition, City, Theme, Phase string
	// Keyset is the page of programs shown.
	Keyset keyset
}

// values is the filter as a query (without its page).
func (f dashFilter) values() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"edition": f.Edition, "city": f.City, "theme": f.Theme, "phase": f.Phase} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// Query is the filter and its page as a query string, for the forms' way
// back.
func (f dashFilter) Query() string {
	q := f.values()
	f.Keyset.set(q)
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
	// Overdue and Undelivered are over every program the filters keep;
	// OverdueMore and UndeliveredMore say how many more there are, or at
	// least (…Over) when counting stopped.
	Overdue         []overdueRow
	OverdueMore     int
	OverdueOver     bool
	Undelivered     []undeliveredRow
	UndeliveredMore int
	UndeliveredOver bool
	// Planned are the messages of this page's programs.
	Planned     []planned
	PlannedMore int
	// Reports link to last month's report of each edition the viewer
	// coordinates (of their city when they coordinate one).
	Reports []option
	// The tables' rows, drawn by html.go.
	ProgramRows, OverdueRows, UndeliveredRows, PlannedRows template.HTML
}

// dashboard is the coordinators' page: the programs they may view, a page
// at a time, with what needs them (overdue steps, undelivered emails,
// licences, activity), what this page's programs send in the coming week,
// and forms for their usual actions. Its work does not grow with the
// number of programs but for two passes of Postgres over an index: the
// counts by edition, city and theme, and the groups visibility is decided
// by (a few dozen; see viewScope).
func (h *handler) dashboard(w http.ResponseWriter, r *http.Request) {
	if !h.allow(w, r, auth.Dashboard) {
		return
	}
	f, err := readDashFilter(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	who := viewer(r)
	l := lang(r)
	now := h.now()
	eds := h.editions(ctx)

	// Five round trips to Postgres, whatever the number of programs: the
	// session and the person (identify); the groups, the viewer's own
	// programs and the editions; this page of programs, the overdue
	// steps and the undelivered emails; the page's steps, emails and
	// commits.
	var heads []store.Edition
	scope, groups, err := h.viewScope(ctx, who, func(b *store.Batch) { b.EditionHeads(&heads) })
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	eds.setHeads(heads)
	lf := store.ProgramFilter{Scope: scope, Edition: f.Edition, Theme: f.Theme, Phase: f.Phase}
	if f.City != "" {
		// The cities written as asked, whatever their case, as before.
		lf.Cities = []string{}
		for _, g := range groups {
			if strings.EqualFold(g.City, f.City) && !slices.Contains(lf.Cities, g.City) {
				lf.Cities = append(lf.Cities, g.City)
			}
		}
	}
	// What is overdue is so in each city's own today.
	var today []store.CityToday
	seen := map[[2]string]bool{}
	for _, g := range groups {
		if seen[[2]string{g.Edition, g.City}] {
			continue
		}
		seen[[2]string{g.Edition, g.City}] = true
		snap, err := eds.snapshot(g.Edition, g.City)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		if snap != nil {
			today = append(today, store.CityToday{Edition: g.Edition, City: g.City, Today: string(snap.Zone.DateOf(now))})
		}
	}

	// The counts: of the groups the viewer sees, from the groups' own
	// counts; of the programs they see through funding or lists alone,
	// from those programs (queued below).
	var counts, extra []store.ProgramCount
	for _, g := range groups {
		if !scope.All && !slices.Contains(scope.Groups, g.Group) {
			continue
		}
		c := store.ProgramCount{Edition: g.Edition, City: g.City, Theme: g.Theme, Total: g.Programs}
		if lf.Matches(g.Group, g.Theme) {
			c.Matching = g.Programs
		}
		counts = append(counts, c)
	}
	var b store.Batch
	if !scope.All && (len(scope.Funders) > 0 || len(scope.Members) > 0) {
		rest := *scope
		rest.Groups = nil
		rf := lf
		rf.Scope = &rest
		b.CountPrograms(rf, scope.Groups, &extra)
	}
	var overdue store.Overdue
	var failed store.Undelivered
	// Few programs kept (a small city, narrow filters): their steps are
	// read from them, rather than walking the overdue steps of all.
	b.OverdueSteps(store.OverdueQuery{Filter: lf, Today: today, UTCToday: string(edition.DateOf(now.UTC())),
		Limit: dashMaxRows, UpTo: dashCountUpTo, Few: fewOf(groups, lf, dashMaxRows+dashCountUpTo+1)}, &overdue)
	b.UndeliveredMessages(lf, dashMaxRows, dashCountUpTo, &failed)
	pf := lf
	pf.Brief, pf.Licence = true, true
	pf.Few = fewOf(groups, lf, DashPageSize+1)
	pr := queuePage(&b, pf, f.Keyset, DashPageSize)
	if err := h.Store.Send(ctx, &b); err != nil {
		h.writeError(w, r, err)
		return
	}
	counts = append(counts, extra...)
	d := dashData{Filter: f}
	for _, c := range counts {
		d.Total += c.Total
		d.Matching += c.Matching
	}
	d.Editions, d.Cities, d.Themes = filterOptions(counts, eds, l)
	for _, p := range workflows.Phases {
		d.Phases = append(d.Phases, option{string(p), tr(l, "phase."+string(p))})
	}
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

	// The page of programs.
	d.Pages = max(1, (d.Matching+DashPageSize-1)/DashPageSize)
	var pg listPage
	if k := f.Keyset; k.After == "" && k.Before == "" && k.Page > d.Pages {
		// Past the last page: the last one.
		pg, err = h.readPage(r, pf, keyset{Page: d.Pages}, DashPageSize)
	} else {
		pg, err = pr.page(h, r)
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	d.Page = min(pg.Page, d.Pages)
	d.PrevURL = pageURL("/dashboard", f.values(), pg.Prev, "#programs")
	d.NextURL = pageURL("/dashboard", f.values(), pg.Next, "#programs")
	var steps map[string][]store.Milestone
	var undelivered map[string]int
	var commits map[string][]time.Time
	b = store.Batch{}
	b.MilestonesOf(pg.Rows, &steps)
	b.UndeliveredCounts(pg.Rows, &undelivered)
	names := sparkNames(pg.Rows)
	if len(names) > 0 {
		b.CommitDates(names, now.Add(-sparkWeeks*7*24*time.Hour), &commits)
	}
	if err := h.Store.Send(ctx, &b); err != nil {
		h.writeError(w, r, err)
		return
	}
	for i, p := range pg.Rows {
		key := p.Edition + "/" + p.Project
		p.Milestones = steps[key]
		snap, err := eds.snapshot(p.Edition, p.City)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		v := newProgramView(who, pg.Auth[i], p, snap, now, back+"#p-"+p.Edition+"-"+p.Project)
		v.ThemeTitle = eds.themeTitle(p.Edition, p.Theme, l)
		v.Undelivered = undelivered[key]
		d.Programs = append(d.Programs, v)
		d.Planned = append(d.Planned, plannedFor(p, snap, now, now.Add(PlanAhead))...)
	}
	drawSparks(pg.Rows, d.Programs, commits, now)
	sortPlanned(d.Planned)
	if len(d.Planned) > maxPlanned {
		d.PlannedMore = len(d.Planned) - maxPlanned
		d.Planned = d.Planned[:maxPlanned]
	}

	// What needs the coordinator over every program the filters keep,
	// each bounded: the first rows, and a count that stops.
	for _, o := range overdue.Steps {
		d.Overdue = append(d.Overdue, overdueRow{Program: store.Program{Edition: o.Edition, Project: o.Project, Name: o.Name}, Milestone: o.Milestone})
	}
	d.OverdueMore, d.OverdueOver = overdue.N-len(overdue.Steps), overdue.Over
	for _, u := range failed.Messages {
		d.Undelivered = append(d.Undelivered, undeliveredRow{Program: store.Program{Edition: u.Message.Edition, Project: u.Message.Project, Name: u.Name}, Message: u.Message})
	}
	d.UndeliveredMore, d.UndeliveredOver = failed.N-len(failed.Messages), failed.Over
	d.ProgramRows, d.OverdueRows = dashRows(l, d.Programs), overdueRows(l, d.Overdue)
	d.UndeliveredRows, d.PlannedRows = undeliveredRows(l, d.Undelivered), plannedRows(l, d.Planned)
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
	k, err := readKeyset(q)
	if err != nil {
		return f, err
	}
	f.Keyset = k
	return f, nil
}

// filterOptions are the editions, cities and themes of the programs the
// viewer may see: a filter never offers what would hide everything.
func filterOptions(counts []store.ProgramCount, eds *editionCache, l string) (editions, cities, themes []option) {
	seen := map[string]bool{}
	for _, c := range counts {
		if c.Total == 0 {
			continue
		}
		if !seen["e"+c.Edition] {
			seen["e"+c.Edition] = true
			editions = append(editions, option{c.Edition, c.Edition})
		}
		if c.City != "" && !seen["c"+strings.ToLower(c.City)] {
			seen["c"+strings.ToLower(c.City)] = true
			cities = append(cities, option{c.City, c.City})
		}
		if c.Theme != "" && !seen["t"+c.Theme] {
			seen["t"+c.Theme] = true
			themes = append(themes, option{c.Theme, eds.themeTitle(c.Edition, c.Theme, l)})
		}
	}
	for _, list := range [][]option{editions, cities, themes} {
		slices.SortFunc(list, func(a, b option) int { return strings.Compare(a.Label, b.Label) })
	}
	return editions, cities, themes
}
