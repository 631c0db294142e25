package web_test

// Lists at scale: keyset pages that hold every program once, in order,
// with filters and counts; who sees what decided in SQL exactly as
// auth.Can decides it; and the work of a page that does not grow with the
// number of programs.

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/pgtest"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/web"
)

var (
	listCities = []string{"Lyon", "Tunis", "Paris"}
	listPhases = []string{"applied", "accompaniment", "demo", "dormant", "selected"}
	listThemes = []string{"democratie-numerique", "ruralite"}
)

// applyExample stores the example edition (cities, themes, milestones).
func applyExample(t testing.TB, st *store.Store) {
	t.Helper()
	b, err := os.ReadFile("../../examples/ncc-2027.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ed, err := edition.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := json.Marshal(ed)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.ApplyEdition(context.Background(), ed.ID, ed.Hash(), spec); err != nil {
		t.Fatal(err)
	}
}

// listProgram is program i of the lists' tests: its city, phase and theme
// cycle, and one step of two is overdue.
func listProgram(i int) store.Program {
	p := store.Program{Edition: "ncc-2027", Project: fmt.Sprintf("p%03d", i), Name: fmt.Sprintf("Projet %03d", i),
		City: listCities[i%len(listCities)], Phase: listPhases[i%len(listPhases)], Theme: listThemes[i%len(listThemes)],
		Holders: []string{fmt.Sprintf("h%d@example.org", i)}, WorkflowID: fmt.Sprintf("program/ncc-2027/p%03d", i),
		StartedAt: siteNow.AddDate(0, -1, 0), Seq: 1,
		Milestones: []store.Milestone{
			{ID: "demo", TitleFR: "Démo", TitleEN: "Demo", Due: "2027-03-07", Evidence: "url", Status: []string{"open", "completed"}[i%2]},
			{ID: "explainer-video", TitleFR: "Vidéo", TitleEN: "Video", Due: "2027-05-07", Evidence: "video", Status: "open"},
		}}
	return p
}

