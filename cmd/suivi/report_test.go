package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/codecitoyen/suivi/activities"
	"github.com/codecitoyen/suivi/internal/config"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/worker"
	"github.com/codecitoyen/suivi/workflows"
)

// TestFunderReportSentOnce is the monthly report as it runs for real: a
// funder added through the CLI (which creates its Schedule), its report
// built by the workflow on a worker that dies right after storing it, then
// finished by another worker, then the same month run again: one stored
// report, one email per contact, each with the PDF and CSV attached and
// its chart inline, that strict parsers read.
func TestFunderReportSentOnce(t *testing.T) {
	e := newEngine(t)
	ctx := context.Background()

	code, out, errOut := cli(t, e.api.URL, "funder", "add", "metropole-de-lyon", "--name", "Métropole de Lyon",
		"--contact", "Finance@Example.org", "--contact", "suivi@example.org", "--lang", "en")
	if code != 0 || !strings.Contains(out, "metropole-de-lyon — Métropole de Lyon (en)") {
		t.Fatalf("funder add = %d %q %q", code, out, errOut)
	}
	if code, _, errOut := cli(t, e.api.URL, "funder", "add", "metropole-de-lyon", "--name", "X", "--contact", "x@example.org"); code != 1 || !strings.Contains(errOut, "exists already") {
		t.Fatalf("funder added twice = %d %q", code, errOut)
	}
	desc, err := e.tc.ScheduleClient().GetHandle(ctx, worker.FunderScheduleID("metropole-de-lyon")).Describe(ctx)
	if err != nil {
		t.Fatalf("the funder's Schedule: %v", err)
	}
	if cal := desc.Schedule.Spec.Calendars; len(cal) != 1 || desc.Schedule.Spec.TimeZoneName != "Europe/Paris" || cal[0].Hour[0].Start != 8 {
		t.Fatalf("schedule spec = %+v", desc.Schedule.Spec)
	}

	// A program in accompaniment since September 2026, funded.
	started := time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)
	p := store.Program{Edition: "ncc-2027", Project: "demoscampi", Name: "Démocratie et crustacés", City: "Lyon", Phase: "accompaniment",
		Holders: []string{"h@example.org"}, Repositories: []string{"https://github.com/codecitoyen/demoscampi"},
		WorkflowID: "program/ncc-2027/demoscampi", StartedAt: started, Seq: 1}
	if err := e.st.SaveProgram(ctx, p, []store.AuditEntry{{Seq: 1, At: started, Actor: "suivi", Action: "started"}}); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := cli(t, e.api.URL, "program", "fund", "ncc-2027/demoscampi", "--funder", "nobody-funds"); code != 1 || !strings.Contains(errOut, "suivi funder add") {
		t.Fatalf("fund by an unknown funder = %d %q", code, errOut)
	}
	if code, _, errOut := cli(t, e.api.URL, "program", "fund", "ncc-2027/demoscampi", "--funder", "metropole-de-lyon", "--since", "2026-09-01"); code != 0 {
		t.Fatalf("program fund = %d %q", code, errOut)
	}

	// Worker 1 builds and stores the report, then "dies" before saying so.
	acts := &activities.Activities{Store: e.st}
	stored := make(chan struct{})
	w1 := sdkworker.New(e.tc, config.TaskQueue, sdkworker.Options{})
	worker.RegisterWorkflows(w1)
	w1.RegisterActivity(acts.SendFunderReport)
	w1.RegisterActivityWithOptions(func(ctx context.Context, in activities.FunderReportInput) (activities.FunderReportResult, error) {
		if _, err := acts.BuildFunderReport(ctx, in); err != nil {
			return activities.FunderReportResult{}, err
		}
		close(stored)
		<-ctx.Done() // the process is gone: no answer, no heartbeat
		return activities.FunderReportResult{}, ctx.Err()
	}, activity.RegisterOptions{Name: "BuildFunderReport"})
	if err := w1.Start(); err != nil {
		t.Fatal(err)
	}
	// The first working day of November 2026 is Monday the 2nd (the 1st
	// is a Sunday and All Saints' Day): October is reported.
	scheduled := time.Date(2026, 11, 2, 7, 0, 0, 0, time.UTC)
	run := func(id string, at time.Time) client.WorkflowRun {
		r, err := e.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: config.TaskQueue},
			workflows.FunderReportWorkflowName, activities.FunderReportInput{Funder: "metropole-de-lyon", Scheduled: at})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	first := run("funder-report/metropole-de-lyon-first", scheduled)
	select {
	case <-stored:
	case <-time.After(60 * time.Second):
		t.Fatal("worker 1 did not build the report")
	}
	w1.Stop()
	e.startWorker(t) // worker 2, with the outbox and SMTP

	var res activities.FunderReportResult
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := first.Get(wctx, &res); err != nil {
		t.Fatalf("report workflow after the restart: %v", err)
	}
	if res.Month != "2026-10" || res.ReportID == 0 || res.Programs != 1 {
		t.Fatalf("result = %+v", res)
	}
	// The Schedule fires again the same month (a caught-up run, a second
	// weekday): the same report, nothing new queued.
	var again activities.FunderReportResult
	if err := run("funder-report/metropole-de-lyon-again", scheduled).Get(wctx, &again); err != nil || again.ReportID != res.ReportID {
		t.Fatalf("second run = %+v, %v; want report %d again", again, err, res.ReportID)
	}
	// The next weekday is not the first working day: nothing is built.
	var skipped activities.FunderReportResult
	if err := run("funder-report/metropole-de-lyon-tuesday", scheduled.AddDate(0, 0, 1)).Get(wctx, &skipped); err != nil || skipped.Skipped == "" {
		t.Fatalf("run on the 3rd = %+v, %v; want skipped", skipped, err)
	}
	if *recordHistories {
		recordHistory(t, e.tc, "funder-report/metropole-de-lyon-first", "../../workflows/testdata/funder_report_v1_restart.json")
	}

	waitFor(t, "two report emails", func() bool { return len(reportMails(e)) >= 2 })
	time.Sleep(2 * time.Second) // a duplicate would have arrived by now
	msgs := reportMails(e)
	if len(msgs) != 2 {
		t.Fatalf("%d report emails, want exactly one per contact (2)", len(msgs))
	}
	to := map[string]bool{}
	for _, raw := range msgs {
		to[checkReportMail(t, raw)] = true
	}
	if !to["finance@example.org"] || !to["suivi@example.org"] {
		t.Fatalf("recipients = %v", to)
	}
	// The coordinator's CLI gets the same stored report, as CSV and PDF.
	dir := t.TempDir()
	csvPath := dir + "/r.csv"
	if code, out, errOut := cli(t, e.api.URL, "report", "funder", "metropole-de-lyon", "--month", "2026-10", "--format", "csv", "-o", csvPath); code != 0 {
		t.Fatalf("report funder = %d %q %q", code, out, errOut)
	}
	got, _ := os.ReadFile(csvPath)
	if !bytes.Contains(got, []byte("2026-10,ncc-2027,demoscampi,Démocratie et crustacés,Lyon")) {
		t.Fatalf("CSV:\n%s", got)
	}
	htmlPath := dir + "/r.html"
	if code, out, errOut := cli(t, e.api.URL, "report", "funder", "metropole-de-lyon", "--month", "2026-10", "--format", "html", "-o", htmlPath); code != 0 {
		t.Fatalf("report funder --format html = %d %q %q", code, out, errOut)
	}
	got, _ = os.ReadFile(htmlPath)
	if !bytes.Contains(got, []byte(`<html lang="en">`)) || !bytes.Contains(got, []byte("data:image/png;base64,")) || !bytes.Contains(got, []byte("Démocratie et crustacés")) {
		t.Fatalf("HTML report:\n%.500s", got)
	}
	if code, _, errOut := cli(t, e.api.URL, "report", "funder", "metropole-de-lyon", "--month", "2099-01"); code != 1 || !strings.Contains(errOut, "latest complete month") {
		t.Fatalf("a month not over = %d %q", code, errOut)
	}
}

