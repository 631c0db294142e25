package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/config"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/validate"
	"github.com/codecitoyen/suivi/workflows"
)

// hostile is text someone typed to fake a line of `suivi program status`:
// erase the line, go back to its start, write a phase; then reverse what
// follows.
const (
	hostile        = "Demo\x1b[2K\rPhase graduated\u202e"
	hostileJSON    = `Demo\u001b[2K\rPhase graduated\u202e`
	hostileEscaped = `Demo\x1b[2K\x0dPhase graduated\u202e`
)

// runCLI runs one command line in-process with env as its whole environment.
func runCLI(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb, func(k string) string { return env[k] })
	return code, out.String(), errb.String()
}

// assertPrintable fails when out holds a character that can move the cursor,
// recolour or reorder the terminal (a newline ends a line and is fine).
func assertPrintable(t *testing.T, what, out string) {
	t.Helper()
	if i := strings.IndexFunc(out, func(r rune) bool { return r != '\n' && validate.Unsafe(r) }); i >= 0 {
		t.Errorf("%s prints an unsafe character at byte %d: %q", what, i, out)
	}
}

func TestPrintStatusEscapesOtherPeoplesText(t *testing.T) {
	score := 17
	d := api.ProgramDetail{
		Program: &store.Program{Name: hostile, Holders: []string{"a@example.org", hostile}, Repositories: []string{hostile},
			City: hostile, Theme: hostile, Phase: hostile, StartedAt: time.Date(2027, 3, 5, 18, 0, 0, 0, time.UTC)},
		Workflow: api.WorkflowView{ID: hostile, ProgramStatus: workflows.ProgramStatus{
			Phase: workflows.Phase(hostile), Mentors: []string{hostile}, Score: &score, JuryComment: hostile,
			Milestones: []workflows.MilestoneState{{Status: hostile, EvidenceURL: "https://example.org/\x1b]8;;https://evil.example\x07"}},
			Attendance: []store.Attendance{{Meetup: "2027-04", RecordedBy: hostile}},
		}},
		Undelivered: []store.Message{{Kind: hostile, Recipient: hostile, Status: hostile, Payload: map[string]string{"error": hostile}}},
	}
	var out bytes.Buffer
	printStatus(&out, "ncc-2027", "demo", d)
	assertPrintable(t, "program status", out.String())
	if !strings.Contains(out.String(), hostileEscaped) {
		t.Errorf("program status does not show the hostile name escaped as %s:\n%s", hostileEscaped, out.String())
	}
	var phaseLines int
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(l, "Phase") {
			phaseLines++
		}
	}
	if phaseLines != 1 {
		t.Errorf("program status shows %d Phase lines, want 1:\n%s", phaseLines, out.String())
	}

	// The error the server gives when the workflow does not answer, too.
	d.Workflow.Error = hostile
	out.Reset()
	printStatus(&out, "ncc-2027", "demo", d)
	assertPrintable(t, "program status with a workflow error", out.String())
}

