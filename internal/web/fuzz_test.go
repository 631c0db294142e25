package web_test

// Fuzz targets for every body the web server reads: the JSON (and YAML)
// bodies of the API (FuzzAPI) and the forms of the pages (FuzzForms). Each
// input is a route, a value for the route's one fuzzed path or query
// parameter, and a body; the request runs in-process against the pages'
// fixture (a real Postgres) with a Temporal that refuses every call at
// once. Whatever the input:
//
//   - no panic (the handler runs in the fuzzer's goroutine, so a panic is
//     the fuzzer's, with its input);
//   - no 500, and a 503 only once the request reached Temporal (a valid
//     body goes that far; the properties are about the others);
//   - an error in one short line, in the API's words: the JSON error of the
//     API, the notice, field error or flash of a page;
//   - nothing written when the request did not succeed: every table's rows
//     are the same after as before (Postgres, read with a digest of every
//     row). Pages answer a refused form with a redirect back and an error
//     flash (post/redirect/get); that keeps the flash in the browser's
//     session, which is the one table a form may change when it fails, and
//     a sign-in request over the per-network limit (429) is counted in
//     signin_requests, as it must be to keep the limit.
//
// Seeds are in testdata/fuzz/FuzzAPI and testdata/fuzz/FuzzForms (where
// they come from: testdata/fuzz/README.md).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/mail"
	"github.com/codecitoyen/suivi/internal/web"
)

// refusingTemporal is a Temporal client that answers every call the web
// handlers make with Unavailable, at once, and counts them. Its embedded
// Client is nil: a handler that starts calling another method panics here,
// and the fuzzer says which.
type refusingTemporal struct {
	client.Client
	calls atomic.Int64
}

func (c *refusingTemporal) refuse() error {
	c.calls.Add(1)
	return serviceerror.NewUnavailable("fuzz: this Temporal refuses every call")
}

func (c *refusingTemporal) ExecuteWorkflow(context.Context, client.StartWorkflowOptions, any, ...any) (client.WorkflowRun, error) {
	return nil, c.refuse()
}

func (c *refusingTemporal) SignalWithStartWorkflow(context.Context, string, string, any, client.StartWorkflowOptions, any, ...any) (client.WorkflowRun, error) {
	return nil, c.refuse()
}

func (c *refusingTemporal) UpdateWorkflow(context.Context, client.UpdateWorkflowOptions) (client.WorkflowUpdateHandle, error) {
	return nil, c.refuse()
}

func (c *refusingTemporal) DescribeWorkflowExecution(context.Context, string, string) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	return nil, c.refuse()
}

func (c *refusingTemporal) QueryWorkflow(context.Context, string, string, string, ...any) (converter.EncodedValue, error) {
	return nil, c.refuse()
}

func (c *refusingTemporal) ScheduleClient() client.ScheduleClient { return refusingSchedules{c: c} }

func (c *refusingTemporal) Close() {}

type refusingSchedules struct {
	client.ScheduleClient
	c *refusingTemporal
}

func (s refusingSchedules) Create(context.Context, client.ScheduleOptions) (client.ScheduleHandle, error) {
	return nil, s.c.refuse()
}

func (s refusingSchedules) GetHandle(context.Context, string) client.ScheduleHandle {
	return refusingSchedule{c: s.c}
}

type refusingSchedule struct {
	client.ScheduleHandle
	c *refusingTemporal
}

func (s refusingSchedule) Update(context.Context, client.ScheduleUpdateOptions) error {
	return s.c.refuse()
}

func (s refusingSchedule) Describe(context.Context) (*client.ScheduleDescription, error) {
	return nil, s.c.refuse()
}

