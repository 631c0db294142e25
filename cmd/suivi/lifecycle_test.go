package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/codecitoyen/suivi/activities"
	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/config"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/worker"
	"github.com/codecitoyen/suivi/workflows"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
)

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// waitFor polls cond for up to 20 s; the projection is asynchronous.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestLifecycleEndToEnd drives a program through the CLI against a real
// Temporal server and Postgres: edition, start, select, submit, complete,
// mentor, attendance, a meetup invitation; then checks the read model, the
// audit log and the outbox.
func TestLifecycleEndToEnd(t *testing.T) {
	e := newEngine(t)
	e.startWorker(t)
	ctx := context.Background()
	url := e.api.URL
	run := func(args ...string) string {
		t.Helper()
		code, out, errOut := cli(t, url, args...)
		if code != 0 {
			t.Fatalf("%v = %d %q %q", args, code, out, errOut)
		}
		return out
	}
	fail := func(want string, args ...string) {
		t.Helper()
		code, out, errOut := cli(t, url, args...)
		if code != 1 || !strings.Contains(errOut, want) || out != "" {
			t.Fatalf("%v = %d %q %q; want exit 1 saying %q", args, code, out, errOut, want)
		}
	}

	// Re-applying an unchanged edition is a no-op.
	if out := run("edition", "apply", writeEdition(t)); !strings.Contains(out, "unchanged (version 1)") {
		t.Fatalf("second apply: %q", out)
	}
	if out := run("edition", "show", "ncc-2027"); !strings.Contains(out, "Lyon") || !strings.Contains(out, "open-licence") {
		t.Fatalf("edition show: %q", out)
	}
	fail("edition nope does not exist", append(slices.Clone(startArgs[:2]), "--edition", "nope", "--project", "x1", "--name", "X",
		"--holder-email", "h@example.org", "--repo", "https://github.com/a/b")...)
	fail(`no city "Atlantis"`, append(slices.Clone(startArgs), "--city", "Atlantis")...)

	// An edition whose accompaniment is over takes no new program.
	run("edition", "apply", writeEditionAt(t, "ncc-2020", -800))
	fail("accompaniment ended", append(slices.Clone(startArgs), "--edition", "ncc-2020")...)
	// A bad file: every problem, each with its line, and nothing stored.
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte(strings.NewReplacer(
		"Europe/Paris, meetup", "Europe/Pariss, meetup",
		`"+14d"`, `"2001-01-01"`,
		"id: explainer-video", "id: demo",
	).Replace(mustRead(t, writeEditionAt(t, "ncc-2031", 0)))), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := cli(t, url, "edition", "apply", bad)
	if strings.Count(errOut, "\n") != 4 {
		t.Errorf("apply of a bad file: want a header and one line per problem, got:\n%s", errOut)
	}
	for _, w := range []string{bad + ":11:", `unknown time zone "Europe/Pariss"`, bad + ":15:", "before the hackathon", bad + ":16:", `duplicate milestone id "demo"`} {
		if code != 1 || !strings.Contains(errOut, w) {
			t.Errorf("apply of a bad file = %d, stderr:\n%s\nwant it to contain %q", code, errOut, w)
		}
	}
	fail("edition ncc-2031 does not exist", "edition", "show", "ncc-2031")

	run(startArgs...)
	// Each person acts as themselves: the Lyon coordinator selects, the
	// holder submits, the mentor completes; the audit log names them.
	lyon := grantCoordinator(t, e.st, "coordination-lyon@example.org", "Lyon")
	holder := grantToken(t, e.st, auth.Grant{Email: "holder@example.org"})
	mentor := grantToken(t, e.st, auth.Grant{Email: "mentor@example.org"})
	as := func(token string, args ...string) string {
		t.Helper()
		code, out, errOut := cliAs(t, url, token, args...)
		if code != 0 {
			t.Fatalf("%v = %d %q %q", args, code, out, errOut)
		}
		return out
	}
	if code, _, errOut := cliAs(t, url, holder, "program", "select", "ncc-2027/demoscampi"); code != 1 || !strings.Contains(errOut, "may see this program but not") {
		t.Fatalf("the holder selects = %d %q", code, errOut)
	}
	if code, _, errOut := cliAs(t, url, mentor, "program", "status", "ncc-2027/demoscampi"); code != 1 || !strings.Contains(errOut, "no program ncc-2027/demoscampi") {
		t.Fatalf("a mentor not yet assigned reads the program = %d %q", code, errOut)
	}
	out := as(lyon, "program", "select", "ncc-2027/demoscampi", "--request-id", "select-1", "--json")
	var done api.ActionDone
	if err := json.Unmarshal([]byte(out), &done); err != nil || done.Phase != workflows.PhaseSelected || done.UpdateID != "select-1" {
		t.Fatalf("select --json = %q", out)
	}
	// The same request again returns its first result and acts once.
	if out := run("program", "select", "ncc-2027/demoscampi", "--request-id", "select-1"); !strings.Contains(out, "program selected") {
		t.Fatalf("retried select: %q", out)
	}
	fail("only applied programs can be selected", "program", "select", "ncc-2027/demoscampi")

	// The hackathon is over: the calendar moves the program on by itself.
	waitFor(t, "accompaniment", func() bool {
		c := api.NewClient(url)
		c.Token = e.token
		d, err := c.GetProgram(ctx, "ncc-2027", "demoscampi")
		return err == nil && d.Workflow.Phase == workflows.PhaseAccompaniment
	})

	as(holder, "step", "submit", "ncc-2027/demoscampi", "demo", "--url", "https://demo.example.org/demoscampi")
	as(lyon, "mentor", "assign", "ncc-2027/demoscampi", "mentor@example.org")
	waitFor(t, "the mentor in Postgres", func() bool {
		p, err := e.st.GetProgram(ctx, "ncc-2027", "demoscampi")
		return err == nil && len(p.Mentors) == 1
	})
	as(mentor, "step", "complete", "ncc-2027/demoscampi", "open-licence", "--note", "MIT, checked")
	month := time.Now().UTC().Format("2006-01")
	as(mentor, "meetup", "attend", "ncc-2027/demoscampi", month)

	fail("already completed", "step", "complete", "ncc-2027/demoscampi", "open-licence")
	fail(`no step "nope"`, "step", "complete", "ncc-2027/demoscampi", "nope")
	fail("not an http(s) URL", "step", "submit", "ncc-2027/demoscampi", "explainer-video", "--url", "ftp://x.example.org/v")
	fail("in the past", "step", "extend", "ncc-2027/demoscampi", "explainer-video", "--due", "2020-01-01")
	fail("--due must be a date", "step", "extend", "ncc-2027/demoscampi", "explainer-video", "--due", "soon")
	fail("already mentors", "mentor", "assign", "ncc-2027/demoscampi", "mentor@example.org")
	fail("no program ncc-2027/nope", "step", "complete", "ncc-2027/nope", "demo")

	// The city's meetup schedule exists; run its workflow now rather than
	// wait for the 24th.
	if _, err := e.tc.ScheduleClient().GetHandle(ctx, worker.MeetupScheduleID("ncc-2027", "Lyon")).Describe(ctx); err != nil {
		t.Fatalf("meetup schedule for Lyon: %v", err)
	}
	wr, err := e.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "meetup-test", TaskQueue: config.TaskQueue},
		workflows.MeetupWorkflow, activities.MeetupInput{Edition: "ncc-2027", City: "Lyon"})
	if err != nil {
		t.Fatal(err)
	}
	var mr activities.MeetupResult
	if err := wr.Get(ctx, &mr); err != nil || mr.Invited != 1 {
		t.Fatalf("meetup workflow = %+v, %v; want one invitation", mr, err)
	}

	// The read model, the audit log and the outbox.
	var p store.Program
	waitFor(t, "the read model", func() bool {
		p, err = e.st.GetProgram(ctx, "ncc-2027", "demoscampi")
		return err == nil && len(p.Attendance) == 1 && len(p.Mentors) == 1
	})
	if p.Phase != "accompaniment" || len(p.Milestones) != 3 || p.Milestones[0].Status != "submitted" ||
		p.Milestones[0].EvidenceURL != "https://demo.example.org/demoscampi" || p.Milestones[1].Status != "completed" ||
		p.Milestones[1].Note != "MIT, checked" || p.Milestones[2].Status != "open" || p.NextDue == "" {
		t.Fatalf("read model = %+v", p)
	}
	audit, err := e.st.ListAudit(ctx, "ncc-2027", "demoscampi")
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, a := range audit {
		actions = append(actions, a.Action)
	}
	want := []string{"started", "select", "phase:hackathon", "phase:demo", "phase:accompaniment", "submit", "assign-mentor", "complete", "attend"}
	if !slices.Equal(actions, want) {
		t.Fatalf("audit actions = %v, want %v", actions, want)
	}
	if audit[1].Actor != "coordination-lyon@example.org" || audit[1].UpdateID != "select-1" || audit[5].Actor != "holder@example.org" ||
		audit[7].Actor != "mentor@example.org" || audit[7].Detail["milestone"] != "open-licence" || audit[8].Actor != "mentor@example.org" {
		t.Fatalf("audit entries = %+v", audit)
	}
	outbox, err := e.st.ListOutbox(ctx, "ncc-2027", "demoscampi")
	if err != nil {
		t.Fatal(err)
	}
	if len(outbox) != 1 || outbox[0].Kind != "meetup-invitation" || outbox[0].Recipient != "holder@example.org" {
		t.Fatalf("outbox = %+v", outbox)
	}
	// The dispatcher delivers it through the real SMTP server, with its
	// calendar invitation, once.
	waitFor(t, "the invitation to reach the SMTP server", func() bool { return e.sink.Count() == 1 })
	got := string(e.sink.Messages()[0].Data)
	for _, w := range []string{"To: <holder@example.org>", "text/calendar", "List-Unsubscribe:", "Petite Nuit du Code Citoyen"} {
		if !strings.Contains(got, w) {
			t.Errorf("invitation lacks %q:\n%s", w, got)
		}
	}
	waitFor(t, "the outbox to record the reply", func() bool {
		o, _ := e.st.ListOutbox(ctx, "ncc-2027", "demoscampi")
		return len(o) == 1 && o[0].Status == "sent"
	})
	// The link at the bottom changes the holder's choices without logging in.
	token := e.tokens.Sign("holder@example.org")
	resp, err := http.Get(url + "/prefs?t=" + token)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("prefs page = %v %v", resp, err)
	}
	resp.Body.Close()
	resp, err = http.PostForm(url+"/prefs", map[string][]string{"t": {token}, "reminders": {"digest"}, "locale": {"en"}})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("prefs save = %v %v", resp, err)
	}
	resp.Body.Close()
	if p, _ := e.st.GetPerson(ctx, "holder@example.org"); p.Reminders != "digest" || p.Locale != "en" {
		t.Fatalf("person after prefs = %+v", p)
	}
	resp, _ = http.Post(url+"/prefs/unsubscribe?t="+token, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	resp.Body.Close()
	if p, _ := e.st.GetPerson(ctx, "holder@example.org"); resp.StatusCode != 200 || p.Reminders != "escalations" {
		t.Fatalf("one-click unsubscribe = %d, %+v", resp.StatusCode, p)
	}
	resp, _ = http.Get(url + "/prefs?t=" + token[:len(token)-2] + "xx")
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("tampered token = %d, want 403", resp.StatusCode)
	}
	if out := run("person", "set", "holder@example.org", "--reminders", "all"); !strings.Contains(out, "reminders all") {
		t.Fatalf("person set: %q", out)
	}
	fail("say fr or en", "person", "set", "holder@example.org", "--locale", "de")

	// Running the meetup again queues nothing new.
	wr, _ = e.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "meetup-test-2", TaskQueue: config.TaskQueue},
		workflows.MeetupWorkflow, activities.MeetupInput{Edition: "ncc-2027", City: "Lyon"})
	if err := wr.Get(ctx, &mr); err != nil || mr.Invited != 0 {
		t.Fatalf("second meetup run = %+v, %v; want nothing new", mr, err)
	}

	desc, err := e.tc.DescribeWorkflowExecution(ctx, "program/ncc-2027/demoscampi", "")
	if err != nil {
		t.Fatal(err)
	}
	if got := string(desc.GetWorkflowExecutionInfo().GetSearchAttributes().GetIndexedFields()["SuiviPhase"].GetData()); got != `"accompaniment"` {
		t.Errorf("SuiviPhase = %s, want accompaniment", got)
	}
	out = run("program", "status", "ncc-2027/demoscampi")
	for _, w := range []string{"accompaniment", "mentor@example.org", "open-licence", "completed", "Next reminder", month} {
		if !strings.Contains(out, w) {
			t.Errorf("status does not show %q:\n%s", w, out)
		}
	}
	// The repository watcher polls the program's repository (on our own
	// fake GitHub) and `repo activity` shows what it found.
	if err := worker.EnsureWatch(ctx, e.tc, time.Hour); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the first poll", func() bool {
		r, _ := e.st.ProgramRepos(ctx, "ncc-2027", "demoscampi")
		return len(r) == 1 && r[0].Status == "ok"
	})
	out = run("repo", "activity", "ncc-2027/demoscampi")
	for _, w := range []string{"CodeCitoyen/Demoscampi", "★ 12", "licence MIT", "Commits           4 (0.31 per week)", "2 active", "Maintained"} {
		if !strings.Contains(out, w) {
			t.Errorf("repo activity lacks %q:\n%s", w, out)
		}
	}
	var act api.RepoActivity
	if err := json.Unmarshal([]byte(run("repo", "activity", "ncc-2027/demoscampi", "--json")), &act); err != nil ||
		act.Metrics.Commits != 4 || act.Metrics.ActiveContributors != 2 || act.Metrics.BusFactor != 1 || act.Metrics.Maintained < 1 {
		t.Fatalf("repo activity --json = %+v, %v", act.Metrics, err)
	}
	fail("--days must be from 7 to 730", "repo", "activity", "ncc-2027/demoscampi", "--days", "1")

	// A weekly digest run, for its recorded history.
	dr, err := e.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "digest-test", TaskQueue: config.TaskQueue}, workflows.DigestWorkflow)
	if err != nil {
		t.Fatal(err)
	}
	if err := dr.Get(ctx, nil); err != nil {
		t.Fatal(err)
	}

	// A second holder, added by the coordinator, may then see the program,
	// and the role goes with them when removed.
	as(lyon, "holder", "add", "ncc-2027/demoscampi", "cotitulaire@example.org")
	second := grantToken(t, e.st, auth.Grant{Email: "cotitulaire@example.org"})
	waitFor(t, "the second holder's access", func() bool {
		code, _, _ := cliAs(t, url, second, "program", "status", "ncc-2027/demoscampi")
		return code == 0
	})
	if code, _, _ := cliAs(t, url, holder, "holder", "add", "ncc-2027/demoscampi", "intrus@example.org"); code != 1 {
		t.Fatal("a holder added a holder")
	}
	as(lyon, "holder", "remove", "ncc-2027/demoscampi", "cotitulaire@example.org")
	waitFor(t, "the second holder's access to end", func() bool {
		code, _, _ := cliAs(t, url, second, "program", "status", "ncc-2027/demoscampi")
		return code == 1
	})
	run("program", "graduate", "ncc-2027/demoscampi")
	waitFor(t, "graduation", func() bool {
		p, err = e.st.GetProgram(ctx, "ncc-2027", "demoscampi")
		return err == nil && p.Phase == "graduated"
	})
	// Whether the workflow is still closing or closed, the answer is the same.
	fail("nothing more can be done", "step", "complete", "ncc-2027/demoscampi", "explainer-video")
	waitFor(t, "the workflow to close", func() bool {
		d, err := e.tc.DescribeWorkflowExecution(ctx, "program/ncc-2027/demoscampi", "")
		return err == nil && d.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
	})
	fail("is over", "step", "complete", "ncc-2027/demoscampi", "explainer-video")

	if *recordHistories {
		recordHistory(t, e.tc, "program/ncc-2027/demoscampi", "../../workflows/testdata/program_v6_lifecycle.json")
		recordHistory(t, e.tc, "meetup-test", "../../workflows/testdata/meetup_v1.json")
		recordHistory(t, e.tc, "digest-test", "../../workflows/testdata/digest_v1.json")
		recordHistory(t, e.tc, workflows.OutboxWorkflowID, "../../workflows/testdata/outbox_v1.json")
		recordHistory(t, e.tc, workflows.WatchWorkflowID, "../../workflows/testdata/watch_v2.json")
	}
}