// hostileServer answers every API call the CLI prints with text full of
// escapes, and an error whose message is one too.
func hostileServer(t *testing.T) *httptest.Server {
	t.Helper()
	answers := map[string]string{
		"GET /api/v1/programs": `{"programs":[{"edition":"ncc-2027","project":"demo","name":"` + hostileJSON + `","phase":"` + hostileJSON +
			`","city":"` + hostileJSON + `","licence":"` + hostileJSON + `","started_at":"2027-03-05T18:00:00Z"}]}`,
		"GET /api/v1/programs/ncc-2027/demo": `{"program":{"name":"` + hostileJSON + `","holders":["` + hostileJSON + `"],"phase":"applied"},` +
			`"workflow":{"id":"` + hostileJSON + `","phase":"` + hostileJSON + `"}}`,
		"GET /api/v1/programs/ncc-2027/demo/activity": `{"repos":[{"current_name":"` + hostileJSON + `","status":"ok","renamed_from":"` + hostileJSON +
			`","license":"` + hostileJSON + `","last_error":"` + hostileJSON + `","licence_reason":"` + hostileJSON + `"}],"metrics":{"days":90}}`,
		"GET /api/v1/editions/ncc-2027": `{"version":1,"edition":{"id":"` + hostileJSON + `","name":{"fr":"` + hostileJSON + `"},` +
			`"cities":[{"name":"` + hostileJSON + `","time_zone":"` + hostileJSON + `","meetup":"` + hostileJSON + `"}],` +
			`"themes":[{"id":"` + hostileJSON + `","title":{"fr":"` + hostileJSON + `"}}],` +
			`"milestones":[{"id":"` + hostileJSON + `","title":{"fr":"` + hostileJSON + `"},"due":"` + hostileJSON + `","evidence":"` + hostileJSON + `"}]}}`,
		"GET /api/v1/people/a@example.org":                     `{"email":"a@example.org","locale":"` + hostileJSON + `","reminders":"` + hostileJSON + `"}`,
		"POST /api/v1/programs/ncc-2027/demo/actions/select":   `{"update_id":"u","phase":"` + hostileJSON + `","message":"` + hostileJSON + `"}`,
		"GET /api/v1/programs/ncc-2027/gone":                   `!404{"error":"` + hostileJSON + `"}`,
		"POST /api/v1/programs/ncc-2027/demo/actions/graduate": `!409{"error":"no\u001b[1A\u001b[2K` + hostileJSON + `"}`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := answers[r.Method+" "+r.URL.Path]
		if !ok {
			http.Error(w, `{"error":"unexpected `+r.Method+" "+r.URL.Path+`"}`, http.StatusTeapot)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if rest, isErr := strings.CutPrefix(body, "!"); isErr {
			status := http.StatusNotFound
			if strings.HasPrefix(rest, "409") {
				status = http.StatusConflict
			}
			w.WriteHeader(status)
			body = rest[3:]
		}
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// Every printer of server text escapes it, in tables, in --json and in the
// error line run prints.
func TestCLIEscapesServerText(t *testing.T) {
	srv := hostileServer(t)
	env := map[string]string{"SUIVI_URL": srv.URL}
	for _, args := range [][]string{
		{"program", "list"},
		{"program", "list", "--json"},
		{"program", "status", "ncc-2027/demo"},
		{"program", "status", "ncc-2027/demo", "--json"},
		{"repo", "activity", "ncc-2027/demo"},
		{"edition", "show", "ncc-2027"},
		{"edition", "show", "ncc-2027", "--json"},
		{"person", "show", "a@example.org"},
		{"program", "select", "ncc-2027/demo"},
	} {
		code, out, errOut := runCLI(t, env, args...)
		what := "suivi " + strings.Join(args, " ")
		if code != 0 {
			t.Errorf("%s = %d %q", what, code, errOut)
			continue
		}
		assertPrintable(t, what, out)
		if !strings.Contains(out, hostileEscaped) && !strings.Contains(out, hostileJSON) {
			t.Errorf("%s does not show the server's text escaped:\n%s", what, out)
		}
	}
	for _, args := range [][]string{
		{"program", "status", "ncc-2027/gone"},
		{"program", "graduate", "ncc-2027/demo"},
	} {
		code, _, errOut := runCLI(t, env, args...)
		what := "suivi " + strings.Join(args, " ")
		// oneLine turns the \r into a space; the escapes stay visible.
		if code != 1 || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, `Demo\x1b[2K Phase graduated\u202e`) {
			t.Errorf("%s = %d %q, want exit 1 and the server's message escaped on one line", what, code, errOut)
		}
		assertPrintable(t, what+" (error)", errOut)
	}
}

// A phase no program can be in is refused before asking the server, which
// would answer an empty list ("No programs yet").
func TestProgramListUnknownPhase(t *testing.T) {
	var calls atomic.Int32
	var gotPhase atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		gotPhase.Store(r.URL.Query().Get("phase"))
		_, _ = w.Write([]byte(`{"programs":[]}`))
	}))
	defer srv.Close()
	env := map[string]string{"SUIVI_URL": srv.URL}
	code, out, errOut := runCLI(t, env, "program", "list", "--phase", "bogus")
	want := `unknown phase "bogus"; phases are applied, selected, rejected, hackathon, demo, accompaniment, graduated, withdrawn, dormant`
	if code != 1 || !strings.Contains(errOut, want) || strings.Contains(out, "No programs") || calls.Load() != 0 {
		t.Fatalf("program list --phase bogus = %d %q %q after %d requests; want exit 1 with %q and no request", code, out, errOut, calls.Load(), want)
	}
	if code, _, errOut := runCLI(t, env, "program", "list", "--phase", "\x1b[31m"+strings.Repeat("x", 100)); code != 1 || strings.Contains(errOut, "\x1b") || len(errOut) > 400 {
		t.Errorf("a hostile --phase is echoed raw or whole: %q", errOut)
	}
	if code, _, errOut := runCLI(t, env, "program", "list", "--phase", "graduated"); code != 0 || gotPhase.Load() != "graduated" {
		t.Errorf("program list --phase graduated = %d %q, server got phase %v", code, errOut, gotPhase.Load())
	}
}

