package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/pgtest"
	"github.com/codecitoyen/suivi/internal/report"
	"github.com/codecitoyen/suivi/internal/store"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// fixture is a funder's programs in May 2027, built to cover the edge
// cases a report meets: a program started mid-month (beta), one paused
// (gamma), one dormant that never did anything (delta), one without a
// repository (epsilon), a renamed repository (gamma's), a holder who left
// the team (gamma's frank), facts learned after the month's end (alpha's
// dave, a later licence check, a later closure and extension), and
// programs outside the scope (another funder's, one started in June).
type fixture struct {
	t  *testing.T
	st *store.Store
	db *pgx.Conn
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func (f *fixture) exec(sql string, args ...any) {
	f.t.Helper()
	if _, err := f.db.Exec(context.Background(), sql, args...); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
}

func (f *fixture) program(project, city string, started string, repos []string, funder string) {
	f.exec(`insert into programs (edition, project, name, holders, repositories, city, phase, workflow_id, started_at, seq)
values ('ncc-2027', $1, $2, '{h@example.org}', $3, $4, 'applied', 'program/ncc-2027/' || $1, $5, 1)`,
		project, "Projet "+project, repos, city, ts(started))
	if funder != "" {
		f.exec(`insert into program_funders values ('ncc-2027', $1, $2)`, project, funder)
	}
}

func (f *fixture) phases(project string, list ...string) {
	for i := 0; i < len(list); i += 2 {
		f.exec(`insert into program_phases values ('ncc-2027', $1, $2, $3, $4)`, project, i, list[i], ts(list[i+1]))
	}
	f.exec(`update programs set phase = $2 where project = $1`, project, list[len(list)-2])
}

var seq int64 = 100

func (f *fixture) audit(project, at, actor, action string, detail map[string]string) {
	seq++
	if detail == nil {
		detail = map[string]string{}
	}
	f.exec(`insert into audit_log (edition, project, seq, at, actor, action, detail) values ('ncc-2027', $1, $2, $3, $4, $5, $6)`,
		project, seq, ts(at), actor, action, detail)
}

func (f *fixture) milestone(project, id, due string, pos int) {
	f.exec(`insert into milestones (edition, project, id, position, title_fr, title_en, due, evidence, status)
values ('ncc-2027', $1, $2, $3, 'Jalon ' || $2, 'Milestone ' || $2, $4::date, 'url', 'open')`, project, id, pos, due)
}

func (f *fixture) repo(name, current, renamedFrom string) {
	f.exec(`insert into repos (name, current_name, renamed_from, status) values ($1, $2, $3, 'ok')`, name, current, renamedFrom)
}

func (f *fixture) commit(repo, sha, author, at, seen string) {
	f.exec(`insert into repo_commits (repo, sha, author, committed_at, seen_at) values ($1, $2, $3, $4, $5)`, repo, sha, author, ts(at), ts(seen))
}

func (f *fixture) licence(repo, at, spdx string, open bool) {
	f.exec(`insert into repo_licences values ($1, $2, $3, $4)`, repo, ts(at), spdx, open)
}

func newFixture(t *testing.T) *fixture {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if _, err := st.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	db, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close(ctx) })
	f := &fixture{t: t, st: st, db: db}

	data, err := os.ReadFile("../../examples/ncc-2027.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ed, err := edition.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	spec, _ := json.Marshal(ed)
	if _, _, err := st.ApplyEdition(ctx, ed.ID, ed.Hash(), spec); err != nil {
		t.Fatal(err)
	}
	f.exec(`insert into funders (slug, name) values ('metropole-de-lyon', 'Métropole de Lyon'), ('autre', 'Autre')`)
	calendar := []string{"applied", "2027-02-01T10:00:00Z", "selected", "2027-02-20T10:00:00Z",
		"hackathon", "2027-03-05T17:00:00Z", "demo", "2027-03-07T17:00:00Z", "accompaniment", "2027-03-08T17:00:00Z"}

	// alpha: on time, late and overdue steps, two meetups, a newcomer.
	f.program("alpha", "Lyon", "2027-02-01T10:00:00Z", []string{"https://github.com/o/alpha"}, "metropole-de-lyon")
	f.phases("alpha", calendar...)
	for i, m := range [][2]string{{"open-licence", "2027-03-21"}, {"demo", "2027-03-07"}, {"explainer-video", "2027-06-07"}, {"first-external-contributor", "2027-07-07"}} {
		f.milestone("alpha", m[0], m[1], i)
	}
	f.audit("alpha", "2027-03-20T09:00:00Z", "mentor@example.org", "complete", map[string]string{"milestone": "open-licence"})
	f.audit("alpha", "2027-03-07T16:00:00Z", "h@example.org", "submit", map[string]string{"milestone": "demo", "url": "https://demo.example.org/alpha"})
	f.audit("alpha", "2027-03-09T10:00:00Z", "mentor@example.org", "complete", map[string]string{"milestone": "demo"})
	f.audit("alpha", "2027-04-06T17:00:00Z", "mentor@example.org", "attend", map[string]string{"meetup": "2027-04"})
	f.audit("alpha", "2027-05-04T17:00:00Z", "mentor@example.org", "attend", map[string]string{"meetup": "2027-05", "note": "Bon rythme, vidéo en retard"})
	// Known only in June: the video's extension and a closure.
	f.audit("alpha", "2027-06-02T08:00:00Z", "coord@example.org", "extend", map[string]string{"milestone": "explainer-video", "from": "2027-05-07", "to": "2027-06-07"})
	f.audit("alpha", "2027-06-01T08:00:00Z", "mentor@example.org", "complete", map[string]string{"milestone": "first-external-contributor", "note": "Juin"})
	f.repo("o/alpha", "o/alpha", "")
	f.licence("o/alpha", "2027-03-10T00:00:00Z", "MIT", true)
	f.licence("o/alpha", "2027-06-05T00:00:00Z", "NOASSERTION", false)
	f.commit("o/alpha", "a1", "alice", "2027-03-06T10:00:00Z", "2027-03-06T11:00:00Z")
	f.commit("o/alpha", "b1", "bob", "2027-03-06T11:00:00Z", "2027-03-06T12:00:00Z")
	f.commit("o/alpha", "b2", "bob", "2027-03-07T09:00:00Z", "2027-03-07T10:00:00Z")
	f.commit("o/alpha", "a2", "alice", "2027-05-02T10:00:00Z", "2027-05-02T11:00:00Z")
	f.commit("o/alpha", "c1", "carol", "2027-05-10T10:00:00Z", "2027-05-10T11:00:00Z")
	f.commit("o/alpha", "c2", "carol", "2027-05-11T10:00:00Z", "2027-05-11T11:00:00Z")
	f.commit("o/alpha", "d1", "dave", "2027-05-20T10:00:00Z", "2027-06-03T00:00:00Z") // late data
	f.exec(`insert into repo_issues (repo, number, is_pr, author, created_at, closed_at, first_response_at, seen_at, closed_seen_at, first_response_seen_at) values
('o/alpha', 1, true, 'carol', '2027-04-10T08:00:00Z', '2027-04-12T08:00:00Z', '2027-04-10T13:00:00Z', '2027-04-10T09:00:00Z', '2027-04-12T09:00:00Z', '2027-04-10T14:00:00Z'),
('o/alpha', 2, true, 'carol', '2027-05-15T08:00:00Z', null, null, '2027-05-15T09:00:00Z', null, null),
('o/alpha', 3, false, 'zoe', '2027-05-01T08:00:00Z', null, '2027-05-02T08:00:00Z', '2027-05-01T09:00:00Z', null, '2027-05-02T09:00:00Z'),
('o/alpha', 4, true, 'carol', '2027-05-25T08:00:00Z', '2027-05-30T10:00:00Z', null, '2027-05-25T09:00:00Z', '2027-06-02T00:00:00Z', null)`)
	f.exec(`insert into repo_releases (repo, tag, published_at, seen_at) values ('o/alpha', 'v0.1', '2027-05-05T10:00:00Z', '2027-05-05T11:00:00Z')`)

	// beta: applied mid-month, nothing else yet.
	f.program("beta", "Lyon", "2027-05-12T09:00:00Z", []string{"https://github.com/o/beta"}, "metropole-de-lyon")
	f.phases("beta", "applied", "2027-05-12T09:00:00Z")
	f.repo("o/beta", "o/beta", "")

	// gamma: paused, a renamed repository, a holder who left (frank).
	f.program("gamma", "Paris", "2027-02-02T10:00:00Z", []string{"https://github.com/o/old-name"}, "metropole-de-lyon")
	f.phases("gamma", calendar...)
	for i, m := range [][2]string{{"open-licence", "2027-03-21"}, {"demo", "2027-03-07"}, {"explainer-video", "2027-05-07"}} {
		f.milestone("gamma", m[0], m[1], i)
	}
	f.audit("gamma", "2027-03-07T15:00:00Z", "mentor@example.org", "complete", map[string]string{"milestone": "demo"})
	f.audit("gamma", "2027-03-25T10:00:00Z", "coord@example.org", "waive", map[string]string{"milestone": "open-licence"})
	f.audit("gamma", "2027-04-01T10:00:00Z", "coord@example.org", "remove-holder", map[string]string{"holder": "frank@example.org"})
	f.audit("gamma", "2027-04-01T10:05:00Z", "coord@example.org", "pause", nil)
	f.audit("gamma", "2027-05-06T10:00:00Z", "mentor@example.org", "complete", map[string]string{"milestone": "explainer-video", "note": "Vidéo publiée"})
	f.repo("o/old-name", "o/new-name", "o/old-name")
	f.licence("o/old-name", "2027-03-12T00:00:00Z", "EUPL-1.2", true)
	f.commit("o/old-name", "e1", "erin", "2027-03-06T10:00:00Z", "2027-03-06T11:00:00Z")
	f.commit("o/old-name", "f1", "frank", "2027-03-07T10:00:00Z", "2027-03-07T11:00:00Z")
	f.commit("o/old-name", "e2", "erin", "2027-05-03T09:00:00Z", "2027-05-03T10:00:00Z")

	// delta: dormant, never did anything, a licence that is not open.
	f.program("delta", "Lyon", "2027-02-03T10:00:00Z", []string{"https://github.com/o/delta"}, "metropole-de-lyon")
	f.phases("delta", append(calendar, "dormant", "2027-05-20T00:00:00Z")...)
	f.milestone("delta", "open-licence", "2027-03-21", 0)
	f.milestone("delta", "demo", "2027-03-07", 1)
	f.repo("o/delta", "o/delta", "")
	f.licence("o/delta", "2027-03-15T00:00:00Z", "NOASSERTION", false)

	// epsilon: no repository, attended May's meetup.
	f.program("epsilon", "Lyon", "2027-02-04T10:00:00Z", []string{}, "metropole-de-lyon")
	f.phases("epsilon", calendar...)
	f.audit("epsilon", "2027-05-04T17:00:00Z", "mentor@example.org", "attend", map[string]string{"meetup": "2027-05"})

	// Outside the scope.
	f.program("zeta", "Lyon", "2027-02-01T10:00:00Z", []string{"https://github.com/o/alpha"}, "autre")
	f.phases("zeta", calendar...)
	f.program("eta", "Lyon", "2027-06-02T10:00:00Z", []string{}, "metropole-de-lyon")
	// Funded from 10 June, and funded until 15 April: neither in May.
	f.program("theta", "Lyon", "2027-02-01T10:00:00Z", []string{}, "metropole-de-lyon")
	f.exec(`update program_funders set funded_at = '2027-06-10T00:00:00Z' where project = 'theta'`)
	f.program("iota", "Lyon", "2027-02-01T10:00:00Z", []string{}, "metropole-de-lyon")
	f.exec(`update program_funders set funded_at = '2027-02-01T00:00:00Z', unfunded_at = '2027-04-15T00:00:00Z' where project = 'iota'`)
	return f
}