// Secrets the seeds can carry: a key signing the preferences links, and two
// sign-in links the fixture stores (each works once, as links do).
const (
	fuzzMailSecret = "suivi fuzz: the key of the preferences links"
	// fuzzPrefsToken is mail.Tokens{Secret: fuzzMailSecret}.Sign(holder@example.org).
	fuzzPrefsToken = "aG9sZGVyQGV4YW1wbGUub3Jn.87huexh5Ix-TRdIYLEhf408n_Gc30RpQETuRBQBE8qw"
	fuzzLinkSignin = "l_ZnV6ei1zaWduaW4tbGluay0tLS0tLS0tLS0tLS0tLS0"
	fuzzLinkCLI    = "l_ZnV6ei1jbGktbGluay0tLS0tLS0tLS0tLS0tLS0tLS0"
)

// pCoord is the coordinator of every city serve makes (coord@example.org):
// the one who gives and takes roles, so that a fuzzed removal of a role
// leaves the personas of the other routes as they are.
const pCoord persona = "coord@example.org"

// fuzzRoute is one route a target fuzzes. In path, {} is the fuzzed
// parameter, path-escaped, and {q} the same in a query string.
type fuzzRoute struct {
	name, method, path string
	who                persona
	ctype              string
}

// fuzzSite is the pages' fixture served in-process, with what the checks
// need: the refusing Temporal and a connection to read every table.
type fuzzSite struct {
	*site
	h        http.Handler
	temporal *refusingTemporal
	db       *pgx.Conn
	// digestAll reads every table; digestForms all but sessions, which a
	// form may change (it grows by a session per flash, and reading it
	// whole on every request would slow the fuzzer down as it grows).
	digestAll, digestForms string
}

func newFuzzSite(f testing.TB, now time.Time) *fuzzSite {
	f.Helper()
	ctx := context.Background()
	temporal := &refusingTemporal{}
	var deps web.Deps
	s := newSite(f, func(d *web.Deps) {
		d.Temporal, d.Tokens = temporal, mail.Tokens{Secret: []byte(fuzzMailSecret)}
		d.Now = func() time.Time { return now }
		deps = *d
	})
	if got := deps.Tokens.Sign(personaEmails[pHolder]); got != fuzzPrefsToken {
		f.Fatalf("fuzzPrefsToken is %s; the seeds need the token of %s, %s", fuzzPrefsToken, personaEmails[pHolder], got)
	}
	s.tokens[pCoord] = strings.TrimPrefix(bearer(s.srv), "Bearer ")
	for _, link := range []string{fuzzLinkSignin, fuzzLinkCLI} {
		if !auth.LooksLike(link, auth.LinkPrefix) {
			f.Fatalf("%s does not look like a sign-in link", link)
		}
		if err := s.st.CreateMagicLink(ctx, auth.Hash(link), personaEmails[pHolder], "/me", now.Add(time.Hour)); err != nil {
			f.Fatal(err)
		}
	}
	dbURL, _ := databases.Load(s.st)
	db, err := pgx.Connect(ctx, dbURL.(string))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close(context.Background()) })
	fs := &fuzzSite{site: s, h: web.NewHandler(deps), temporal: temporal, db: db}
	fs.digestAll, fs.digestForms = digestQuery(f, db, ""), digestQuery(f, db, "sessions")
	return fs
}

