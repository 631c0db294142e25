package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/licenseclassifier/v2/assets"

	"github.com/codecitoyen/suivi/internal/fakegithub"
	"github.com/codecitoyen/suivi/worker"
)

// The watcher checks each program's repository licence: an open one
// completes the open-licence step by itself, with the repository as
// evidence; none sends the holders the how-to.
func TestLicenceCompletesTheStep(t *testing.T) {
	e := newEngine(t)
	e.startWorker(t)
	ctx := context.Background()
	e.gh.Add(fakegithub.Repo{Owner: "CodeCitoyen", Name: "Sanslicence", Created: time.Now().AddDate(-1, 0, 0), Files: map[string]string{"main.go": "package main\n"}})
	e.gh.Push("CodeCitoyen/Sanslicence", "alice", 1)
	url := e.api.URL
	for _, args := range [][]string{
		startArgs,
		{"program", "start", "--edition", "ncc-2027", "--project", "sanslicence", "--name", "Sans licence",
			"--holder-email", "porteuse@example.org", "--repo", "github.com/CodeCitoyen/Sanslicence", "--city", "Lyon"},
		{"program", "select", "ncc-2027/demoscampi"},
		{"program", "select", "ncc-2027/sanslicence"},
	} {
		if code, out, errOut := cli(t, url, args...); code != 0 {
			t.Fatalf("%v = %d %q %q", args, code, out, errOut)
		}
	}
	// The watcher reads programs from Postgres: let the selections land.
	waitFor(t, "both selections projected", func() bool {
		for _, p := range []string{"demoscampi", "sanslicence"} {
			if pr, err := e.st.GetProgram(ctx, "ncc-2027", p); err != nil || pr.Phase == "applied" {
				return false
			}
		}
		return true
	})
	if err := worker.EnsureWatch(ctx, e.tc, time.Hour); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the open-licence step to complete itself", func() bool {
		p, err := e.st.GetProgram(ctx, "ncc-2027", "demoscampi")
		if err != nil {
			return false
		}
		for _, m := range p.Milestones {
			if m.ID == "open-licence" {
				return m.Status == "completed" && m.EvidenceURL == "https://github.com/CodeCitoyen/Demoscampi" && strings.Contains(m.Note, "MIT")
			}
		}
		return false
	})
	audit, _ := e.st.ListAudit(ctx, "ncc-2027", "demoscampi")
	if last := audit[len(audit)-1]; last.Action != "licence-found" || last.Actor != "suivi" {
		t.Fatalf("last audit entry = %+v, want licence-found by suivi", last)
	}
	waitFor(t, "the how-to for the program without a licence", func() bool {
		o, _ := e.st.ListOutbox(ctx, "ncc-2027", "sanslicence")
		for _, m := range o {
			if m.Kind == "licence-missing" && m.Recipient == "porteuse@example.org" {
				return true
			}
		}
		return false
	})
	// Coordinators see compliance per program.
	code, out0, _ := cli(t, url, "program", "list", "--json")
	var l struct {
		Programs []struct{ Project, Licence string }
	}
	if code != 0 || json.Unmarshal([]byte(out0), &l) != nil {
		t.Fatalf("program list = %d %q", code, out0)
	}
	got := map[string]string{}
	for _, p := range l.Programs {
		got[p.Project] = p.Licence
	}
	if got["demoscampi"] != "open" || got["sanslicence"] != "not open" {
		t.Fatalf("licences in program list = %v", got)
	}
	// `suivi license check` reads the same repository on the same GitHub.
	var out, errb syncBuffer
	code = run(ctx, []string{"license", "check", "https://github.com/CodeCitoyen/Demoscampi", "--json", "--github-api-url", e.gh.URL()}, &out, &errb,
		func(k string) string { return map[string]string{"GITHUB_TOKEN": "t0ken"}[k] })
	var rep struct {
		SPDX string
		Open bool
	}
	if code != 0 || json.Unmarshal([]byte(out.String()), &rep) != nil || rep.SPDX != "MIT" || !rep.Open {
		t.Fatalf("license check on GitHub = %d %q %q", code, out.String(), errb.String())
	}
}