func build(t *testing.T, f *fixture, month, lang string) *report.Report {
	t.Helper()
	from, to, err := report.ParseMonth(month)
	if err != nil {
		t.Fatal(err)
	}
	facts, err := f.st.ReportFacts(context.Background(), store.ReportScope{Funder: "metropole-de-lyon", From: from}, to)
	if err != nil {
		t.Fatal(err)
	}
	r, err := report.Build(report.Meta{Kind: "funder", Subject: "metropole-de-lyon", Title: "Métropole de Lyon", Lang: lang, Month: month}, facts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestReportFigures holds every figure of the fixture's May report to the
// value worked out by hand (in the comments).
func TestReportFigures(t *testing.T) {
	f := newFixture(t)
	r := build(t, f, "2027-05", "fr")
	s := r.Summary
	eq := func(what string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	eq("from", r.From, ts("2027-04-30T22:00:00Z"))
	eq("to", r.To, ts("2027-05-31T22:00:00Z"))
	// alpha, beta, gamma, delta, epsilon; not zeta (another funder), eta
	// (started in June), theta (funded from June) nor iota (funded until
	// April).
	eq("programs", s.Programs, 5)
	names := []string{}
	for _, p := range r.Programs {
		names = append(names, p.Project)
	}
	eq("program order", names, []string{"alpha", "beta", "delta", "epsilon", "gamma"})
	// At the start: four in accompaniment (beta had not applied). At the
	// end: beta applied, delta dormant.
	eq("phases", s.Phases, []report.PhaseCount{{Phase: "applied", Start: 0, End: 1}, {Phase: "accompaniment", Start: 4, End: 3}, {Phase: "dormant", Start: 0, End: 1}})
	// On time: alpha's licence, gamma's demo and video. Late: alpha's demo.
	// Overdue: alpha's video (its extension came in June), delta's two.
	// Done this month: gamma's video. gamma's waived licence counts in none.
	eq("on time", s.OnTime, 3)
	eq("late", s.Late, 1)
	eq("overdue", s.Overdue, 3)
	eq("done this month", s.DoneThisMonth, 1)
	// o/alpha (MIT: June's NOASSERTION is too late), o/beta (unchecked),
	// o/old-name (EUPL-1.2), o/delta (NOASSERTION).
	eq("repos", s.Repos, 4)
	eq("open repos", s.OpenRepos, 2)
	// Lyon and Paris; alpha, gamma, delta, epsilon expected; alpha and
	// epsilon came.
	eq("meetups", s.Meetups, 2)
	eq("expected", s.Expected, 4)
	eq("attended", s.Attended, 2)
	// delta: nothing since accompaniment began on 8 March 17:00 UTC, 84
	// days and 5 hours before the end; gamma is paused, not quiet.
	eq("quiet", s.Quiet, []report.Quiet{{Edition: "ncc-2027", Project: "delta", Name: "Projet delta", Days: 84, Never: true}})
	// alpha's a2, c1, c2 and gamma's e2; not dave's, learned in June.
	eq("commits this month", s.Commits, 4)

	alpha := r.Programs[0]
	eq("alpha phase", alpha.Phase+"/"+alpha.PhaseStart, "accompaniment/accompaniment")
	states := map[string]string{}
	for _, m := range alpha.Milestones {
		states[m.ID] = m.State + " " + m.Due
	}
	eq("alpha milestones", states, map[string]string{"open-licence": "on_time 2027-03-21", "demo": "late 2027-03-07",
		"explainer-video": "overdue 2027-05-07", "first-external-contributor": "open 2027-07-07"})
	eq("alpha demo evidence", alpha.Milestones[1].Evidence, "https://demo.example.org/alpha")
	eq("alpha attended", alpha.Attended, []string{"2027-04", "2027-05"})
	eq("alpha note", alpha.Note+" / "+alpha.NoteBy, "Bon rythme, vidéo en retard / mentor@example.org")
	eq("alpha licence", alpha.Repos[0].Licence, "MIT")
	h := alpha.Health
	// Since the start: a1 b1 b2 a2 c1 c2. Team: alice, bob (by the end of
	// the hackathon, 7 March 17:00 UTC); carol is new; bob's last commit
	// (7 March) is older than 60 days. 90-day window: 2 each, so two
	// people made half. PRs opened in the window: 1, 2, 4; closed as
	// known: 1 (4's closure was learned in June). First responses: 5 h
	// and 24 h, median 14.5 h.
	eq("alpha health", [...]any{h.Commits, h.MonthCommits, h.Active, h.Team, h.Newcomers, h.Inactive, h.ClosureRatio, h.FirstResponseHours, h.Releases, h.AbsenceFactor},
		[...]any{6, 3, 3, 2, 1, 1, 0.33, 14.5, 1, 2})
	eq("alpha last commit", h.LastCommit, ts("2027-05-11T10:00:00Z"))
	// Mondays from 1 February to 31 May: 18 weeks; the weekend of the
	// hackathon falls in the week of 1 March.
	eq("alpha weeks", len(h.Weeks), 18)
	weeks := map[string]int{}
	for _, w := range h.Weeks {
		weeks[w.Start] = w.Commits
	}
	eq("alpha commits by week", [...]int{weeks["2027-03-01"], weeks["2027-04-26"], weeks["2027-05-10"], weeks["2027-05-17"]}, [...]int{3, 1, 2, 0})

	beta := r.Programs[1]
	eq("beta", beta.Phase+"/"+beta.PhaseStart, "applied/")
	eq("beta licence unknown", beta.Repos[0].Open == nil, true)
	eq("beta weeks", len(beta.Health.Weeks), 4) // 10, 17, 24 and 31 May

	epsilon := r.Programs[3]
	eq("epsilon weeks", len(epsilon.Health.Weeks), 0)
	eq("epsilon repos", len(epsilon.Repos), 0)

	gamma := r.Programs[4]
	eq("gamma paused", gamma.Paused, true)
	eq("gamma repo", gamma.Repos[0].URL+" < "+gamma.Repos[0].RenamedFrom, "https://github.com/o/new-name < o/old-name")
	// erin and frank are the team; frank left and stopped on 7 March.
	eq("gamma health", [...]int{gamma.Health.Team, gamma.Health.Newcomers, gamma.Health.Inactive, gamma.Health.AbsenceFactor}, [...]int{2, 0, 1, 1})
	eq("gamma note", gamma.Note, "Vidéo publiée")

	// The PDF says the same, in French: read back with poppler's pdftotext.
	pdf, err := report.PDF(r)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf)
	for _, want := range []string{"Rapport d'avancement — Métropole de Lyon", "Synthèse", "Projet alpha", "Projet epsilon",
		"https://github.com/o/new-name", "Bon rythme, vidéo en retard", "fait en retard", "14,5 h", "0,33", "50 %"} {
		if text != "" && !strings.Contains(text, want) {
			t.Errorf("the PDF does not say %q", want)
		}
	}
	if dir := os.Getenv("REPORT_LOOK"); dir != "" {
		_ = os.WriteFile(dir+"/golden-fr.pdf", pdf, 0o644)
	}

	// The CSV says the same, in stable columns.
	data, err := report.CSV(r)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	eq("csv header", rows[0], report.CSVColumns)
	eq("csv rows", len(rows), 6)
	col := map[string]string{}
	for i, c := range rows[0] {
		col[c] = rows[1][i]
	}
	eq("csv alpha", [...]string{col["project"], col["milestones_on_time"], col["milestones_late"], col["milestones_overdue"],
		col["change_request_closure_ratio_90d"], col["median_first_response_hours_90d"], col["licences"], col["meetups_attended"], col["last_commit"]},
		[...]string{"alpha", "1", "1", "1", "0.33", "14.5", "MIT", "2027-04 2027-05", "2027-05-11"})
}

// TestReportIsReproducible builds May twice, and again after facts dated in
// May arrive in June: the same bytes each time. June's report shows them.
func TestReportIsReproducible(t *testing.T) {
	f := newFixture(t)
	first := build(t, f, "2027-05", "en")
	a, _ := json.Marshal(first)
	ca, _ := report.CSV(first)
	// Learned on 2 June: a commit of 30 May and a licence check.
	f.commit("o/alpha", "z1", "zack", "2027-05-30T10:00:00Z", "2027-06-02T10:00:00Z")
	f.licence("o/beta", "2027-06-02T10:00:00Z", "Apache-2.0", true)
	again := build(t, f, "2027-05", "en")
	b, _ := json.Marshal(again)
	cb, _ := report.CSV(again)
	if !bytes.Equal(a, b) || !bytes.Equal(ca, cb) {
		t.Fatalf("May's report changed after June's facts:\n%s\n%s", a, b)
	}
	june := build(t, f, "2027-06", "en")
	// alpha's licence check of 5 June found NOASSERTION; beta's Apache-2.0.
	if june.Summary.OpenRepos != 2 || june.Programs[0].Repos[0].Licence != "NOASSERTION" || june.Programs[1].Repos[0].Licence != "Apache-2.0" ||
		june.Programs[0].Health.Commits != 8 {
		t.Fatalf("June: open repos %d, alpha commits %d; want 2 and 8 (dave's and zack's)", june.Summary.OpenRepos, june.Programs[0].Health.Commits)
	}
	// eta started and theta's funding began in June; iota's ended in April.
	var names []string
	for _, p := range june.Programs {
		names = append(names, p.Project)
	}
	if want := []string{"alpha", "beta", "delta", "epsilon", "eta", "gamma", "theta"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("June's programs = %v, want %v", names, want)
	}
	april := build(t, f, "2027-04", "en")
	if n := len(april.Programs); n != 5 || april.Programs[4].Project != "iota" {
		t.Fatalf("April's programs: %d, last %s; want iota, funded until mid-April", n, april.Programs[n-1].Project)
	}
}

func TestFirstWorkingDay(t *testing.T) {
	for _, c := range []struct {
		year  int
		month time.Month
		want  int
	}{
		{2027, time.May, 3},      // Saturday 1, Sunday 2
		{2028, time.May, 2},      // Monday 1 is Labour Day
		{2027, time.January, 4},  // Friday 1 is New Year's Day
		{2029, time.April, 3},    // Sunday 1 is Easter, Monday 2 Easter Monday
		{2027, time.November, 2}, // Monday 1 is All Saints' Day
		{2027, time.June, 1},     // a Tuesday
		{2025, time.June, 2},     // Sunday 1; Whit Monday is 9 June
	} {
		got := report.FirstWorkingDay(c.year, c.month)
		if got.Day() != c.want || got.Month() != c.month {
			t.Errorf("first working day of %d-%02d = %s, want day %d", c.year, c.month, got.Format("2006-01-02 Mon"), c.want)
		}
	}
}

// pdfText is the PDF's text as pdftotext reads it ("" when poppler-utils is
// missing outside CI, where .ci/run installs it).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext (poppler-utils) is missing")
		}
		t.Log("no pdftotext: the PDF's text is not checked")
		return ""
	}
	cmd := exec.Command("pdftotext", "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	// Lines are joined as a reader would: a phrase may wrap.
	return strings.Join(strings.Fields(string(out)), " ")
}

