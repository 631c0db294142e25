package web_test

// The role × route matrix: every route of web.Routes(), pages and API, asked
// by every kind of person Suivi knows, over real HTTP against a real
// Postgres, with the status each one must get for the program
// ncc-2027/demoscampi (Lyon, in its demo phase).
//
// Adding a route? Add its rows in an init() of any _test.go file of this
// package, keyed by the route's pattern exactly as routes() declares it:
//
//	func init() {
//		addRows(map[string][]row{
//			"GET /dashboard": {{want: only(303, 200, 404, global, lyon, tunis)}},
//		})
//	}
//
// A row without a path asks the pattern's path with {edition}/{project} set
// to ncc-2027/demoscampi; other wildcards need a path. Every row must give a
// status for every role (the helpers below do): TestRoleRouteMatrix fails on
// a route with no row, a row with a role missing, and a row whose route is
// gone. Signed out, the API answers 401 and a page that needs sign-in 303
// (to /signin); the test does not follow redirects.
//
// Routes that reach Temporal (actions, start, forget, mentor and holder
// changes, edition apply) run against a Temporal client dialled to a closed
// port: a caller who may not act is refused before Temporal (401, 403, 404),
// one who may gets 503 ("allowed: reaches Temporal", written reaches below).

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/web"
	"github.com/codecitoyen/suivi/workflows"
)

// role is one kind of person asking.
type role string

// The roles of the matrix, for the program ncc-2027/demoscampi in Lyon.
const (
	anon        role = "signed out"
	global      role = "coordinator of every city"
	lyon        role = "coordinator of Lyon"
	tunis       role = "coordinator of Tunis"
	mentor      role = "mentor of the program"
	otherMentor role = "mentor of another program"
	holder      role = "holder of the program"
	jury        role = "jury of ncc-2027 in Lyon"
	otherJury   role = "jury of ncc-2027 in Tunis"
	funder      role = "funder of the program"
	otherFunder role = "funder of another program"
	nobody      role = "signed in, no role"
)

// roles lists every role, in the order failures are reported.
var roles = []role{anon, global, lyon, tunis, mentor, otherMentor, holder, jury, otherJury, funder, otherFunder, nobody}

// signedIn is every role but anon.
var signedIn = roles[1:]

// reaches is the status of an allowed request that goes on to Temporal,
// which the matrix server cannot reach.
const reaches = http.StatusServiceUnavailable

// The fixed program of the matrix and its people.
const (
	mxEdition = "ncc-2027"
	mxProject = "demoscampi"
	mxProgram = mxEdition + "/" + mxProject
)

// emails are who each role is.
var emails = map[role]string{
	global: "global@example.org", lyon: "lyon@example.org", tunis: "tunis@example.org",
	mentor: "mentor@example.org", otherMentor: "other-mentor@example.org", holder: "holder@example.org",
	jury: "jury-lyon@example.org", otherJury: "jury-tunis@example.org",
	funder: "funder@example.org", otherFunder: "other-funder@example.org", nobody: "nobody@example.org",
}

// want is the status each role must get.
type want map[role]int

// row is one request to a route and what each role gets.
type row struct {
	// name tells rows of one route apart in failures ("select", "mentor").
	name string
	// path is the URL path and query; "" is the pattern's path with
	// {edition}/{project} set to ncc-2027/demoscampi.
	path string
	// ctype and body are the request's; a body without a type is sent as a
	// form when the route is a page, as JSON under /api/.
	ctype, body string
	want        want
}

var (
	matrixMu sync.Mutex
	matrix   = map[string][]row{}
)

// addRows adds rows to the matrix, from an init() of any _test.go file.
// Two files giving rows for one route is a mistake: it panics.
func addRows(rows map[string][]row) {
	matrixMu.Lock()
	defer matrixMu.Unlock()
	for pattern, rs := range rows {
		if _, dup := matrix[pattern]; dup {
			panic("matrix: rows for " + pattern + " are given twice")
		}
		matrix[pattern] = rs
	}
}

// everyone gives ok to every signed-in role, and signedOut to anon.
func everyone(signedOut, ok int) want {
	w := want{anon: signedOut}
	for _, r := range signedIn {
		w[r] = ok
	}
	return w
}

// only gives ok to who, and others to every other signed-in role.
func only(signedOut, ok, others int, who ...role) want {
	w := everyone(signedOut, others)
	for _, r := range who {
		w[r] = ok
	}
	return w
}

