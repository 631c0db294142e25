package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/server/temporaltest"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/codecitoyen/suivi/activities"
	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/fakegithub"
	"github.com/codecitoyen/suivi/internal/github"
	"github.com/codecitoyen/suivi/internal/mail"
	"github.com/codecitoyen/suivi/internal/pgtest"
	"github.com/codecitoyen/suivi/internal/smtpsink"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/web"
	"github.com/codecitoyen/suivi/worker"
)

var recordHistories = flag.Bool("record-histories", false, "write the histories of this run to workflows/testdata for the replay test")

// runAsSuivi, set in a test's environment, makes this test binary act as
// suivi when it is run again as a child process: `suivi bench memory` runs
// `suivi worker` and `suivi dev` from os.Executable().
const runAsSuivi = "SUIVI_TEST_RUN_AS_SUIVI"

func TestMain(m *testing.M) {
	if os.Getenv(runAsSuivi) == "1" {
		main()
		return
	}
	pgtest.Main(m)
}

// cliTokens holds the token the CLI sends to each test server (by URL):
// the coordinator of every city each engine makes, or what `suivi dev`
// wrote in its data dir.
var cliTokens sync.Map

// cli runs one suivi command line in-process against the API at baseURL,
// as the server's coordinator.
func cli(t *testing.T, baseURL string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	token, _ := cliTokens.Load(baseURL)
	s, _ := token.(string)
	return cliAs(t, baseURL, s, args...)
}

// cliAs runs a command line as the owner of token.
func cliAs(t *testing.T, baseURL, token string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string {
		switch k {
		case "SUIVI_URL":
			return baseURL
		case "SUIVI_TOKEN":
			return token
		}
		return ""
	}
	code = run(context.Background(), args, &out, &errb, getenv)
	return code, out.String(), errb.String()
}

// writeEdition writes an edition file whose hackathon ended a week ago, so
// a program selected now goes straight to accompaniment, and returns its path.
func writeEdition(t *testing.T) string {
	t.Helper()
	return writeEditionAt(t, "ncc-2027", 0)
}