// TestEmailRendersInBothLanguages renders the report's email from the
// fixture: subject, both bodies, the chart inline and both files attached.
func TestEmailRendersInBothLanguages(t *testing.T) {
	f := newFixture(t)
	for lang, want := range map[string][]string{
		"fr": {"Suivi — rapport d'avancement mai 2027, Métropole de Lyon", "Faits à temps : 3", "Projet delta : aucune activité depuis le début"},
		"en": {"Suivi — progress report May 2027, Métropole de Lyon", "Done on time: 3", "Projet delta: no activity since it started"},
	} {
		r := build(t, f, "2027-05", lang)
		pdf, err := report.PDF(r)
		if err != nil {
			t.Fatal(err)
		}
		csvData, _ := report.CSV(r)
		e, err := report.MakeEmail(&report.Files{Report: r, PDF: pdf, CSV: csvData}, "https://suivi.example.org/funders/metropole-de-lyon/reports/2027-05")
		if err != nil {
			t.Fatal(err)
		}
		all := e.Subject + "\n" + e.Text + "\n" + e.HTML
		for _, w := range want {
			if !strings.Contains(all, w) && !strings.Contains(all, strings.ReplaceAll(w, "'", "&#39;")) {
				t.Errorf("%s email lacks %q", lang, w)
			}
		}
		if len(e.Inline) != 1 || !strings.Contains(e.HTML, `src="cid:`+e.Inline[0].ContentID+`"`) || !bytes.HasPrefix(e.Inline[0].PNG, []byte("\x89PNG")) {
			t.Errorf("%s: inline chart %v not referenced", lang, len(e.Inline))
		}
		if len(e.Attachments) != 2 || e.Attachments[0].Name != "suivi-metropole-de-lyon-2027-05.pdf" || e.Attachments[1].ContentType != "text/csv; charset=utf-8" {
			t.Errorf("%s: attachments %+v", lang, e.Attachments)
		}
	}
}