// viewersOf are the roles that may view ncc-2027/demoscampi: its city's
// coordinators, its mentor and holder, the jury of its edition and city
// (it is past selection), its funder.
var viewersOf = []role{global, lyon, mentor, holder, jury, funder}

// viewers gives ok to whoever may view the program, 404 to everyone else
// (exactly as for a program that does not exist).
func viewers(signedOut, ok int) want { return only(signedOut, ok, http.StatusNotFound, viewersOf...) }

// actors gives ok to who, 403 to the program's other viewers (they may see
// it, not do this), 404 to those who may not see it.
func actors(signedOut, ok int, who ...role) want {
	w := viewers(signedOut, http.StatusForbidden)
	for _, r := range who {
		w[r] = ok
	}
	return w
}

// withRole is every role that holds some role (all but nobody).
var withRole = slices.DeleteFunc(slices.Clone(signedIn), func(r role) bool { return r == nobody })

// The fixed requests some rows share.
const (
	unknownLink = "l_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	startLyon   = `{"edition": "ncc-2027", "project": "nouveau", "name": "Nouveau", "holders": ["new-holder@example.org"], "repositories": ["codecitoyen/nouveau"], "city": "Lyon"}`
	startTunis  = `{"edition": "ncc-2027", "project": "jadid", "name": "Jadid", "holders": ["new-holder@example.org"], "repositories": ["codecitoyen/jadid"], "city": "Tunis"}`
)

// actionBodies are a valid body for each action; who may take it besides
// the program's coordinators.
var actionRows = []struct {
	action, body string
	also         []role
}{
	{workflows.UpdateSelect, `{}`, nil},
	{workflows.UpdateReject, `{"note": "hors sujet"}`, nil},
	{workflows.UpdateSubmit, `{"milestone": "demo", "url": "https://example.org/demo"}`, []role{holder}},
	{workflows.UpdateComplete, `{"milestone": "demo"}`, []role{mentor}},
	{workflows.UpdateWaive, `{"milestone": "explainer-video", "note": "pas de vidéo"}`, []role{mentor}},
	{workflows.UpdateScore, `{"score": 15, "comment": "belle démo"}`, []role{jury}},
	{workflows.UpdateAssignMentor, `{"mentor": "m2@example.org"}`, nil},
	{workflows.UpdateRemoveMentor, `{"mentor": "mentor@example.org"}`, nil},
	{workflows.UpdateExtend, `{"milestone": "demo", "due": "2027-06-01"}`, nil},
	{workflows.UpdatePause, `{"note": "été"}`, nil},
	{workflows.UpdateResume, `{}`, nil},
	{workflows.UpdateWithdraw, `{}`, nil},
	{workflows.UpdateGraduate, `{}`, nil},
	{workflows.UpdateAttend, `{"meetup": "2027-04"}`, []role{mentor}},
	{workflows.UpdateAddHolder, `{"holder": "h2@example.org"}`, nil},
	{workflows.UpdateRemoveHolder, `{"holder": "holder@example.org"}`, nil},
}