func reportMails(e *engine) [][]byte {
	var out [][]byte
	for _, m := range e.sink.Messages() {
		if bytes.Contains(m.Data, []byte("X-Suivi-Kind: funder-report")) {
			out = append(out, m.Data)
		}
	}
	return out
}

// checkReportMail parses a report email with Go's strict readers (and
// Python's email package with policy.strict where the machine has it) and
// returns its recipient.
func checkReportMail(t *testing.T, raw []byte) string {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if subj, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject")); !strings.Contains(subj, "progress report October 2026, Métropole de Lyon") {
		t.Errorf("subject = %q", subj)
	}
	if m.Header.Get("Auto-Submitted") != "auto-generated" {
		t.Errorf("Auto-Submitted = %q", m.Header.Get("Auto-Submitted"))
	}
	var parts []string
	var cids []string
	var html string
	var walk func(ctype string, body io.Reader)
	walk = func(ctype string, body io.Reader) {
		mt, params, err := mime.ParseMediaType(ctype)
		if err != nil {
			t.Fatalf("content type %q: %v", ctype, err)
		}
		if !strings.HasPrefix(mt, "multipart/") {
			return
		}
		r := multipart.NewReader(body, params["boundary"])
		for {
			p, err := r.NextPart()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			pt := p.Header.Get("Content-Type")
			data := decodePart(t, p)
			parts = append(parts, strings.SplitN(pt, ";", 2)[0]+" "+p.FileName())
			if id := p.Header.Get("Content-Id"); id != "" {
				cids = append(cids, strings.Trim(id, "<>"))
			}
			if strings.HasPrefix(pt, "text/html") {
				html = string(data)
			}
			if strings.HasPrefix(pt, "application/pdf") && !bytes.HasPrefix(data, []byte("%PDF-")) {
				t.Error("the PDF attachment is not a PDF")
			}
			walk(pt, bytes.NewReader(data))
		}
	}
	walk(m.Header.Get("Content-Type"), m.Body)
	joined := strings.Join(parts, " | ")
	for _, want := range []string{"application/pdf suivi-metropole-de-lyon-2026-10.pdf", "text/csv suivi-metropole-de-lyon-2026-10.csv", "image/png", "text/plain", "text/html"} {
		if !strings.Contains(joined, want) {
			t.Errorf("no %s part in %s", want, joined)
		}
	}
	if len(cids) == 0 || !strings.Contains(html, "cid:"+cids[0]) {
		t.Errorf("inline images %v, not referenced by the HTML", cids)
	}
	if py, err := exec.LookPath("/usr/bin/python3"); err == nil {
		cmd := exec.Command(py, "-c", `import sys, email, email.policy
m = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.strict)
assert not m.defects, m.defects
for p in m.walk():
    assert not p.defects, (p.get_content_type(), p.defects)
names = sorted(p.get_filename() for p in m.walk() if p.get_filename())
print(names)`)
		cmd.Stdin = bytes.NewReader(raw)
		if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), ".pdf") {
			t.Errorf("python email (policy.strict): %v\n%s", err, out)
		}
	}
	addr, err := mail.ParseAddress(m.Header.Get("To"))
	if err != nil {
		t.Fatal(err)
	}
	return addr.Address
}

// decodePart reads a MIME part's body, undoing base64 or quoted-printable.
func decodePart(t *testing.T, p *multipart.Part) []byte {
	t.Helper()
	b, err := io.ReadAll(p)
	if err != nil {
		t.Fatal(err)
	}
	switch strings.ToLower(p.Header.Get("Content-Transfer-Encoding")) {
	case "base64":
		dec, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(b)), ""))
		if err != nil {
			t.Fatal(err)
		}
		return dec
	case "quoted-printable":
		dec, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(b)))
		if err != nil {
			t.Fatal(err)
		}
		return dec
	}
	return b
}
