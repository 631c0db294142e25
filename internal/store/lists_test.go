package store_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/store"
)

// recount is program_groups as counting every program gives it.
func recount(t *testing.T, url string) []store.GroupCount {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `select edition, city, phase, theme, count(*) from programs group by 1, 2, 3, 4 order by edition collate "C", city collate "C", phase collate "C", theme collate "C"`)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.GroupCount, error) {
		var g store.GroupCount
		err := r.Scan(&g.Edition, &g.City, &g.Phase, &g.Theme, &g.Programs)
		return g, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// program_groups, which pages read for visibility and counts, is always
// what counting the programs gives: after programs start, move between
// phases, cities and themes (concurrently, in both directions between
// the same groups), are rewritten unchanged, set aside (deleted) and
// truncated.
func TestProgramGroupsFollowPrograms(t *testing.T) {
	s, url := open(t)
	ctx := context.Background()
	if _, err := s.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		got, err := s.GroupCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(got, func(a, b store.GroupCount) int {
			return cmp.Or(strings.Compare(a.Edition, b.Edition), strings.Compare(a.City, b.City),
				strings.Compare(a.Phase, b.Phase), strings.Compare(a.Theme, b.Theme))
		})
		if want := recount(t, url); !slices.Equal(got, want) {
			t.Fatalf("%s: program_groups holds %v, counting gives %v", when, got, want)
		}
	}
	at := time.Date(2027, 3, 5, 17, 0, 0, 0, time.UTC)
	save := func(i int, city, phase, theme string, seq int64) error {
		p := store.Program{Edition: "ncc-2027", Project: fmt.Sprintf("p%02d", i), Name: "P", City: city, Phase: phase, Theme: theme,
			WorkflowID: fmt.Sprintf("program/ncc-2027/p%02d", i), StartedAt: at, Seq: seq}
		return s.SaveProgram(ctx, p, nil)
	}
	for i := range 20 {
		if err := save(i, []string{"Lyon", "Tunis"}[i%2], "applied", "ruralite", 1); err != nil {
			t.Fatal(err)
		}
	}
	check("after starts")
	// Concurrent moves between two groups, both ways (Lyon to Tunis and
	// Tunis to Lyon), and rewrites that change nothing.
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			city := []string{"Lyon", "Tunis"}[(i+1)%2]
			if err := save(i, city, "applied", "ruralite", 2); err != nil {
				errs <- err
			}
			if err := save(i, city, "applied", "ruralite", 3); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	check("after concurrent moves")
	if err := save(3, "LYON", "demo", "outils-collectifs", 9); err != nil {
		t.Fatal(err)
	}
	if err := save(3, "LYON", "demo", "outils-collectifs", 5); err != nil { // an older seq: no write
		t.Fatal(err)
	}
	check("after a theme and a city change")
	if _, err := s.ForgetProgram(ctx, "ncc-2027", "p03", "test"); err != nil {
		t.Fatal(err)
	}
	check("after a program is set aside")
	if err := save(3, "Lyon", "applied", "ruralite", 1); err != nil {
		t.Fatal(err)
	}
	check("after it starts again")
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `truncate programs cascade`); err != nil {
		t.Fatal(err)
	}
	check("after truncate")
	if err := save(1, "Tunis", "demo", "", 1); err != nil {
		t.Fatal(err)
	}
	check("after a start past a truncate")
}