func init() {
	const (
		ok        = http.StatusOK
		created   = http.StatusCreated
		seeOther  = http.StatusSeeOther
		forbidden = http.StatusForbidden
		notFound  = http.StatusNotFound
		unauth    = http.StatusUnauthorized
	)
	var actions []row
	for _, a := range actionRows {
		actions = append(actions, row{name: a.action, path: "/api/v1/programs/ncc-2027/demoscampi/actions/" + a.action,
			body: a.body, want: actors(unauth, reaches, append([]role{global, lyon}, a.also...)...)})
	}
	// Recording a step for someone else is a coordinator's; a mentor may
	// complete, not on behalf of anyone.
	onBehalf := actors(unauth, reaches, global, lyon)
	actions = append(actions,
		row{name: "complete on behalf of the holder", path: "/api/v1/programs/ncc-2027/demoscampi/actions/complete",
			body: `{"milestone": "demo", "on_behalf_of": "holder@example.org"}`, want: onBehalf},
		row{name: "no such action", path: "/api/v1/programs/ncc-2027/demoscampi/actions/bogus", body: `{}`, want: everyone(unauth, notFound)})

	addRows(map[string][]row{
		// Pages and public routes.
		"GET /{$}":                 {{want: everyone(ok, ok)}},
		"GET /healthz":             {{want: everyone(ok, ok)}},
		"GET /signin":              {{want: everyone(ok, ok)}},
		"POST /signin":             {{body: "email=unknown%40example.org", want: everyone(ok, ok)}},
		"GET /signin/confirm":      {{path: "/signin/confirm?t=" + unknownLink, want: everyone(notFound, notFound)}},
		"POST /signin/confirm":     {{body: "t=" + unknownLink, want: everyone(notFound, notFound)}},
		"POST /signout":            {{want: everyone(seeOther, seeOther)}},
		"POST /signout/everywhere": {{want: everyone(seeOther, seeOther)}},
		// Preferences are reached by a signed link, not a session: without
		// one, nobody gets them.
		"GET /prefs":              {{want: everyone(forbidden, forbidden)}},
		"POST /prefs":             {{body: "t=x&locale=en", want: everyone(forbidden, forbidden)}},
		"POST /prefs/unsubscribe": {{path: "/prefs/unsubscribe?t=x", want: everyone(forbidden, forbidden)}},
		"GET /prefs/unsubscribe":  {{path: "/prefs/unsubscribe?t=x", want: everyone(forbidden, forbidden)}},
		// No MailDir outside `suivi dev`: nothing to show.
		"GET /dev/mail":                     {{want: everyone(notFound, notFound)}},
		"GET /dev/mail/{name}":              {{path: "/dev/mail/1.eml", want: everyone(notFound, notFound)}},
		"GET /programs/{edition}/{project}": {{want: viewers(seeOther, ok)}},

		// The API.
		"GET /api/v1/openapi.json":        {{want: everyone(ok, ok)}},
		"POST /api/v1/signin":             {{body: `{"email": "unknown@example.org"}`, want: everyone(http.StatusAccepted, http.StatusAccepted)}},
		"POST /api/v1/tokens/exchange":    {{body: `{"link": "` + unknownLink + `"}`, want: everyone(unauth, unauth)}},
		"GET /api/v1/me":                  {{want: everyone(unauth, ok)}},
		"GET /api/v1/tokens":              {{want: only(unauth, ok, notFound, withRole...)}},
		"POST /api/v1/tokens":             {{body: `{"name": "matrix"}`, want: only(unauth, created, notFound, withRole...)}},
		"POST /api/v1/tokens/{id}/revoke": {{path: "/api/v1/tokens/999999/revoke", body: `{}`, want: everyone(unauth, notFound)}},
		"GET /api/v1/users":               {{want: only(unauth, ok, notFound, global)}},
		"POST /api/v1/users": {
			{name: "coordinator", body: `{"email": "new-coord@example.org", "role": "coordinator", "city": "Paris"}`, want: only(unauth, created, notFound, global)},
			{name: "mentor", body: `{"email": "m3@example.org", "role": "mentor", "program": "ncc-2027/demoscampi"}`, want: actors(unauth, reaches, global, lyon)},
			{name: "holder", body: `{"email": "h3@example.org", "role": "holder", "program": "ncc-2027/demoscampi"}`, want: actors(unauth, reaches, global, lyon)},
		},
		"POST /api/v1/users/remove": {
			{name: "coordinator", body: `{"email": "gone@example.org", "role": "coordinator", "city": "Paris"}`, want: only(unauth, ok, notFound, global)},
			{name: "holder", body: `{"email": "holder@example.org", "role": "holder", "program": "ncc-2027/demoscampi"}`, want: actors(unauth, reaches, global, lyon)},
		},
		"POST /api/v1/programs": {
			{name: "in Lyon", body: startLyon, want: only(unauth, reaches, forbidden, global, lyon)},
			{name: "in Tunis", body: startTunis, want: only(unauth, reaches, forbidden, global, tunis)},
		},
		"GET /api/v1/programs": {{want: only(unauth, ok, notFound, withRole...)}},
		// The workflow cannot be queried here: the answer is still 200, the
		// read model with workflow.error.
		"GET /api/v1/programs/{edition}/{project}":                   {{want: viewers(unauth, ok)}},
		"POST /api/v1/programs/{edition}/{project}/actions/{action}": actions,
		"GET /api/v1/programs/{edition}/{project}/activity":          {{want: viewers(unauth, ok)}},
		"POST /api/v1/programs/{edition}/{project}/forget":           {{body: `{}`, want: actors(unauth, reaches, global)}},
		"POST /api/v1/programs/{edition}/{project}/funders":          {{body: `{"funder": "matrix-fund"}`, want: actors(unauth, ok, global, lyon)}},
		"POST /api/v1/programs/{edition}/{project}/funders/remove":   {{path: "/api/v1/programs/ncc-2027/candidat/funders/remove", body: `{"funder": "matrix-fund"}`, want: only(unauth, ok, notFound, global, lyon)}},
		"POST /api/v1/programs/{edition}/{project}/public":           {{body: `{"public": true}`, want: actors(unauth, ok, global, lyon, holder)}},
		"POST /api/v1/editions":                                      {{ctype: "application/yaml", body: editionYAML, want: only(unauth, reaches, notFound, global)}},
		"GET /api/v1/editions/{id}":                                  {{path: "/api/v1/editions/ncc-2027", want: only(unauth, ok, notFound, withRole...)}},
		"GET /api/v1/people/{email}":                                 {{path: "/api/v1/people/holder@example.org", want: only(unauth, ok, notFound, global, holder)}},
		"PUT /api/v1/people/{email}":                                 {{path: "/api/v1/people/holder@example.org", body: `{"locale": "en"}`, want: only(unauth, ok, notFound, global, holder)}},
	})
}