// BenchmarkFunderReport1000 is a funder's report over 1,000 programs with
// 24 months of repository history each (about 270,000 commits, 40,000
// issues and pull requests, 6,000 releases, 24 meetups per program),
// read from Postgres: loading the facts, computing the figures, and
// making the PDF, the CSV and the email's HTML with its chart, each
// timed alone and then all together ("all", the figure the goal is for).
func BenchmarkFunderReport1000(b *testing.B) {
	ctx := context.Background()
	url := pgtest.NewDatabase(b)
	st, err := store.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx, nil); err != nil {
		b.Fatal(err)
	}
	db, err := pgx.Connect(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close(ctx)
	data, _ := os.ReadFile("../../examples/ncc-2027.yaml")
	ed, err := edition.Parse(data)
	if err != nil {
		b.Fatal(err)
	}
	spec, _ := json.Marshal(ed)
	if _, _, err := st.ApplyEdition(ctx, ed.ID, ed.Hash(), spec); err != nil {
		b.Fatal(err)
	}
	for _, q := range []string{
		`insert into funders (slug, name) values ('metropole', 'Métropole de Lyon')`,
		`insert into programs (edition, project, name, holders, repositories, city, phase, workflow_id, started_at, seq)
select 'ncc-2027', 'p-' || i, 'Projet ' || i, '{h@example.org}', array['https://github.com/o/p-' || i],
    (array['Lyon', 'Paris', 'Lille', 'Tunis'])[1 + i % 4], 'accompaniment', 'program/ncc-2027/p-' || i, '2027-02-01', 1
from generate_series(1, 1000) i`,
		`insert into program_funders select edition, project, 'metropole' from programs`,
		`insert into program_phases select edition, project, 1, 'applied', timestamptz '2027-02-01' from programs
union all select edition, project, 2, 'accompaniment', timestamptz '2027-03-08' from programs`,
		`insert into milestones (edition, project, id, position, title_fr, title_en, due, evidence, status)
select edition, project, 'm' || k, k, 'Jalon ' || k, 'Milestone ' || k, date '2027-03-07' + 30 * k, 'url', 'open'
from programs, generate_series(0, 6) k`,
		`insert into audit_log (edition, project, seq, at, actor, action, detail)
select edition, project, 10 + k, timestamptz '2027-03-10' + k * interval '1 month', 'mentor@example.org', 'attend',
    jsonb_build_object('meetup', to_char(timestamptz '2027-03-10' + k * interval '1 month', 'YYYY-MM'), 'note', 'Bonne séance ' || k)
from programs, generate_series(0, 23) k`,
		`insert into audit_log (edition, project, seq, at, actor, action, detail)
select edition, project, 100 + k, timestamptz '2027-03-06' + (30 * k + (project = 'p-7')::int * 40) * interval '1 day', 'mentor@example.org', 'complete',
    jsonb_build_object('milestone', 'm' || k)
from programs, generate_series(0, 3) k`,
		`insert into repos (name, current_name, status) select lower('o/p-' || i), 'o/p-' || i, 'ok' from generate_series(1, 1000) i`,
		`insert into repo_licences select name, '2027-03-10', case when random() < 0.8 then 'MIT' else 'NOASSERTION' end, random() < 0.8 from repos`,
		`insert into repo_commits (repo, sha, author, committed_at, seen_at)
select r.name, md5(r.name || w || c), 'dev' || (c % 4), timestamptz '2027-03-05' + w * interval '1 week' + c * interval '7 hours',
    timestamptz '2027-03-05' + w * interval '1 week' + c * interval '7 hours' + interval '1 hour'
from repos r, generate_series(0, 103) w, generate_series(0, 2) c where (w + c + length(r.name)) % 7 <> 0`,
		`insert into repo_issues (repo, number, is_pr, author, created_at, closed_at, first_response_at, seen_at, closed_seen_at, first_response_seen_at)
select r.name, n, n % 2 = 0, 'dev' || (n % 5), timestamptz '2027-03-10' + n * interval '18 days',
    case when n % 3 <> 0 then timestamptz '2027-03-12' + n * interval '18 days' end, timestamptz '2027-03-10 06:00' + n * interval '18 days',
    timestamptz '2027-03-10 01:00' + n * interval '18 days', case when n % 3 <> 0 then timestamptz '2027-03-12 01:00' + n * interval '18 days' end,
    timestamptz '2027-03-10 07:00' + n * interval '18 days'
from repos r, generate_series(1, 40) n`,
		`insert into repo_releases (repo, tag, published_at, seen_at)
select r.name, 'v0.' || n, timestamptz '2027-04-01' + n * interval '4 months', timestamptz '2027-04-01 01:00' + n * interval '4 months'
from repos r, generate_series(0, 5) n`,
		`analyze`,
	} {
		if _, err := db.Exec(ctx, q); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	const month = "2029-02"
	_, to, _ := report.ParseMonth(month)
	if os.Getenv("SUIVI_EXPLAIN") != "" {
		for _, q := range []string{
			`select repo, sha, author, committed_at from repo_commits where repo = any(array(select name from repos)) and seen_at < $1 and committed_at < $1 order by repo, committed_at, sha`,
			`select repo, number, is_pr, author, created_at from repo_issues where repo = any(array(select name from repos)) and seen_at < $1 and created_at < $1 order by repo, number`,
		} {
			rows, err := db.Query(ctx, "explain (analyze, buffers) "+q, to)
			if err != nil {
				b.Fatal(err)
			}
			plan, _ := pgx.CollectRows(rows, pgx.RowTo[string])
			b.Logf("%s\n%s", q, strings.Join(plan, "\n"))
		}
	}
	meta := report.Meta{Kind: "funder", Subject: "metropole", Title: "Métropole de Lyon", Lang: "fr", Month: month}
	facts, err := st.ReportFacts(ctx, store.ReportScope{Funder: "metropole"}, to)
	if err != nil {
		b.Fatal(err)
	}
	r, err := report.Build(meta, facts)
	if err != nil {
		b.Fatal(err)
	}
	pdf, _ := report.PDF(r)
	b.Run("facts", func(b *testing.B) {
		for b.Loop() {
			if _, err := st.ReportFacts(ctx, store.ReportScope{Funder: "metropole"}, to); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("build", func(b *testing.B) {
		for b.Loop() {
			if _, err := report.Build(meta, facts); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("pdf", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := report.PDF(r); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(pdf))/1e6, "MB-pdf")
	})
	b.Run("csv", func(b *testing.B) {
		for b.Loop() {
			if _, err := report.CSV(r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("all", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			facts, err := st.ReportFacts(ctx, store.ReportScope{Funder: "metropole"}, to)
			if err != nil {
				b.Fatal(err)
			}
			r, err := report.Build(meta, facts)
			if err != nil {
				b.Fatal(err)
			}
			pdf, err := report.PDF(r)
			if err != nil {
				b.Fatal(err)
			}
			c, _ := report.CSV(r)
			if _, err := report.MakeEmail(&report.Files{Report: r, PDF: pdf, CSV: c}, "https://suivi.example.org/r"); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(r.Programs)), "programs")
	})
}