func saveListPrograms(t testing.TB, st *store.Store, n int) []store.Program {
	t.Helper()
	var out []store.Program
	for i := range n {
		p := listProgram(i)
		if err := st.SaveProgram(context.Background(), p, nil); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

var (
	dashRowRE  = regexp.MustCompile(`<tr id="p-ncc-2027-(p\d+)">`)
	homeRowRE  = regexp.MustCompile(`<tr><th scope="row"><a href="/programs/ncc-2027/(p\d+)">`)
	nextRE     = regexp.MustCompile(`<a href="([^"]*)" rel="next">`)
	prevRE     = regexp.MustCompile(`<a href="([^"]*)" rel="prev">`)
	pageOfRE   = regexp.MustCompile(`Page (\d+) of (\d+)\.`)
	dashCountR = regexp.MustCompile(`(\d+) program\(s\) of the (\d+) you follow\.`)
)

// walk follows a list's next links from path and returns the programs of
// each page, and the last page's body.
func walk(t *testing.T, srv func(string) answer, path string, rows *regexp.Regexp) ([][]string, string) {
	t.Helper()
	var pages [][]string
	for range 100 {
		a := srv(path)
		if a.status != http.StatusOK {
			t.Fatalf("GET %s: %d %.300s", path, a.status, a.body)
		}
		var keys []string
		for _, m := range rows.FindAllStringSubmatch(a.body, -1) {
			keys = append(keys, m[1])
		}
		pages = append(pages, keys)
		m := nextRE.FindStringSubmatch(a.body)
		if m == nil {
			return pages, a.body
		}
		path = html.UnescapeString(m[1])
	}
	t.Fatal("more than 100 pages")
	return nil, ""
}

// want is the keys of ps that keep says to keep, in order.
func wantKeys(ps []store.Program, keep func(store.Program) bool) []string {
	var out []string
	for _, p := range ps {
		if keep(p) {
			out = append(out, p.Project)
		}
	}
	slices.Sort(out)
	return out
}

// The dashboard's pages hold every program it shows exactly once, in
// (edition, project) order, DashPageSize a page, numbered; its previous
// links lead back through the same pages; filters combine with pages, and
// the counts say how many the filters keep of how many one follows.
func TestDashboardPagesHoldEveryProgramOnce(t *testing.T) {
	st := newStore(t)
	applyExample(t, st)
	n := 3*web.DashPageSize + 7
	ps := saveListPrograms(t, st, n)
	srv := serve(t, web.Deps{Store: st, Now: func() time.Time { return siteNow }})
	defer srv.Close()
	get := func(path string) answer {
		return send(t, srv, "GET", path, "", "", map[string]string{"Accept-Language": "en"})
	}
	for _, c := range []struct {
		query string
		keep  func(store.Program) bool
	}{
		{"", func(store.Program) bool { return true }},
		// The city in another case, as a person may type it.
		{"?city=lyon&phase=accompaniment", func(p store.Program) bool { return p.City == "Lyon" && p.Phase == "accompaniment" }},
		{"?theme=ruralite", func(p store.Program) bool { return p.Theme == "ruralite" }},
		{"?edition=ncc-2027&city=Tunis", func(p store.Program) bool { return p.City == "Tunis" }},
		{"?phase=graduated", func(store.Program) bool { return false }},
	} {
		want := wantKeys(ps, c.keep)
		pages, last := walk(t, get, "/dashboard"+c.query, dashRowRE)
		var got []string
		for i, keys := range pages {
			if i < len(pages)-1 && len(keys) != web.DashPageSize {
				t.Errorf("%s: page %d holds %d programs, want %d", c.query, i+1, len(keys), web.DashPageSize)
			}
			got = append(got, keys...)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: the pages hold %v, want each of %v once, in order", c.query, got, want)
		}
		m := dashCountR.FindStringSubmatch(last)
		if m == nil || m[1] != fmt.Sprint(len(want)) || m[2] != fmt.Sprint(n) {
			t.Errorf("%s: counts %q, want %d of %d", c.query, m, len(want), n)
		}
		wantPages := max(1, (len(want)+web.DashPageSize-1)/web.DashPageSize)
		if len(pages) != wantPages {
			t.Errorf("%s: %d pages, want %d", c.query, len(pages), wantPages)
		}
		if wantPages > 1 {
			if m := pageOfRE.FindStringSubmatch(last); m == nil || m[1] != fmt.Sprint(wantPages) || m[2] != fmt.Sprint(wantPages) {
				t.Errorf("%s: the last page says %q", c.query, m)
			}
			// Back, through the previous links, to the first page.
			body := last
			for i := len(pages) - 2; i >= 0; i-- {
				m := prevRE.FindStringSubmatch(body)
				if m == nil {
					t.Fatalf("%s: page %d has no previous link", c.query, i+2)
				}
				a := get(html.UnescapeString(m[1]))
				var keys []string
				for _, m := range dashRowRE.FindAllStringSubmatch(a.body, -1) {
					keys = append(keys, m[1])
				}
				if !slices.Equal(keys, pages[i]) {
					t.Errorf("%s: back on page %d: %v, want %v", c.query, i+1, keys, pages[i])
				}
				if pm := pageOfRE.FindStringSubmatch(a.body); pm == nil || pm[1] != fmt.Sprint(i+1) {
					t.Errorf("%s: back on page %d, it says %q", c.query, i+1, pm)
				}
				body = a.body
			}
			if prevRE.MatchString(body) {
				t.Errorf("%s: the first page has a previous link", c.query)
			}
		}
	}
	// page= alone (the old links) counts from the start; past the end is
	// the last page.
	two := get("/dashboard?page=2")
	pages, _ := walk(t, get, "/dashboard", dashRowRE)
	var keys []string
	for _, m := range dashRowRE.FindAllStringSubmatch(two.body, -1) {
		keys = append(keys, m[1])
	}
	if !slices.Equal(keys, pages[1]) || !strings.Contains(two.body, "Page 2 of 4.") {
		t.Errorf("?page=2 holds %v, want %v", keys, pages[1])
	}
	if a := get("/dashboard?page=99"); !strings.Contains(a.body, "Page 4 of 4.") || !strings.Contains(a.body, pages[3][0]) {
		t.Errorf("?page=99 is not the last page: %d", a.status)
	}
	for _, bad := range []string{"?page=0", "?page=x", "?after=nope", "?before=ncc-2027", "?after=ncc-2027/p001&before=ncc-2027/p009", "?phase=asleep"} {
		if a := get("/dashboard" + bad); a.status != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", bad, a.status)
		}
	}
}

// The home page lists what one may see a page at a time, each once.
func TestHomePagesHoldEveryProgramOnce(t *testing.T) {
	st := newStore(t)
	applyExample(t, st)
	n := 2*web.HomePageSize + 3
	ps := saveListPrograms(t, st, n)
	srv := serve(t, web.Deps{Store: st, Now: func() time.Time { return siteNow }})
	defer srv.Close()
	get := func(path string) answer {
		return send(t, srv, "GET", path, "", "", map[string]string{"Accept-Language": "en"})
	}
	pages, _ := walk(t, get, "/", homeRowRE)
	var got []string
	for _, keys := range pages {
		got = append(got, keys...)
	}
	if want := wantKeys(ps, func(store.Program) bool { return true }); len(pages) != 3 || !slices.Equal(got, want) {
		t.Errorf("%d pages holding %v, want 3 holding %v", len(pages), got, want)
	}
	// A holder sees their program only.
	secret, hash := auth.NewSecret(auth.TokenPrefix)
	if _, err := st.CreateToken(context.Background(), "h7@example.org", "t", hash); err != nil {
		t.Fatal(err)
	}
	a := send(t, srv, "GET", "/", "", "", map[string]string{"Authorization": "Bearer " + secret})
	if rows := homeRowRE.FindAllStringSubmatch(a.body, -1); len(rows) != 1 || rows[0][1] != "p007" || nextRE.MatchString(a.body) {
		t.Errorf("the holder of p007 sees %v", rows)
	}
	if a := get("/?after=x"); a.status != http.StatusBadRequest {
		t.Errorf("?after=x: %d", a.status)
	}
}

// GET /api/v1/programs pages hold every program once, with filters, and
// say next only when there is a next page.
func TestProgramListPagesHoldEveryProgramOnce(t *testing.T) {
	st := newStore(t)
	ps := saveListPrograms(t, st, 35)
	srv := serve(t, web.Deps{Store: st})
	defer srv.Close()
	for _, c := range []struct {
		query string
		limit int
		keep  func(store.Program) bool
	}{
		{"", 7, func(store.Program) bool { return true }},
		{"&phase=demo", 3, func(p store.Program) bool { return p.Phase == "demo" }},
		{"&edition=ncc-2027", 5, func(store.Program) bool { return true }},
		{"&edition=ncc-2026", 5, func(store.Program) bool { return false }},
	} {
		var got []string
		path := fmt.Sprintf("/api/v1/programs?limit=%d%s", c.limit, c.query)
		for range 50 {
			a := send(t, srv, "GET", path, "", "", nil)
			var page api.ProgramList
			if err := json.Unmarshal([]byte(a.body), &page); a.status != http.StatusOK || err != nil {
				t.Fatalf("%s: %d %v", path, a.status, err)
			}
			for _, p := range page.Programs {
				got = append(got, p.Project)
			}
			if page.Next != "" && len(page.Programs) != c.limit {
				t.Errorf("%s: a page of %d that is not the last", path, len(page.Programs))
			}
			if page.Next == "" {
				break
			}
			path = fmt.Sprintf("/api/v1/programs?limit=%d%s&after=%s", c.limit, c.query, page.Next)
		}
		if want := wantKeys(ps, c.keep); !slices.Equal(got, want) {
			t.Errorf("%s: pages hold %v, want %v", c.query, got, want)
		}
	}
}

// What lists show is decided in SQL (auth.Scope) exactly as auth.Can
// decides program by program: for every kind of person of the role matrix,
// and people written in other cases or beyond ASCII, the programs a scoped
// query returns (without asking Can again) are exactly those of all
// programs that Can lets them view, over programs of every phase, cities
// in several cases, people in several cases, funded, unfunded and not.
func TestListsAreExactlyWhatCanAllows(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	st := f.st
	started := time.Date(2027, 3, 5, 17, 0, 0, 0, time.UTC)
	extra := []store.Program{
		{Project: "lyon-lower", City: "lyon", Phase: "demo", Holders: []string{"HOLDER@EXAMPLE.ORG"}},
		{Project: "lyon-upper", City: "LYON", Phase: "accompaniment", Mentors: []string{"Mentor@Example.Org"}},
		{Project: "lyon-rejected", City: "Lyon", Phase: "rejected", Holders: []string{"x@example.org"}},
		{Project: "tunis-applied", City: "Tunis", Phase: "applied", Holders: []string{"y@example.org"}},
		{Project: "paris", City: "Paris", Phase: "graduated", Holders: []string{"Élodie@Example.org"}},
		{Project: "evry", City: "Évry", Phase: "selected", Holders: []string{"\u212aim@example.org"}},
		{Project: "evry-upper", City: "ÉVRY", Phase: "dormant", Mentors: []string{"SAM@example.org"}},
		{Project: "nowhere", City: "", Phase: "demo", Holders: []string{"z@example.org"}},
		{Project: "unfunded", City: "Paris", Phase: "demo", Holders: []string{"w@example.org"}},
	}
	for _, p := range extra {
		p.Edition, p.Name, p.WorkflowID, p.StartedAt, p.Seq = mxEdition, p.Project, "program/"+mxEdition+"/"+p.Project, started, 1
		if err := st.SaveProgram(ctx, p, nil); err != nil {
			t.Fatal(err)
		}
	}
	for project, funder := range map[string]string{"paris": "metropole", "evry": "region", "unfunded": "metropole"} {
		if err := st.Fund(ctx, mxEdition, project, funder); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Unfund(ctx, mxEdition, "unfunded", "metropole", time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, g := range []auth.Grant{
		{Email: "evry@example.org", Role: auth.Coordinator, City: "évry"},
		{Email: "jury-evry@example.org", Role: auth.Jury, Edition: mxEdition, City: "ÉVRY"},
		{Email: "lyon-funder@example.org", Role: auth.Coordinator, City: "LYON"},
		{Email: "lyon-funder@example.org", Role: auth.Funder, Funder: "region"},
	} {
		if _, err := st.AddGrant(ctx, g, "test"); err != nil {
			t.Fatal(err)
		}
	}
	all, err := st.ListPrograms(ctx, store.ProgramFilter{})
	if err != nil {
		t.Fatal(err)
	}
	emails := []string{"evry@example.org", "jury-evry@example.org", "lyon-funder@example.org", "ÉLODIE@example.org", "kim@example.org",
		"ſam@example.org", "holder@EXAMPLE.org", "nobody-at-all@example.org"}
	for _, e := range personaEmails {
		emails = append(emails, e)
	}
	for _, email := range emails {
		who, err := st.Person(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		counts, candidates, err := st.ScopeInputs(ctx, who.Email)
		if err != nil {
			t.Fatal(err)
		}
		scope := auth.ViewScope(who, store.Groups(counts), candidates)
		got, err := st.ListPrograms(ctx, store.ProgramFilter{Scope: &scope})
		if err != nil {
			t.Fatal(err)
		}
		var want, seen []string
		for _, p := range all {
			funders, err := st.ProgramFunders(ctx, p.Edition, p.Project)
			if err != nil {
				t.Fatal(err)
			}
			ap := &auth.Program{Edition: p.Edition, Project: p.Project, City: p.City, Phase: p.Phase, Holders: p.Holders, Mentors: p.Mentors, Funders: funders}
			if auth.Can(who, auth.ViewProgram, ap) {
				want = append(want, p.Project)
			}
		}
		for _, p := range got {
			seen = append(seen, p.Project)
		}
		if !slices.Equal(seen, want) {
			t.Errorf("%s: the scoped query lists %v; auth.Can allows %v", email, seen, want)
		}
	}
	// The people the test is about do see something.
	for _, email := range []string{"evry@example.org", "jury-evry@example.org", "ÉLODIE@example.org", "kim@example.org", "ſam@example.org"} {
		who, _ := st.Person(ctx, email)
		counts, candidates, _ := st.ScopeInputs(ctx, who.Email)
		if s := auth.ViewScope(who, store.Groups(counts), candidates); s.Empty() {
			t.Errorf("%s sees nothing: the test proves little", email)
		}
	}
}

// queryCounter counts what a store asks of Postgres: statements, round
// trips (a batch is one) and rows returned.
type queryCounter struct {
	mu                      sync.Mutex
	statements, trips, rows int
}

func (c *queryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.mu.Lock()
	c.statements++
	c.trips++
	c.mu.Unlock()
	return ctx
}
func (c *queryCounter) TraceQueryEnd(_ context.Context, _ *pgx.Conn, d pgx.TraceQueryEndData) {
	c.mu.Lock()
	c.rows += int(d.CommandTag.RowsAffected())
	c.mu.Unlock()
}
func (c *queryCounter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	c.mu.Lock()
	c.trips++
	c.mu.Unlock()
	return ctx
}
func (c *queryCounter) TraceBatchQuery(_ context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	c.mu.Lock()
	c.statements++
	c.rows += int(d.CommandTag.RowsAffected())
	c.mu.Unlock()
}
func (c *queryCounter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

func (c *queryCounter) read() [3]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return [3]int{c.statements, c.trips, c.rows}
}

// The dashboard, the home page and the program list ask Postgres the same
// few things whatever the number of programs: at 300 or 600 programs, the
// same statements in the same round trips (a handful), returning the same
// number of rows (the pages are bounded, the counts come from the groups'
// own counts), fewer than a page of programs with their steps.
func TestListsAskTheSameWhateverTheirSize(t *testing.T) {
	measure := func(n int) map[string][3]int {
		counter := &queryCounter{}
		st, err := store.OpenTraced(context.Background(), pgtest.NewDatabase(t), counter)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if _, err := st.Migrate(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		applyExample(t, st)
		saveListPrograms(t, st, n)
		srv := serve(t, web.Deps{Store: st, Now: func() time.Time { return siteNow }})
		defer srv.Close()
		out := map[string][3]int{}
		for _, path := range []string{"/dashboard", "/dashboard?city=lyon&theme=ruralite", "/dashboard?after=ncc-2027%2Fp005&page=2", "/", "/?after=ncc-2027%2Fp005&page=2", "/api/v1/programs"} {
			// Once to warm the editions' cache, then measured.
			send(t, srv, "GET", path, "", "", nil)
			c0 := counter.read()
			if a := send(t, srv, "GET", path, "", "", nil); a.status != http.StatusOK {
				t.Fatalf("%s at %d programs: %d", path, n, a.status)
			}
			c1 := counter.read()
			out[path] = [3]int{c1[0] - c0[0], c1[1] - c0[1], c1[2] - c0[2]}
		}
		return out
	}
	small, big := measure(300), measure(600)
	for path, s := range small {
		b := big[path]
		if s != b {
			t.Errorf("%s: %d statements in %d round trips returning %d rows at 300 programs, %d in %d returning %d at 600",
				path, s[0], s[1], s[2], b[0], b[1], b[2])
		}
		if b[1] > 6 || b[2] > 300 {
			t.Errorf("%s: %d round trips to Postgres, %d rows", path, b[1], b[2])
		}
		t.Logf("%s: %d statements in %d round trips, %d rows", path, b[0], b[1], b[2])
	}
}