// editionYAML is the example edition file.
var editionYAML = func() string {
	b, err := os.ReadFile("../../examples/ncc-2027.yaml")
	if err != nil {
		panic(err)
	}
	return string(b)
}()

// fixture is a web server on a fresh database holding the matrix's
// programs and people, each with an API token.
type fixture struct {
	srv    *httptest.Server
	st     *store.Store
	tokens map[role]string
}

// fixtureNow is the fixture's clock: within ncc-2027's accompaniment.
var fixtureNow = time.Date(2027, 4, 1, 8, 0, 0, 0, time.UTC)

// newFixture starts the matrix's server; change adjusts its Deps.
func newFixture(t *testing.T, change func(*web.Deps)) *fixture {
	t.Helper()
	ctx := context.Background()
	st := newStore(t)
	tc, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tc.Close)
	d := web.Deps{Store: st, Temporal: tc, RequestTimeout: 10 * time.Second, Now: func() time.Time { return fixtureNow }}
	if change != nil {
		change(&d)
	}
	ed, err := edition.Parse([]byte(editionYAML))
	if err != nil {
		t.Fatal(err)
	}
	spec, err := json.Marshal(ed)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.ApplyEdition(ctx, ed.ID, ed.Hash(), spec); err != nil {
		t.Fatal(err)
	}
	started := time.Date(2027, 3, 5, 17, 0, 0, 0, time.UTC)
	programs := []store.Program{
		{Edition: mxEdition, Project: mxProject, Name: "Démocratie et crustacés", City: "Lyon", Phase: "demo",
			Holders: []string{emails[holder]}, Mentors: []string{emails[mentor]}, Repositories: []string{"https://github.com/codecitoyen/demoscampi"},
			Milestones: []store.Milestone{
				{ID: "demo", TitleFR: "Démo", TitleEN: "Demo", Due: "2027-03-07", Evidence: "url", Status: "open"},
				{ID: "explainer-video", TitleFR: "Vidéo", TitleEN: "Video", Due: "2027-04-07", Evidence: "video", Status: "open"},
			}},
		{Edition: mxEdition, Project: "autre", Name: "Autre projet", City: "Tunis", Phase: "accompaniment",
			Holders: []string{"other-holder@example.org"}, Mentors: []string{emails[otherMentor]}, Repositories: []string{"https://github.com/codecitoyen/autre"}},
		// Not selected: its city's coordinators see it, the jury not yet.
		{Edition: mxEdition, Project: "candidat", Name: "Candidat", City: "Lyon", Phase: "applied",
			Holders: []string{"candidate@example.org"}, Repositories: []string{"https://github.com/codecitoyen/candidat"}},
	}
	for _, p := range programs {
		p.WorkflowID, p.StartedAt, p.Seq = workflows.ProgramWorkflowID(p.Edition, p.Project), started, 1
		if err := st.SaveProgram(ctx, p, nil); err != nil {
			t.Fatal(err)
		}
	}
	for slug, contact := range map[string]string{"metropole": emails[funder], "region": emails[otherFunder], "matrix-fund": "mf@example.org"} {
		if err := st.AddFunder(ctx, store.Funder{Slug: slug, Name: "Funder " + slug, Lang: "fr", Contacts: []string{contact}}, "matrix"); err != nil {
			t.Fatal(err)
		}
	}
	for program, f := range map[string]string{mxProject: "metropole", "autre": "region"} {
		if err := st.Fund(ctx, mxEdition, program, f); err != nil {
			t.Fatal(err)
		}
	}
	grants := []auth.Grant{
		{Email: emails[global], Role: auth.Coordinator},
		{Email: emails[lyon], Role: auth.Coordinator, City: "Lyon"},
		{Email: emails[tunis], Role: auth.Coordinator, City: "Tunis"},
		{Email: emails[jury], Role: auth.Jury, Edition: mxEdition, City: "Lyon"},
		{Email: emails[otherJury], Role: auth.Jury, Edition: mxEdition, City: "Tunis"},
		{Email: emails[funder], Role: auth.Funder, Funder: "metropole"},
		{Email: emails[otherFunder], Role: auth.Funder, Funder: "region"},
		{Email: "gone@example.org", Role: auth.Coordinator, City: "Paris"},
	}
	for _, g := range grants {
		if _, err := st.AddGrant(ctx, g, "matrix"); err != nil {
			t.Fatal(err)
		}
	}
	f := &fixture{st: st, tokens: map[role]string{}}
	for r, email := range emails {
		f.tokens[r] = newToken(t, st, email)
	}
	f.srv = serve(t, d)
	t.Cleanup(f.srv.Close)
	return f
}