// Every command and every verb answers --help with exit 0 and its flags;
// serve lists only the settings it uses (it never polls GitHub).
func TestEveryCommandHelp(t *testing.T) {
	for _, c := range commands() {
		code, out, errOut := runCLI(t, nil, c.name, "--help")
		if code != 0 || !strings.Contains(out, "Usage:") {
			t.Errorf("suivi %s --help = %d %q %q, want exit 0 and a usage", c.name, code, out, errOut)
			continue
		}
		if c.verbs == nil && !strings.Contains(out, "Flags:") {
			t.Errorf("suivi %s --help lists no flags:\n%s", c.name, out)
		}
		for _, v := range c.verbs {
			if !strings.Contains(out, v) {
				t.Errorf("suivi %s --help does not list %s:\n%s", c.name, v, out)
			}
			code, vout, verr := runCLI(t, nil, c.name, v, "--help")
			if code != 0 || !strings.Contains(vout, "Usage:") || !strings.Contains(vout, "Flags:\n  --") {
				t.Errorf("suivi %s %s --help = %d %q %q, want exit 0 and its flags", c.name, v, code, vout, verr)
			}
		}
	}
	_, serve, _ := runCLI(t, nil, "serve", "--help")
	if strings.Contains(strings.ToLower(serve), "github") || strings.Contains(serve, "--smtp-url") {
		t.Errorf("serve --help lists settings serve never uses:\n%s", serve)
	}
	if _, worker, _ := runCLI(t, nil, "worker", "--help"); !strings.Contains(worker, "--github-token") || !strings.Contains(worker, "--smtp-url") {
		t.Errorf("worker --help lacks the GitHub or mail settings it uses:\n%s", worker)
	}
}

// `suivi program` and `suivi step` alone list every verb with its summary
// on stdout and exit 1, as every group does.
func TestBareGroupListsEveryVerb(t *testing.T) {
	for group, verbs := range map[string][]string{
		"program": {"start", "status", "list", "select", "reject", "score", "pause", "resume", "withdraw", "graduate"},
		"step":    {"complete", "waive", "submit", "extend"},
		"bench":   {"mail", "github"},
	} {
		code, out, errOut := runCLI(t, nil, group)
		if code != 1 || !strings.Contains(errOut, "suivi "+group+" --help") {
			t.Errorf("suivi %s = %d %q, want exit 1 pointing at its help", group, code, errOut)
		}
		lines := strings.Split(out, "\n")
		for _, v := range verbs {
			found := false
			for _, l := range lines {
				f := strings.Fields(l)
				found = found || (len(f) > 1 && f[0] == v)
			}
			if !found {
				t.Errorf("suivi %s does not list %q with a summary:\n%s", group, v, out)
			}
		}
	}
}