// writeEditionAt writes edition id with every date shifted by shiftDays.
func writeEditionAt(t *testing.T, id string, shiftDays int) string {
	t.Helper()
	now := time.Now().UTC().AddDate(0, 0, shiftDays)
	day := func(d int) string { return now.AddDate(0, 0, d).Format("2006-01-02") }
	yaml := fmt.Sprintf(`# a test edition
id: %s
name: {fr: Nuit du Code Citoyen 2027, en: Civic Code Night 2027}
time_zone: Europe/Paris
call_for_projects: {opens: %s, closes: %s}
hackathon: {starts: "%s 18:00", ends: "%s 18:00"}
accompaniment_months: 12
themes:
  - {id: democratie-numerique, title: {fr: Démocratie numérique, en: Digital democracy}}
cities:
  - {name: Lyon, time_zone: Europe/Paris, meetup: "first tuesday 19:00", coordinators: [coordination-lyon@example.org]}
  - {name: Tunis, time_zone: Africa/Tunis, meetup: "last friday 18:30", coordinators: [coordination-tunis@example.org]}
milestones:
  - {id: demo, title: {fr: Démo au jury, en: Jury demo}, due: "+0d", evidence: url}
  - {id: open-licence, title: {fr: Licence ouverte, en: Open licence}, due: "+14d", evidence: repository}
  - {id: explainer-video, title: {fr: Vidéo, en: Video}, due: "+2m", evidence: video}
`, id, day(-60), day(-11), day(-10), day(-8))
	path := filepath.Join(t.TempDir(), "edition.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// applyEdition applies the test edition through the CLI.
func applyEdition(t *testing.T, url string) {
	t.Helper()
	if code, out, errOut := cli(t, url, "edition", "apply", writeEdition(t)); code != 0 {
		t.Fatalf("edition apply = %d %q %q", code, out, errOut)
	}
}

var startArgs = []string{"program", "start", "--edition", "ncc-2027", "--project", "demoscampi",
	"--name", "Démocratie et crustacés", "--holder-email", "holder@example.org",
	"--repo", "https://github.com/CodeCitoyen/Demoscampi", "--city", "Lyon", "--theme", "democratie-numerique"}

// engine is a real Temporal server, a real Postgres, the worker and the web
// server, wired as `suivi dev` wires them.
type engine struct {
	tc     client.Client
	ns     string
	st     *store.Store
	api    *httptest.Server
	sink   *smtpsink.Sink
	tokens mail.Tokens
	gh     *fakegithub.Server
	// token is the API token of a coordinator of every city.
	token string
}

// grantCoordinator makes email a coordinator (of city, or every city with
// "") and returns an API token of theirs.
func grantCoordinator(t *testing.T, st *store.Store, email, city string) string {
	t.Helper()
	return grantToken(t, st, auth.Grant{Email: email, Role: auth.Coordinator, City: city})
}

// grantToken gives g and returns an API token of g.Email.
func grantToken(t *testing.T, st *store.Store, g auth.Grant) string {
	t.Helper()
	ctx := context.Background()
	if g.Role != "" {
		if _, err := st.AddGrant(ctx, g, "test"); err != nil {
			t.Fatal(err)
		}
	}
	secret, hash := auth.NewSecret(auth.TokenPrefix)
	if _, err := st.CreateToken(ctx, g.Email, "test", hash); err != nil {
		t.Fatal(err)
	}
	return secret
}

func newEngine(t *testing.T) *engine {
	t.Helper()
	st, err := store.Open(context.Background(), pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if _, err := st.Migrate(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	return newEngineOn(t, st)
}

// newEngineOn is newEngine on an existing Postgres, with a Temporal server
// of its own: what a lost Temporal state looks like.
func newEngineOn(t *testing.T, st *store.Store) *engine {
	t.Helper()
	ctx := context.Background()
	ts := temporaltest.NewServer(temporaltest.WithT(t))
	e := &engine{tc: ts.GetDefaultClient(), ns: ts.GetDefaultNamespace()}
	var err error
	e.st = st
	if err := worker.EnsureSearchAttributes(ctx, e.tc, e.ns); err != nil {
		t.Fatal(err)
	}
	// Twice: registration must be idempotent across processes and restarts.
	if err := worker.EnsureSearchAttributes(ctx, e.tc, e.ns); err != nil {
		t.Fatal(err)
	}
	e.tokens = mail.Tokens{Secret: []byte("0123456789abcdef0123456789abcdef")}
	// The programs' repository, on a GitHub of our own.
	e.gh = fakegithub.Start("t0ken", fakegithub.Limits{}, nil)
	t.Cleanup(e.gh.Close)
	e.gh.Add(fakegithub.Repo{Owner: "CodeCitoyen", Name: "Demoscampi", License: "MIT", Stars: 12,
		Created: time.Now().AddDate(-1, 0, 0), Files: map[string]string{"LICENSE": mitText, "README.md": "# Demoscampi\n"}})
	e.gh.Push("CodeCitoyen/Demoscampi", "alice", 3)
	e.gh.Push("CodeCitoyen/Demoscampi", "bob", 1)
	if e.sink, err = smtpsink.Start(smtpsink.Options{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.sink.Close() })
	e.api = httptest.NewServer(web.NewHandler(web.Deps{
		Temporal: e.tc, Store: st,
		Checks: readinessChecks(st, e.tc, e.ns),
		Tokens: e.tokens,
	}))
	t.Cleanup(e.api.Close)
	e.token = grantCoordinator(t, st, "coordination@example.org", "")
	cliTokens.Store(e.api.URL, e.token)
	applyEdition(t, e.api.URL)
	return e
}

func (e *engine) startWorker(t *testing.T) {
	t.Helper()
	tpl, err := mail.LoadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	mailer := &activities.Mailer{
		Sender:    &mail.SMTPSender{Server: mail.SMTP{Host: "127.0.0.1", Port: e.sink.Port(), TLS: "none", Timeout: 5 * time.Second}},
		Templates: tpl, From: "Suivi <suivi@nuitducodecitoyen.example>", PublicURL: e.api.URL, Tokens: e.tokens,
	}
	gh, err := github.New(github.Options{APIURL: e.gh.URL(), Token: "t0ken", Validators: e.st})
	if err != nil {
		t.Fatal(err)
	}
	w := worker.New(e.tc, &activities.Activities{Store: e.st, Mail: mailer, GitHub: gh, GitHubWorkers: 4}, worker.Options{})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	// The outbox and digest as startWorker runs them; the watcher is left
	// out so that tests poll when they choose.
	if err := worker.EnsureDigestSchedule(context.Background(), e.tc); err != nil {
		t.Fatal(err)
	}
	if err := worker.WakeOutbox(context.Background(), e.tc); err != nil {
		t.Fatal(err)
	}
}

func health(t *testing.T, url string) (int, api.Health) {
	t.Helper()
	resp, err := http.Get(url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h api.Health
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, h
}

func TestEndToEnd(t *testing.T) {
	e := newEngine(t)
	ctx := context.Background()

	// No worker yet: /healthz says so.
	code, h := health(t, e.api.URL)
	if code != http.StatusServiceUnavailable || h.Checks["worker"] == "ok" || h.Checks["postgres"] != "ok" || h.Checks["temporal"] != "ok" {
		t.Fatalf("healthz without worker = %d %+v, want 503 naming the worker only", code, h)
	}
	e.startWorker(t)
	deadline := time.Now().Add(30 * time.Second)
	for code != http.StatusOK && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		code, h = health(t, e.api.URL)
	}
	if code != http.StatusOK {
		t.Fatalf("healthz with worker = %d %+v, want 200", code, h)
	}

	code, out, errOut := cli(t, e.api.URL, startArgs...)
	if code != 0 || !strings.Contains(out, "Started program ncc-2027/demoscampi") || strings.Contains(out, "first record") {
		t.Fatalf("program start = %d, stdout %q, stderr %q", code, out, errOut)
	}

	code, out, errOut = cli(t, e.api.URL, startArgs...)
	if code != 1 || out != "" || !strings.Contains(errOut, "already exists") || strings.Count(errOut, "\n") != 1 {
		t.Fatalf("second start = %d, stdout %q, stderr %q; want exit 1, nothing on stdout and one line saying it already exists", code, out, errOut)
	}

	code, out, errOut = cli(t, e.api.URL, "program", "status", "ncc-2027/demoscampi", "--json")
	if code != 0 {
		t.Fatalf("status = %d, %q", code, errOut)
	}
	var d api.ProgramDetail
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("status --json: %v: %s", err, out)
	}
	if d.Workflow.Phase != "applied" || d.Workflow.ID != "program/ncc-2027/demoscampi" || d.Program == nil ||
		d.Program.Name != "Démocratie et crustacés" || d.Program.City != "Lyon" || d.Program.Phase != "applied" ||
		d.Program.Repositories[0] != "https://github.com/CodeCitoyen/Demoscampi" {
		t.Fatalf("status --json = %+v", d)
	}
	code, out, _ = cli(t, e.api.URL, "program", "status", "ncc-2027/demoscampi")
	if code != 0 || !strings.Contains(out, "applied") || !strings.Contains(out, "holder@example.org") {
		t.Fatalf("status = %d, %q", code, out)
	}

	// Typed search attributes were set at start.
	desc, err := e.tc.DescribeWorkflowExecution(ctx, "program/ncc-2027/demoscampi", "")
	if err != nil {
		t.Fatal(err)
	}
	sa := desc.GetWorkflowExecutionInfo().GetSearchAttributes().GetIndexedFields()
	for _, k := range []string{"SuiviEdition", "SuiviProject", "SuiviPhase", "SuiviCity", "SuiviTheme"} {
		if sa[k] == nil {
			t.Errorf("search attribute %s not set on the workflow", k)
		}
	}

	code, out, _ = cli(t, e.api.URL, "program", "list", "--json")
	var l api.ProgramList
	if code != 0 || json.Unmarshal([]byte(out), &l) != nil || len(l.Programs) != 1 || l.Programs[0].Project != "demoscampi" {
		t.Fatalf("list --json = %d %q", code, out)
	}
	code, out, _ = cli(t, e.api.URL, "program", "list")
	if code != 0 || !strings.Contains(out, "ncc-2027/demoscampi") {
		t.Fatalf("list = %d %q", code, out)
	}

	if *recordHistories {
		recordHistory(t, e.tc, "program/ncc-2027/demoscampi", "../../workflows/testdata/program_v6_started.json")
	}
}

// Bad input gets a one-line error, exit code 1, and writes nothing.
func TestBadInputWritesNothing(t *testing.T) {
	e := newEngine(t)
	e.startWorker(t)
	ctx := context.Background()
	with := func(flag, value string) []string {
		args := append([]string(nil), startArgs...)
		for i := range args {
			if args[i] == flag {
				args[i+1] = value
				return args
			}
		}
		return append(args, flag, value)
	}
	without := func(flag string) []string {
		var args []string
		for i := 0; i < len(startArgs); i++ {
			if startArgs[i] == flag {
				i++
				continue
			}
			args = append(args, startArgs[i])
		}
		return args
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", with("--colour", "blue"), "unknown flag --colour"},
		{"missing name", without("--name"), "name is required"},
		{"missing holder", without("--holder-email"), "holder email is required"},
		{"malformed email", with("--holder-email", "holder-at-example.org"), "not an email address"},
		{"header injection", with("--holder-email", "holder@example.org\r\nBcc: x@example.org"), "control characters"},
		{"non-GitHub repo", with("--repo", "https://gitlab.com/CodeCitoyen/Demoscampi"), "not on github.com"},
		{"malformed repo", with("--repo", "https://github.com/CodeCitoyen"), "does not name one repository"},
		{"bad edition slug", with("--edition", "NCC 2027"), "not a valid slug"},
		{"bad project slug", with("--project", "demo_scampi"), "not a valid slug"},
		{"flag without value", append(append([]string(nil), startArgs...), "--city"), "flag needs an argument"},
		{"status without key", []string{"program", "status"}, "EDITION/PROJECT"},
		{"status bad key", []string{"program", "status", "demoscampi"}, "EDITION/PROJECT"},
		{"unknown subcommand", []string{"program", "launch"}, "unknown subcommand"},
		{"unknown command", []string{"launch"}, "unknown command"},
		{"bad setting", []string{"program", "list", "--server", "localhost"}, "SUIVI_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := cli(t, e.api.URL, tt.args...)
			if code != 1 || !strings.Contains(errOut, tt.want) || strings.Count(errOut, "\n") != 1 || out != "" {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit 1 and one line containing %q", code, out, errOut, tt.want)
			}
		})
	}
	// None of these started anything.
	for _, id := range []string{"program/ncc-2027/demoscampi", "program/ncc-2027/demo_scampi"} {
		_, err := e.tc.DescribeWorkflowExecution(ctx, id, "")
		var nf *serviceerror.NotFound
		if !errors.As(err, &nf) {
			t.Errorf("workflow %s exists after bad input (err %v)", id, err)
		}
	}
	if l, err := e.st.ListPrograms(ctx, store.ProgramFilter{}); err != nil || len(l) != 0 {
		t.Errorf("programs after bad input = %v, %v; want none", l, err)
	}

	// The API answers the same mistakes with a 4xx and a JSON error.
	for _, tt := range []struct {
		body   string
		status int
		want   string
	}{
		{`{"edition":`, 400, "invalid JSON"},
		{`{"edition":"ncc-2027","colour":"blue"}`, 400, "unknown field"},
		{`{"edition":"ncc-2027","project":"demoscampi","name":"D","holders":["nope"],"repositories":["https://github.com/a/b"]}`, 400, "not an email address"},
	} {
		req, _ := http.NewRequest("POST", e.api.URL+"/api/v1/programs", strings.NewReader(tt.body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+e.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var ae api.Error
		_ = json.NewDecoder(resp.Body).Decode(&ae)
		resp.Body.Close()
		if resp.StatusCode != tt.status || !strings.Contains(ae.Error, tt.want) || strings.Contains(ae.Error, "\n") {
			t.Errorf("POST %s = %d %q; want %d with one line containing %q", tt.body, resp.StatusCode, ae.Error, tt.status, tt.want)
		}
	}

	// An unreachable server is named, with the setting that points at it.
	code, _, errOut := cli(t, "http://127.0.0.1:1", "program", "list")
	if code != 1 || !strings.Contains(errOut, "cannot reach Suivi at http://127.0.0.1:1") || !strings.Contains(errOut, "SUIVI_URL") {
		t.Fatalf("list against nothing = %d %q", code, errOut)
	}
}

// With Postgres down, a start is refused with 503 and no workflow starts.
func TestStartRefusedWhenPostgresDown(t *testing.T) {
	e := newEngine(t)
	ctx := context.Background()
	down, err := store.Open(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	down.Close()
	srv := httptest.NewServer(web.NewHandler(web.Deps{Temporal: e.tc, Store: down}))
	defer srv.Close()
	cliTokens.Store(srv.URL, e.token)
	code, _, errOut := cli(t, srv.URL, startArgs...)
	if code != 1 || !strings.Contains(errOut, "Postgres is unavailable; nothing was") {
		t.Fatalf("start with Postgres down = %d %q", code, errOut)
	}
	_, err = e.tc.DescribeWorkflowExecution(ctx, "program/ncc-2027/demoscampi", "")
	var nf *serviceerror.NotFound
	if !errors.As(err, &nf) {
		t.Fatalf("a workflow was started although Postgres was down (err %v)", err)
	}
}

// recordHistory writes a workflow's history as JSON for the replay test.
func recordHistory(t *testing.T, c client.Client, id, path string) {
	t.Helper()
	var hist historypb.History
	it := c.GetWorkflowHistory(context.Background(), id, "", false, 0)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		hist.Events = append(hist.Events, ev)
	}
	b, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(&hist)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %d events to %s", len(hist.Events), path)
}

const mitText = `MIT License

Copyright (c) 2027 CodeCitoyen

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
`
