package report

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/github"
	"github.com/codecitoyen/suivi/internal/store"
)

// Meta says which report to build.
type Meta struct {
	Kind    string // "funder" or "edition"
	Subject string // the funder's slug or the edition's id
	Title   string // the funder's name or the edition's
	City    string
	Lang    string
	Month   string
}

// phaseOrder is the lifecycle's order (workflows.Phases; a test holds them
// equal), so that counts by phase read from the call to the end.
var phaseOrder = []string{"applied", "selected", "rejected", "hackathon", "demo", "accompaniment", "graduated", "withdrawn", "dormant"}

// Build computes a report from facts loaded as of the month's end. It
// reads no clock: the same facts give the same report.
func Build(meta Meta, f *store.ReportFacts) (*Report, error) {
	from, to, err := ParseMonth(meta.Month)
	if err != nil {
		return nil, err
	}
	if !f.AsOf.Equal(to) {
		return nil, fmt.Errorf("report %s: facts loaded as of %s, not the month's end %s", meta.Month, f.AsOf.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	lang := meta.Lang
	if lang != "en" {
		lang = "fr"
	}
	r := &Report{Kind: meta.Kind, Subject: meta.Subject, Title: meta.Title, City: meta.City, Lang: lang,
		Month: meta.Month, From: from.UTC(), To: to.UTC(), Programs: []Program{}}
	b := builder{r: r, f: f, from: from, to: to, snaps: map[string]*edition.Snapshot{}}
	earliest := to
	for _, p := range f.Programs {
		if p.StartedAt.Before(earliest) {
			earliest = p.StartedAt
		}
	}
	b.weeks = newWeekCalendar(earliest, to)
	startCounts, endCounts := map[string]int{}, map[string]int{}
	repos := map[string]bool{}
	weeks := map[string]int{}
	meetupCities := map[string]bool{}
	for i := range f.Programs {
		fp := &f.Programs[i]
		p := b.program(fp)
		if fp.StartedAt.Before(from) {
			p.PhaseStart = phaseAt(fp.Phases, from)
			startCounts[p.PhaseStart]++
		}
		r.Programs = append(r.Programs, p)
		endCounts[p.Phase]++
		for _, m := range p.Milestones {
			switch m.State {
			case "on_time":
				r.Summary.OnTime++
			case "late":
				r.Summary.Late++
			case "overdue":
				r.Summary.Overdue++
			}
			if (m.State == "on_time" || m.State == "late") && !m.ClosedAt.Before(from) && m.ClosedAt.Before(to) {
				r.Summary.DoneThisMonth++
			}
		}
		for _, rp := range p.Repos {
			k := store.RepoKey(rp.URL)
			if repos[k] {
				continue
			}
			repos[k] = true
			r.Summary.Repos++
			if rp.Open != nil && *rp.Open {
				r.Summary.OpenRepos++
			}
		}
		for _, w := range p.Health.Weeks {
			weeks[w.Start] += w.Commits
		}
		r.Summary.Commits += p.Health.MonthCommits
		if (p.Phase == "accompaniment" || p.Phase == "dormant") && b.hasMeetups(fp) {
			meetupCities[strings.ToLower(p.City)] = true
			r.Summary.Expected++
			if slices.Contains(p.Attended, meta.Month) {
				r.Summary.Attended++
			}
		}
		if q, ok := b.quiet(fp, p); ok {
			r.Summary.Quiet = append(r.Summary.Quiet, q)
		}
	}
	r.Summary.Programs = len(r.Programs)
	r.Summary.Meetups = len(meetupCities)
	for _, ph := range phaseOrder {
		if startCounts[ph] > 0 || endCounts[ph] > 0 {
			r.Summary.Phases = append(r.Summary.Phases, PhaseCount{Phase: ph, Start: startCounts[ph], End: endCounts[ph]})
		}
	}
	if r.Summary.Phases == nil {
		r.Summary.Phases = []PhaseCount{}
	}
	sort.SliceStable(r.Summary.Quiet, func(i, j int) bool { return r.Summary.Quiet[i].Days > r.Summary.Quiet[j].Days })
	if r.Summary.Quiet == nil {
		r.Summary.Quiet = []Quiet{}
	}
	r.Summary.Weeks = []Week{}
	for _, start := range sortedKeys(weeks) {
		r.Summary.Weeks = append(r.Summary.Weeks, Week{Start: start, Commits: weeks[start]})
	}
	if n := len(r.Summary.Weeks); n > MaxWeeks {
		r.Summary.Weeks = r.Summary.Weeks[n-MaxWeeks:]
	}
	return r, nil
}

type builder struct {
	r        *Report
	f        *store.ReportFacts
	from, to time.Time
	snaps    map[string]*edition.Snapshot
	weeks    *weekCalendar
}

// weekCalendar is every Monday (00:00 Paris) from a report's earliest start
// to its end, at most MaxWeeks+1 of them: a commit finds its week by
// binary search, which costs far less than a time zone conversion each.
type weekCalendar struct {
	starts []time.Time
	labels []string
}

func newWeekCalendar(from, to time.Time) *weekCalendar {
	if min := to.AddDate(0, 0, -7*(MaxWeeks+1)); from.Before(min) {
		from = min
	}
	c := &weekCalendar{}
	for d := mondayTime(from); d.Before(to); d = d.AddDate(0, 0, 7) {
		c.starts = append(c.starts, d)
		c.labels = append(c.labels, d.Format("2006-01-02"))
	}
	return c
}

// index is the week holding t, -1 before the first.
func (c *weekCalendar) index(t time.Time) int {
	return sort.Search(len(c.starts), func(i int) bool { return c.starts[i].After(t) }) - 1
}

// snapshot is the edition as a program of that city sees it, or nil.
func (b *builder) snapshot(p *store.ReportProgram) *edition.Snapshot {
	key := p.Edition + "\x00" + strings.ToLower(p.City)
	if s, ok := b.snaps[key]; ok {
		return s
	}
	var snap *edition.Snapshot
	if e := b.f.Editions[p.Edition]; e != nil {
		if s, err := e.Snapshot(p.City); err == nil {
			snap = &s
		}
	}
	b.snaps[key] = snap
	return snap
}

func (b *builder) hasMeetups(p *store.ReportProgram) bool {
	s := b.snapshot(p)
	return s != nil && s.Meetup != ""
}

// phaseAt is the phase a program stood in just before t.
func phaseAt(phases []store.PhaseAt, t time.Time) string {
	phase := "applied"
	for _, p := range phases {
		if p.Since.Before(t) {
			phase = p.Phase
		}
	}
	return phase
}

func (b *builder) program(fp *store.ReportProgram) Program {
	lang, asOf := b.r.Lang, b.f.AsOf
	p := Program{Edition: fp.Edition, Project: fp.Project, Name: fp.Name, City: fp.City, Theme: fp.Theme,
		Started: fp.StartedAt.UTC(), Phase: phaseAt(fp.Phases, asOf), Phases: []PhaseChange{}, Milestones: []Milestone{},
		Repos: []Repo{}, Attended: []string{}}
	for _, ph := range fp.Phases {
		p.Phases = append(p.Phases, PhaseChange{Phase: ph.Phase, Since: ph.Since.UTC()})
	}
	zone := Paris
	if s := b.snapshot(fp); s != nil {
		if loc, err := time.LoadLocation(s.Zone.Name); err == nil {
			zone = loc
		}
	}
	today := asOf.In(zone).Format("2006-01-02") // the first day after the month
	for _, m := range fp.Milestones {
		p.Milestones = append(p.Milestones, milestoneAt(m, fp.Audit, asOf, today, zone, lang))
	}
	for _, a := range fp.Audit {
		if !a.At.Before(asOf) {
			continue
		}
		switch a.Action {
		case "pause", "resume":
			p.Paused = a.Action == "pause"
		case "attend":
			if mt := a.Detail["meetup"]; mt != "" && !slices.Contains(p.Attended, mt) {
				p.Attended = append(p.Attended, mt)
			}
			fallthrough
		case "complete", "waive":
			if n := a.Detail["note"]; n != "" && !a.At.Before(p.NoteAt) {
				p.Note, p.NoteAt, p.NoteBy = n, a.At.UTC(), a.Actor
			}
		}
	}
	slices.Sort(p.Attended)
	var commits []github.Commit
	var issues []github.Issue
	var releases []github.Release
	seen := map[string]bool{}
	for _, url := range fp.Repositories {
		k := store.RepoKey(url)
		rp := Repo{URL: url}
		rf := b.f.Repos[k]
		if rf != nil {
			if rf.CurrentName != "" && !strings.EqualFold(rf.CurrentName, k) {
				rp.URL, rp.RenamedFrom = "https://github.com/"+rf.CurrentName, k
			} else if rf.RenamedFrom != "" {
				rp.RenamedFrom = rf.RenamedFrom
			}
			if rf.Licence != nil {
				rp.Licence = rf.Licence.SPDX
				open := rf.Licence.Open
				rp.Open = &open
			}
			for _, c := range rf.Commits {
				// A fork or a moved repository shares commits: count each once.
				if !seen[c.SHA] {
					seen[c.SHA] = true
					commits = append(commits, c)
				}
			}
			issues = append(issues, rf.Issues...)
			releases = append(releases, rf.Releases...)
		}
		p.Repos = append(p.Repos, rp)
	}
	hackathonEnd := fp.StartedAt
	if s := b.snapshot(fp); s != nil {
		hackathonEnd = s.HackathonEnd
	}
	p.Health = health(commits, issues, releases, fp.StartedAt, hackathonEnd, b.from, asOf, b.weeks)
	if len(fp.Repositories) == 0 {
		p.Health.Weeks = []Week{} // nothing to chart
	}
	return p
}

// milestoneAt is a step as it stood at asOf, from its audit entries: the
// due date before any later extension, and its submissions and closures
// before asOf.
func milestoneAt(m store.Milestone, audit []store.AuditEntry, asOf time.Time, today string, zone *time.Location, lang string) Milestone {
	out := Milestone{ID: m.ID, Title: m.TitleFR, Due: m.Due, Optional: m.Optional, Status: "open"}
	if lang == "en" {
		out.Title = m.TitleEN
	}
	extended := false
	for _, a := range audit {
		if a.Detail["milestone"] != m.ID {
			continue
		}
		if !a.At.Before(asOf) {
			if a.Action == "extend" && !extended && a.Detail["from"] != "" {
				out.Due, extended = a.Detail["from"], true
			}
			continue
		}
		switch a.Action {
		case "submit":
			if out.Status == "open" || out.Status == "submitted" {
				out.Status, out.Evidence = "submitted", a.Detail["url"]
			}
		case "complete":
			out.Status, out.ClosedAt = "completed", a.At.UTC()
		case "waive":
			out.Status, out.ClosedAt = "waived", a.At.UTC()
		}
	}
	switch out.Status {
	case "completed":
		out.State = "on_time"
		if out.ClosedAt.In(zone).Format("2006-01-02") > out.Due {
			out.State = "late"
		}
	case "waived":
		out.State = "waived"
	default:
		switch {
		case out.Due < today && !out.Optional:
			out.State = "overdue"
		case out.Status == "submitted":
			out.State = "submitted"
		default:
			out.State = "open"
		}
	}
	return out
}

// health computes the CHAOSS metrics of a program's repositories as of
// asOf, each as the CHAOSS metric of that name defines it (the list is at
// https://chaoss.community/kb-metrics-and-metrics-models/), over commits,
// issues, change requests (pull requests) and releases:
//   - Code Changes Commits: commits, counted here per week;
//   - New Contributors: a first contribution in the period; here, a first
//     commit after the hackathon, which also puts them outside its team;
//   - Inactive Contributors: no contribution for a time; here, hackathon
//     team members whose last commit is older than 60 days;
//   - Change Request Closure Ratio: change requests closed over those
//     opened in the period (90 days);
//   - Time to First Response: from an issue or change request opening to
//     the first answer by someone else (median, 90 days);
//   - Release Frequency: releases in the period (365 days);
//   - Contributor Absence Factor (formerly "bus factor"; CHAOSS wg-risk,
//     focus-areas/business-risk/contributor-absence-factor.md): the fewest
//     contributors who made 50% of the contributions (commits, 90 days).
func health(commits []github.Commit, issues []github.Issue, releases []github.Release, started, hackathonEnd, monthStart, asOf time.Time, cal *weekCalendar) Health {
	h := Health{Weeks: []Week{}, ClosureRatio: -1, FirstResponseHours: -1}
	recent := asOf.Add(-RecentWindow)
	first, last := map[string]time.Time{}, map[string]time.Time{}
	recentBy := map[string]int{}
	weeks := make([]int, len(cal.starts))
	for _, c := range commits {
		if f, ok := first[c.Author]; !ok || c.Date.Before(f) {
			first[c.Author] = c.Date
		}
		if c.Date.After(last[c.Author]) {
			last[c.Author] = c.Date
		}
		if c.Date.After(h.LastCommit) {
			h.LastCommit = c.Date.UTC()
		}
		if !c.Date.Before(recent) {
			recentBy[c.Author]++
		}
		if !c.Date.Before(monthStart) {
			h.MonthCommits++
		}
		if c.Date.Before(started) {
			continue
		}
		h.Commits++
		if i := cal.index(c.Date); i >= 0 {
			weeks[i]++
		}
	}
	// Every week from the start, empty ones too, so the chart shows gaps.
	first0 := max(0, cal.index(started))
	for i := first0; i < len(cal.starts); i++ {
		h.Weeks = append(h.Weeks, Week{Start: cal.labels[i], Commits: weeks[i]})
	}
	if n := len(h.Weeks); n > MaxWeeks {
		h.Weeks = h.Weeks[n-MaxWeeks:]
	}
	h.Active = len(recentBy)
	for a, f := range first {
		if !f.After(hackathonEnd) {
			h.Team++
			if last[a].Before(asOf.Add(-InactiveAfter)) {
				h.Inactive++
			}
		} else {
			h.Newcomers++
		}
	}
	h.ClosureRatio, h.FirstResponseHours = github.ChangeRequests(issues,
		func(t time.Time) bool { return !t.IsZero() && !t.Before(recent) && t.Before(asOf) })
	for _, rel := range releases {
		if !rel.Published.Before(asOf.Add(-ReleaseWindow)) {
			h.Releases++
		}
	}
	h.AbsenceFactor = github.AbsenceFactor(recentBy)
	return h
}

// quiet says whether a program in accompaniment has gone quiet: no commit,
// step or attendance for QuietAfter before the month's end.
func (b *builder) quiet(fp *store.ReportProgram, p Program) (Quiet, bool) {
	// A paused program is quiet on purpose.
	if (p.Phase != "accompaniment" && p.Phase != "dormant") || p.Paused {
		return Quiet{}, false
	}
	asOf := b.f.AsOf
	lastAct := p.Health.LastCommit
	for _, a := range fp.Audit {
		steps := a.Action != "extend" && a.Action != "pause" && a.Action != "resume"
		if steps && a.At.Before(asOf) && a.At.After(lastAct) {
			lastAct = a.At
		}
	}
	q := Quiet{Edition: p.Edition, Project: p.Project, Name: p.Name}
	if lastAct.IsZero() {
		// Never active: count from when accompaniment began.
		q.Never = true
		for _, ph := range fp.Phases {
			if ph.Phase == "accompaniment" && ph.Since.Before(asOf) {
				lastAct = ph.Since
				break
			}
		}
		if lastAct.IsZero() {
			lastAct = fp.StartedAt
		}
	}
	idle := asOf.Sub(lastAct)
	if idle < QuietAfter {
		return Quiet{}, false
	}
	q.Days = int(idle / (24 * time.Hour))
	return q, true
}

func mondayTime(t time.Time) time.Time {
	p := t.In(Paris)
	d := time.Date(p.Year(), p.Month(), p.Day(), 0, 0, 0, 0, Paris)
	offset := (int(d.Weekday()) + 6) % 7
	return d.AddDate(0, 0, -offset)
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