// digestQuery builds one query giving the md5 of every table's rows but
// skip's, in order, leaving out the one column reads change (a token's last
// use).
func digestQuery(f testing.TB, db *pgx.Conn, skip string) string {
	rows, err := db.Query(context.Background(), `select table_name, string_agg(quote_ident(column_name), ', ' order by ordinal_position)
from information_schema.columns
where table_schema = 'public' and table_name <> $1 and not (table_name = 'api_tokens' and column_name = 'last_used_at')
group by table_name order by table_name`, skip)
	if err != nil {
		f.Fatal(err)
	}
	var parts []string
	for rows.Next() {
		var table, cols string
		if err := rows.Scan(&table, &cols); err != nil {
			f.Fatal(err)
		}
		parts = append(parts, fmt.Sprintf(`select %s::text, md5(coalesce(string_agg(x::text, E'\n' order by x::text), '')) from (select %s from %s) x`,
			quoteLiteral(table), cols, pgx.Identifier{table}.Sanitize()))
	}
	if err := rows.Err(); err != nil || len(parts) < 20 {
		f.Fatalf("%d tables: %v", len(parts), err)
	}
	return strings.Join(parts, "\nunion all ")
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// digest returns each table's digest, but sessions' after a form.
func (s *fuzzSite) digest(t *testing.T, rt fuzzRoute) map[string]string {
	q := s.digestAll
	if !strings.HasPrefix(rt.path, "/api/") {
		q = s.digestForms
	}
	rows, err := s.db.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for rows.Next() {
		var table, sum string
		if err := rows.Scan(&table, &sum); err != nil {
			t.Fatal(err)
		}
		out[table] = sum
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// pick returns the route named name, or one chosen by its hash, so that
// every input runs some route.
func pick(routes []fuzzRoute, name string) fuzzRoute {
	for _, rt := range routes {
		if rt.name == name {
			return rt
		}
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	return routes[h.Sum32()%uint32(len(routes))]
}

// send runs one request in-process and returns the answer.
func (s *fuzzSite) send(rt fuzzRoute, param string, body []byte, cookie *http.Cookie) answer {
	path := strings.NewReplacer("{}", url.PathEscape(param), "{q}", url.QueryEscape(param)).Replace(rt.path)
	req := httptest.NewRequest(rt.method, "http://127.0.0.1"+path, bytes.NewReader(body))
	if rt.ctype != "" {
		req.Header.Set("Content-Type", rt.ctype)
	}
	if rt.who != pAnon {
		req.Header.Set("Authorization", "Bearer "+s.tokens[rt.who])
	}
	if !strings.HasPrefix(rt.path, "/api/") {
		// A form of Suivi's own pages.
		req.Header.Set("Origin", "http://127.0.0.1")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, req)
	resp := rec.Result()
	return answer{resp.StatusCode, resp.Header.Get("Content-Type"), rec.Body.String(), resp.Header}
}

var (
	// jargonRE is what a message for people must not hold: Go's, the
	// database's or the runtime's words.
	jargonRE = regexp.MustCompile(`(?i)json: |pgx|sqlstate|syntax error at|runtime error|goroutine|nil pointer|reflect\.|strconv\.|\bpanic\b|yaml: `)
	// pageMessageRE finds a page's messages: its notice, field errors,
	// error paragraphs and flash.
	pageMessageRE = regexp.MustCompile(`(?s)<p class="(?:notice|field-error|error|flash error)"[^>]*>(.*?)</p>`)
	flashErrorRE  = regexp.MustCompile(`(?s)<div class="flash error" role="alert"><p>(.*?)</p></div>`)
)

// checkMessage fails t unless msg reads as one short line for people.
func checkMessage(t *testing.T, what, msg string) {
	t.Helper()
	// Up to three quotations of validate.QuoteLimit characters (each up to
	// 10 bytes escaped, 430 in all) and the sentence around them.
	if strings.TrimSpace(msg) == "" || strings.Contains(msg, "\n") || len(msg) > 1500 || jargonRE.MatchString(msg) {
		t.Fatalf("%s: the message is not one short line in the API's words (%d bytes): %.400q", what, len(msg), msg)
	}
}

// fuzzRequest sends one fuzzed request and checks every property.
func (s *fuzzSite) fuzzRequest(t *testing.T, rt fuzzRoute, param string, body []byte) {
	what := rt.name + " " + fmt.Sprintf("%.60q", param)
	before := s.digest(t, rt)
	calls := s.temporal.calls.Load()
	a := s.send(rt, param, body, nil)
	reached := s.temporal.calls.Load() > calls
	if a.status >= 500 && (a.status != http.StatusServiceUnavailable || !reached) {
		t.Fatalf("%s: %d without Temporal being asked (reached: %v): %.400s", what, a.status, reached, a.body)
	}
	ok := a.status < 300 // written as asked
	switch {
	case a.status >= 400 && strings.HasPrefix(a.ctype, "application/json"):
		var e api.Error
		if err := json.Unmarshal([]byte(a.body), &e); err != nil {
			t.Fatalf("%s: %d with a body that is not the API's JSON error: %.300s", what, a.status, a.body)
		}
		checkMessage(t, what, e.Error)
		for _, m := range e.Errors {
			checkMessage(t, what, m)
		}
	case a.status >= 400:
		if !strings.HasPrefix(a.ctype, "text/html") || !strings.Contains(a.body, "<main") {
			if a.status != http.StatusTooManyRequests || rt.path != "/signin" {
				t.Fatalf("%s: %d as %q, not a page: %.300s", what, a.status, a.ctype, a.body)
			}
		}
		for _, m := range pageMessageRE.FindAllStringSubmatch(a.body, -1) {
			checkMessage(t, what, m[1])
		}
	case a.status == http.StatusSeeOther && !strings.HasPrefix(rt.path, "/api/"):
		// A form's outcome is a flash on the page it goes back to.
		var session *http.Cookie
		for _, c := range (&http.Response{Header: a.header}).Cookies() {
			if c.Name == sessionCookie {
				session = c
			}
		}
		loc, err := url.Parse(a.header.Get("Location"))
		if err != nil || loc.Host != "" || !strings.HasPrefix(loc.Path, "/") {
			t.Fatalf("%s: sends the browser to %q", what, a.header.Get("Location"))
		}
		if session == nil {
			break // no flash: a sign-in's redirect
		}
		page := s.send(fuzzRoute{name: "GET " + loc.Path, method: http.MethodGet, path: loc.RequestURI(), who: rt.who}, "", nil, session)
		if m := flashErrorRE.FindStringSubmatch(page.body); m != nil {
			checkMessage(t, what+" (its flash)", m[1])
			ok = false
		} else {
			ok = true
		}
	}
	if ok {
		return
	}
	after := s.digest(t, rt)
	for table, sum := range before {
		switch {
		case after[table] == sum:
		case table == "signin_requests" && a.status == http.StatusTooManyRequests:
		default:
			t.Fatalf("%s: answered %d, yet table %s changed: %.300s", what, a.status, table, a.body)
		}
	}
}

// apiRoutes are the API's routes that read a body.
var apiRoutes = []fuzzRoute{
	{"start", "POST", "/api/v1/programs", pGlobal, "application/json"},
	{"action", "POST", "/api/v1/programs/ncc-2027/demoscampi/actions/{}", pGlobal, "application/json"},
	{"action as holder", "POST", "/api/v1/programs/ncc-2027/demoscampi/actions/{}", pHolder, "application/json"},
	{"forget", "POST", "/api/v1/programs/ncc-2027/{}/forget", pGlobal, "application/json"},
	{"fund", "POST", "/api/v1/programs/ncc-2027/{}/funders", pGlobal, "application/json"},
	{"unfund", "POST", "/api/v1/programs/ncc-2027/{}/funders/remove", pGlobal, "application/json"},
	{"public", "POST", "/api/v1/programs/ncc-2027/{}/public", pGlobal, "application/json"},
	{"edition", "POST", "/api/v1/editions", pGlobal, "application/yaml"},
	{"funder add", "POST", "/api/v1/funders", pGlobal, "application/json"},
	{"funder set", "PUT", "/api/v1/funders/{}", pGlobal, "application/json"},
	{"person", "PUT", "/api/v1/people/{}", pGlobal, "application/json"},
	{"user add", "POST", "/api/v1/users", pCoord, "application/json"},
	{"user remove", "POST", "/api/v1/users/remove", pCoord, "application/json"},
	{"token create", "POST", "/api/v1/tokens", pOtherMentor, "application/json"},
	{"token revoke", "POST", "/api/v1/tokens/{}/revoke", pOtherMentor, "application/json"},
	{"signin", "POST", "/api/v1/signin", pAnon, "application/json"},
	{"token exchange", "POST", "/api/v1/tokens/exchange", pAnon, "application/json"},
}

// FuzzAPI sends fuzzed bodies (and path parameters) to every API route
// that reads a body, as the CLI would.
func FuzzAPI(f *testing.F) {
	s := newFuzzSite(f, siteNow)
	f.Fuzz(func(t *testing.T, route, param string, body []byte) {
		s.fuzzRequest(t, pick(apiRoutes, route), param, body)
	})
}

// formRoutes are the pages' forms.
var formRoutes = []fuzzRoute{
	{"call", "POST", "/call/{}", pAnon, "application/x-www-form-urlencoded"},
	{"action", "POST", "/programs/ncc-2027/demoscampi/actions/{}", pGlobal, "application/x-www-form-urlencoded"},
	{"action as holder", "POST", "/programs/ncc-2027/demoscampi/actions/{}", pHolder, "application/x-www-form-urlencoded"},
	{"funder", "POST", "/funders", pGlobal, "application/x-www-form-urlencoded"},
	{"settings email", "POST", "/settings/email", pOtherMentor, "application/x-www-form-urlencoded"},
	{"settings token", "POST", "/settings/tokens", pOtherMentor, "application/x-www-form-urlencoded"},
	{"settings token revoke", "POST", "/settings/tokens/{}/revoke", pOtherMentor, "application/x-www-form-urlencoded"},
	{"settings calendar", "POST", "/settings/calendar", pOtherMentor, "application/x-www-form-urlencoded"},
	{"settings calendar revoke", "POST", "/settings/calendar/revoke", pOtherMentor, "application/x-www-form-urlencoded"},
	{"signin", "POST", "/signin", pAnon, "application/x-www-form-urlencoded"},
	{"signin confirm", "POST", "/signin/confirm", pAnon, "application/x-www-form-urlencoded"},
	{"prefs", "POST", "/prefs", pAnon, "application/x-www-form-urlencoded"},
	{"unsubscribe", "POST", "/prefs/unsubscribe?t={q}", pAnon, "application/x-www-form-urlencoded"},
}

// FuzzForms posts fuzzed forms (and path parameters) to every form of the
// pages, as a browser on Suivi's own pages would, during ncc-2027's call
// for projects.
func FuzzForms(f *testing.F) {
	s := newFuzzSite(f, callOpenNow)
	f.Fuzz(func(t *testing.T, route, param string, body string) {
		s.fuzzRequest(t, pick(formRoutes, route), param, []byte(body))
	})
}

// A form that is not URL-encoded as browsers send it is refused at the
// gate, on every form, in one line, with nothing written: FuzzForms found
// that a stray "%" answered 500 on a program's actions (the corpus keeps
// it as found-bad-percent-escape).
func TestMalformedFormIsRefused(t *testing.T) {
	s := newFuzzSite(t, callOpenNow)
	params := map[string]string{"call": siteEdition, "action": "complete", "action as holder": "submit",
		"settings token revoke": "1", "unsubscribe": fuzzPrefsToken}
	for _, rt := range formRoutes {
		for _, body := range []string{"k=%", "milestone=demo&note=100%", "email=a@example.org;next=/"} {
			before := s.digest(t, rt)
			a := s.send(rt, params[rt.name], []byte(body), nil)
			if a.status != http.StatusBadRequest || !strings.Contains(a.body, "the form is not encoded as a browser sends it") {
				t.Errorf("%s %q: %d %.200s", rt.name, body, a.status, a.body)
			}
			if after := s.digest(t, rt); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Errorf("%s %q: a table changed", rt.name, body)
			}
		}
	}
}