// Under `suivi dev` (no SMTP_URL) mail test writes to dev's mail folder and
// says where it is listed; it never says "Sent".
func TestMailTestWritesToDevMailFolder(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.Mkdir(".suivi", 0o755); err != nil { // as `suivi dev` leaves it
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, map[string]string{"SUIVI_URL": "http://127.0.0.1:18080"}, "mail", "test", "--to", "someone@example.org")
	want := "(no SMTP_URL: this is suivi dev's mail folder, listed at http://127.0.0.1:18080/dev/mail)"
	if code != 0 || !strings.HasPrefix(out, "Written to .suivi/mail/") || !strings.Contains(out, ".eml "+want) || strings.Contains(out, "Sent") {
		t.Fatalf("mail test under suivi dev = %d %q %q, want \"Written to .suivi/mail/….eml %s\"", code, out, errOut, want)
	}
	files, _ := filepath.Glob(".suivi/mail/*.eml")
	if len(files) != 1 {
		t.Fatalf("dev mail folder holds %v, want the test message", files)
	}
	b, _ := os.ReadFile(files[0])
	if !strings.Contains(string(b), "http://127.0.0.1:18080") {
		t.Errorf("the test message's link does not point at the server actually running (127.0.0.1:18080):\n%s", b)
	}

	// SUIVI_DATA_DIR names another data dir.
	data := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runCLI(t, map[string]string{"SUIVI_DATA_DIR": data}, "mail", "test", "--to", "someone@example.org")
	if code != 0 || !strings.HasPrefix(out, "Written to "+filepath.Join(data, "mail")+"/") || !strings.Contains(out, "http://127.0.0.1:8080/dev/mail") {
		t.Errorf("mail test with SUIVI_DATA_DIR = %d %q", code, out)
	}

	// Without a data dir nothing would read the message: say how to send.
	code, _, errOut = runCLI(t, map[string]string{"SUIVI_DATA_DIR": filepath.Join(data, "none")}, "mail", "test", "--to", "someone@example.org")
	if code != 1 || !strings.Contains(errOut, "set SMTP_URL") || !strings.Contains(errOut, "suivi dev") {
		t.Errorf("mail test without SMTP_URL nor data dir = %d %q", code, errOut)
	}

	// Real email needs a sender with a real domain.
	code, _, errOut = runCLI(t, map[string]string{"SMTP_URL": "smtp://127.0.0.1:1?tls=none"}, "mail", "test", "--to", "someone@example.org")
	if code != 1 || !strings.Contains(errOut, "SMTP_FROM (--smtp-from)") {
		t.Errorf("mail test over SMTP from suivi@localhost = %d %q, want SMTP_FROM refused", code, errOut)
	}
}

// The placeholder once shipped in docker-compose.yml, and other values
// anybody could guess, would let anyone forge email links.
func TestSecretRefusesWeakValues(t *testing.T) {
	for _, weak := range []string{
		"change-me-to-32-random-bytes-openssl-rand-hex-32",
		"CHANGEME_CHANGEME_CHANGEME_CHANGEME",
		"my-super-secret-key-for-suivi-links",
		"0123456789abcdef",
		strings.Repeat("ab", 32),
	} {
		cfg := config.Default()
		cfg.Secret = weak
		if _, err := secret(&cfg, ""); err == nil || !strings.Contains(err.Error(), "openssl rand -hex 32") {
			t.Errorf("secret(%q) = %v, want it refused, saying how to make one", weak, err)
		}
	}
	for _, good := range []string{"0123456789abcdef0123456789abcdef", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"} {
		cfg := config.Default()
		cfg.Secret = good
		if _, err := secret(&cfg, ""); err != nil {
			t.Errorf("secret(%q) = %v, want it accepted", good, err)
		}
	}
}