// MemberCandidates finds every program that lists a person as holder or
// mentor, as strings.EqualFold compares addresses: in another case, with
// letters beyond ASCII, with the Kelvin sign or the long s that fold to
// ASCII letters, and with LIKE's own characters in the address.
func TestMemberCandidatesFindEveryCaseOfAnAddress(t *testing.T) {
	s := migrated(t)
	ctx := context.Background()
	at := time.Date(2027, 3, 5, 17, 0, 0, 0, time.UTC)
	listed := map[string][]string{
		"upper":  {"HOLDER@EXAMPLE.ORG"},
		"accent": {"Élodie@Example.org"},
		"kelvin": {"\u212aim@example.org"},
		"long-s": {"SAM@example.org"},
		"like":   {"a_b%c@example.org"},
		"other":  {"someone@example.org"},
	}
	for project, holders := range listed {
		p := store.Program{Edition: "ncc-2027", Project: project, Name: project, Phase: "demo", Holders: holders[:1],
			Mentors: holders[1:], WorkflowID: "program/ncc-2027/" + project, StartedAt: at, Seq: 1}
		if err := s.SaveProgram(ctx, p, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, email := range []string{"holder@example.org", "ÉLODIE@EXAMPLE.ORG", "kim@example.org", "ſam@example.org", "A_B%C@example.org", "nobody@example.org", "aXb%c@example.org"} {
		who, err := s.Person(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.MemberCandidates(ctx, who.Email)
		if err != nil {
			t.Fatal(err)
		}
		var found []string
		for _, p := range got {
			found = append(found, p.Project)
		}
		for project, holders := range listed {
			lists := slices.ContainsFunc(holders, func(h string) bool { return strings.EqualFold(h, who.Email) })
			if lists && !slices.Contains(found, project) {
				t.Errorf("%s: %s lists them (%v) but is not a candidate: %v", email, project, holders, found)
			}
		}
		// And the decision is Can's: the scope keeps only what it allows.
		scope := auth.ViewScope(who, nil, got)
		for _, m := range scope.Members {
			if !slices.ContainsFunc(listed[m[1]], func(h string) bool { return strings.EqualFold(h, who.Email) }) {
				t.Errorf("%s: the scope keeps %s, which does not list them", email, m[1])
			}
		}
	}
}

// Overdue steps are those open or submitted and due before their city's
// today, most overdue first, counted up to a bound: the same whether the
// query walks with the programs (a scope, filters, or cities whose day
// differs) or without them (everyone seen, one day everywhere).
func TestOverdueStepsWithAndWithoutPrograms(t *testing.T) {
	s := migrated(t)
	ctx := context.Background()
	at := time.Date(2027, 3, 5, 17, 0, 0, 0, time.UTC)
	for i := range 30 {
		p := store.Program{Edition: "ncc-2027", Project: fmt.Sprintf("p%02d", i), Name: fmt.Sprintf("P%02d", i), Phase: "accompaniment",
			City: []string{"Lyon", "Tunis", "Nowhere"}[i%3], WorkflowID: fmt.Sprintf("program/ncc-2027/p%02d", i), StartedAt: at, Seq: 1,
			Milestones: []store.Milestone{
				{ID: "a", TitleFR: "A", TitleEN: "A", Due: fmt.Sprintf("2027-03-%02d", 1+i%20), Evidence: "url", Status: []string{"open", "submitted", "completed"}[i%3]},
				{ID: "b", TitleFR: "B", TitleEN: "B", Due: "2027-04-01", Evidence: "url", Status: "open"},
				{ID: "c", TitleFR: "C", TitleEN: "C", Due: "2027-04-02", Evidence: "url", Status: "open"},
			}}
		if err := s.SaveProgram(ctx, p, nil); err != nil {
			t.Fatal(err)
		}
	}
	counts, err := s.GroupCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	everyGroup := &auth.Scope{Groups: store.Groups(counts)}
	keys := func(o store.Overdue) string {
		var out []string
		for _, st := range o.Steps {
			out = append(out, st.Project+"/"+st.Milestone.ID+"@"+st.Milestone.Due)
		}
		return fmt.Sprintf("%v n=%d over=%v", out, o.N, o.Over)
	}
	same := []store.CityToday{{Edition: "ncc-2027", City: "Lyon", Today: "2027-04-01"}, {Edition: "ncc-2027", City: "Tunis", Today: "2027-04-01"}}
	for _, c := range []struct{ limit, upTo int }{{5, 3}, {5, 100}, {100, 0}} {
		q := store.OverdueQuery{Today: same, UTCToday: "2027-04-01", Limit: c.limit, UpTo: c.upTo}
		fast, err := s.OverdueSteps(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		q.Filter.Scope = everyGroup
		slow, err := s.OverdueSteps(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		q.Few = true
		few, err := s.OverdueSteps(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if keys(fast) != keys(slow) || keys(few) != keys(slow) {
			t.Errorf("limit %d up to %d: without the programs %s, walking with them %s, from them %s", c.limit, c.upTo, keys(fast), keys(slow), keys(few))
		}
		// 20 steps a (the completed ones aside) are overdue on 1 April.
		if want := min(20, c.limit+c.upTo); fast.N != want || fast.Over != (20 > c.limit+c.upTo) || len(fast.Steps) != min(20, c.limit) {
			t.Errorf("limit %d up to %d: %s", c.limit, c.upTo, keys(fast))
		}
	}
	// In Tunis it is already 2 April: its steps b are overdue too.
	ahead := []store.CityToday{{Edition: "ncc-2027", City: "Lyon", Today: "2027-04-01"}, {Edition: "ncc-2027", City: "Tunis", Today: "2027-04-02"}}
	o, err := s.OverdueSteps(ctx, store.OverdueQuery{Today: ahead, UTCToday: "2027-04-01", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	o2, err := s.OverdueSteps(ctx, store.OverdueQuery{Filter: store.ProgramFilter{Scope: everyGroup}, Today: ahead, UTCToday: "2027-04-01", Limit: 100, Few: true})
	if err != nil {
		t.Fatal(err)
	}
	if o.N != 30 || keys(o) != keys(o2) {
		t.Errorf("with Tunis a day ahead: %s (from the programs: %s), want 20 steps a and Tunis's 10 steps b", keys(o), keys(o2))
	}
	// A filter: Lyon's programs only (i%3 == 0), from them or walking.
	lyon := store.ProgramFilter{Cities: []string{"Lyon"}}
	walked, err := s.OverdueSteps(ctx, store.OverdueQuery{Filter: lyon, Today: same, UTCToday: "2027-04-01", Limit: 3, UpTo: 2})
	if err != nil {
		t.Fatal(err)
	}
	read, err := s.OverdueSteps(ctx, store.OverdueQuery{Filter: lyon, Today: same, UTCToday: "2027-04-01", Limit: 3, UpTo: 2, Few: true})
	if err != nil {
		t.Fatal(err)
	}
	if keys(walked) != keys(read) || walked.N != 5 || !walked.Over {
		t.Errorf("Lyon's overdue steps: walking %s, from the programs %s", keys(walked), keys(read))
	}
	for _, st := range o.Steps {
		var i int
		if _, err := fmt.Sscanf(st.Project, "p%d", &i); err != nil {
			t.Fatal(err)
		}
		if st.Milestone.ID == "b" && i%3 != 1 { // Tunis is i%3 == 1
			t.Errorf("step b of %s, not in Tunis, is overdue", st.Project)
		}
	}
}