func TestLicenceCheckCommand(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "LICENSE"), []byte(mitText), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runWith(t, nil, "license", "check", dir)
	if code != 0 || !strings.HasPrefix(out, "MIT — open code licence") || strings.Count(out, "\n") != 2 {
		t.Fatalf("license check DIR = %d %q %q", code, out, errOut)
	}
	code, out, _ = runWith(t, nil, "license", "check", filepath.Join(dir, "LICENSE"), "--json")
	if code != 0 || !strings.Contains(out, `"spdx": "MIT"`) || !strings.Contains(out, `"category": "code"`) {
		t.Fatalf("license check FILE --json = %d %q", code, out)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"license", "check"}, "name one directory"},
		{[]string{"license", "check", "https://gitlab.com/a/b"}, "not on github.com"},
		{[]string{"license", "nope"}, "license check"},
	} {
		code, _, errOut := runWith(t, nil, tt.args...)
		if code != 1 || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v = %d %q, want %q", tt.args, code, errOut, tt.want)
		}
	}
}

// `suivi license check` gates CI: 0 when the licence is open, 3 when it is
// not, is missing or cannot be named, 1 when the check itself failed. The
// verdict (or the JSON) is printed whatever the answer.
func TestLicenceCheckExitCodes(t *testing.T) {
	ccbync, err := assets.ReadLicenseFile("License/CC-BY-NC-4.0/license.txt")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, content := range map[string]string{
		"open/LICENSE":      mitText,
		"nc/LICENSE":        string(ccbync),
		"nothing/main.go":   "package main\n",
		"modified/LICENSE":  mitText + "\nThe Software may only be used for non-commercial purposes.\n",
		"open-file/LICENSE": mitText,
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	at := func(name string) string { return filepath.Join(dir, filepath.FromSlash(name)) }
	for _, tt := range []struct {
		name      string
		args      []string
		code      int
		out, errs string
	}{
		{"open directory", []string{at("open")}, 0, "MIT — open code licence", ""},
		{"open file", []string{at("open-file/LICENSE")}, 0, "MIT — open code licence", ""},
		{"not open", []string{at("nc")}, 3, "CC-BY-NC-4.0 — not open docs licence", "licence not open: CC-BY-NC-4.0"},
		{"not open, as JSON", []string{at("nc/LICENSE"), "--json"}, 3, `"open": false`, "licence not open: CC-BY-NC-4.0"},
		{"no licence", []string{at("nothing")}, 3, "NONE — not open", "licence not open: NONE"},
		{"a licence with terms of its own", []string{at("modified"), "--json"}, 3, `"spdx": "NOASSERTION"`, "licence not open: NOASSERTION"},
		{"a path that does not exist", []string{at("missing/LICENSE")}, 1, "", "no such file or directory"},
		{"a relative path that does not exist", []string{"./missing"}, 1, "", "cannot read \"./missing\""},
		{"two targets", []string{at("open"), at("nc")}, 1, "", "name one directory"},
	} {
		code, out, errOut := runWith(t, nil, append([]string{"license", "check"}, tt.args...)...)
		if code != tt.code || !strings.Contains(out, tt.out) || !strings.Contains(errOut, tt.errs) || (tt.errs == "") != (errOut == "") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d, stdout with %q, stderr with %q", tt.name, code, out, errOut, tt.code, tt.out, tt.errs)
			if code == 1 && tt.code == exitNotOpen {
				t.Log("run() in main.go must return exitCode(err) for an error, not 1 (see licence.go)")
			}
		}
		if slices.Contains(tt.args, "--json") {
			var rep struct{ Open *bool }
			if json.Unmarshal([]byte(out), &rep) != nil || rep.Open == nil {
				t.Errorf("%s: stdout is not the JSON verdict: %q", tt.name, out)
			}
		}
	}
	for _, args := range [][]string{{"license", "--help"}, {"license", "check", "--help"}} {
		code, out, _ := runWith(t, nil, args...)
		if code != 0 || !strings.Contains(out, "Exit codes") || !strings.Contains(out, "3  it is not open") {
			t.Errorf("%v = %d %q, want the exit codes documented", args, code, out)
		}
	}
}

// The project's own licence: AGPL-3.0-or-later, and the command says so.
func TestLicenceOfSuiviItself(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("the repository root is not two levels above %s: %v", file, err)
	}
	code, out, errOut := runWith(t, nil, "license", "check", root)
	if code != 0 || !strings.HasPrefix(out, "AGPL-3.0-or-later — open code licence") {
		t.Fatalf("license check on the repository = %d %q %q", code, out, errOut)
	}
	code, out, _ = runWith(t, nil, "license", "check", root, "--json")
	var rep struct {
		SPDX string
		Open bool
	}
	if code != 0 || json.Unmarshal([]byte(out), &rep) != nil || rep.SPDX != "AGPL-3.0-or-later" || !rep.Open {
		t.Fatalf("license check --json on the repository = %d %q", code, out)
	}
}