// newToken makes an API token for email and returns its secret.
func newToken(t *testing.T, st *store.Store, email string) string {
	t.Helper()
	secret, hash := auth.NewSecret(auth.TokenPrefix)
	if _, err := st.CreateToken(context.Background(), email, "matrix", hash); err != nil {
		t.Fatal(err)
	}
	return secret
}

// noRedirects is a client that shows redirects rather than following them.
var noRedirects = &http.Client{
	Timeout:       60 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// ask sends one request as r (anon: no credentials).
func (f *fixture) ask(t *testing.T, r role, method, path, ctype, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype == "" && body != "" {
		ctype = "application/x-www-form-urlencoded"
		if strings.HasPrefix(path, "/api/") {
			ctype = "application/json"
		}
	}
	if ctype == "" && method != http.MethodGet && strings.HasPrefix(path, "/api/") {
		ctype = "application/json"
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if r != anon {
		req.Header.Set("Authorization", "Bearer "+f.tokens[r])
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Errorf("%s %s as %s: %v", method, path, r, err)
		return answer{}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header.Get("Content-Type"), string(b), resp.Header}
}

// requestOf is a row's concrete request on route pattern.
func requestOf(pattern string, rw row) (method, path string, err error) {
	method, path, _ = strings.Cut(pattern, " ")
	if rw.path != "" {
		return method, rw.path, nil
	}
	path = strings.TrimSuffix(path, "{$}")
	path = strings.NewReplacer("{edition}", mxEdition, "{project}", mxProject).Replace(path)
	if strings.Contains(path, "{") {
		return "", "", fmt.Errorf("%s: a row of this route needs a path (it has wildcards besides {edition}/{project})", pattern)
	}
	return method, path, nil
}

func TestRoleRouteMatrix(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	routes := web.Routes()
	known := map[string]web.Route{}
	for _, rt := range routes {
		known[rt.Pattern] = rt
		if len(matrix[rt.Pattern]) == 0 {
			t.Errorf("route %q has no row in the role × route matrix: add its rows with addRows in an init() of a _test.go file (see matrix_test.go)", rt.Pattern)
		}
	}
	for _, pattern := range slices.Sorted(maps.Keys(matrix)) {
		if _, ok := known[pattern]; !ok {
			t.Errorf("the matrix has rows for %q, which is not a route of web.Routes(): remove or rename them", pattern)
		}
	}

	type cell struct {
		pattern string
		rw      row
		who     role
		method  string
		path    string
	}
	var cells []cell
	for _, rt := range routes {
		for _, rw := range matrix[rt.Pattern] {
			method, path, err := requestOf(rt.Pattern, rw)
			if err != nil {
				t.Error(err)
				continue
			}
			for _, r := range roles {
				if _, ok := rw.want[r]; !ok {
					t.Errorf("%s %s: the row gives no status for %q", rt.Pattern, rw.name, r)
					continue
				}
				cells = append(cells, cell{rt.Pattern, rw, r, method, path})
			}
		}
	}
	got := make([]answer, len(cells))
	run := func(indexes []int) {
		var wg sync.WaitGroup
		sem := make(chan struct{}, 4)
		for _, i := range indexes {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				c := cells[i]
				got[i] = f.ask(t, c.who, c.method, c.path, c.rw.ctype, c.rw.body)
			}()
		}
		wg.Wait()
	}
	// Sign-outs last: with a token they end no session, but keep them
	// from racing anything else all the same.
	var first, last []int
	for i, c := range cells {
		if strings.HasPrefix(c.pattern, "POST /signout") {
			last = append(last, i)
		} else {
			first = append(first, i)
		}
	}
	run(first)
	run(last)

	var wrong []string
	for i, c := range cells {
		a, want := got[i], c.rw.want[c.who]
		label := c.pattern
		if c.rw.name != "" {
			label += " [" + c.rw.name + "]"
		}
		if a.status != want {
			wrong = append(wrong, fmt.Sprintf("%s as %s: %d, want %d (%.160s)", label, c.who, a.status, want, strings.Join(strings.Fields(a.body), " ")))
			continue
		}
		if c.who == anon && a.status == http.StatusSeeOther && !known[c.pattern].Public {
			if loc := a.header.Get("Location"); !strings.HasPrefix(loc, "/signin?next=") {
				wrong = append(wrong, fmt.Sprintf("%s signed out: redirected to %q, want /signin?next=…", label, loc))
			}
		}
		if a.status == reaches && !strings.Contains(a.body, "Temporal") {
			wrong = append(wrong, fmt.Sprintf("%s as %s: 503 for another reason than Temporal: %.200s", label, c.who, a.body))
		}
	}
	sort.Strings(wrong)
	for _, w := range wrong {
		t.Error(w)
	}
	t.Logf("%d routes, %d requests", len(routes), len(cells))
}

// A program one may not see is answered exactly as one that does not exist:
// same status, same type, same body (the slug aside), on every route that
// names a program, pages and API alike.
func TestNoExistenceLeak(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	const missing = "nosuchproject"
	checked := 0
	for _, rt := range web.Routes() {
		for _, rw := range matrix[rt.Pattern] {
			method, path, err := requestOf(rt.Pattern, rw)
			if err != nil || (!strings.Contains(path, mxProgram) && !strings.Contains(rw.body, mxProgram)) {
				continue
			}
			for _, r := range signedIn {
				if rw.want[r] != http.StatusNotFound {
					continue
				}
				seen := f.ask(t, r, method, path, rw.ctype, rw.body)
				none := f.ask(t, r, method, strings.ReplaceAll(path, mxProject, missing), rw.ctype, strings.ReplaceAll(rw.body, mxProject, missing))
				none.body = strings.ReplaceAll(none.body, missing, mxProject)
				if seen.status != none.status || seen.ctype != none.ctype || seen.body != none.body {
					t.Errorf("%s %s as %s: a program one may not see answers %d %s %.200q; a missing one %d %s %.200q",
						rt.Pattern, rw.name, r, seen.status, seen.ctype, seen.body, none.status, none.ctype, none.body)
				}
				checked++
			}
		}
	}
	if checked < 50 {
		t.Errorf("only %d requests compared: the matrix lost its program rows?", checked)
	}
}

// Lists hold what one may see and nothing else.
func TestProgramListShowsOnlyWhatOneMaySee(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	wantSeen := map[role][]string{
		global: {"autre", "candidat", mxProject}, lyon: {"candidat", mxProject}, tunis: {"autre"},
		mentor: {mxProject}, otherMentor: {"autre"}, holder: {mxProject},
		jury: {mxProject}, otherJury: {"autre"}, funder: {mxProject}, otherFunder: {"autre"},
	}
	for _, r := range withRole {
		a := f.ask(t, r, "GET", "/api/v1/programs", "", "")
		var list api.ProgramList
		if err := json.Unmarshal([]byte(a.body), &list); a.status != http.StatusOK || err != nil {
			t.Errorf("%s: %d %v", r, a.status, err)
			continue
		}
		var seen []string
		for _, p := range list.Programs {
			seen = append(seen, p.Project)
		}
		slices.Sort(seen)
		if !slices.Equal(seen, wantSeen[r]) {
			t.Errorf("%s sees %v, want %v", r, seen, wantSeen[r])
		}
	}
}
