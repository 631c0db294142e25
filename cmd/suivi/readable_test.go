package main

import (
	"context"
	"strings"
	"testing"
)

// A start is answered once the program is readable, with no worker running
// (the API writes the first record); once a worker runs, the workflow's own
// projection replaces it, and an action's answer means Postgres already
// shows the action: no polling anywhere.
func TestStartAndActionsAreReadableAtOnce(t *testing.T) {
	e := newEngine(t) // no worker yet
	ctx := context.Background()
	if code, out, errOut := cli(t, e.api.URL, startArgs...); code != 0 || !strings.Contains(out, "Started program") {
		t.Fatalf("start without a worker = %d %q %q", code, out, errOut)
	}
	p, err := e.st.GetProgram(ctx, "ncc-2027", "demoscampi")
	if err != nil {
		t.Fatalf("the program is not readable right after its start: %v", err)
	}
	if p.Phase != "applied" || p.Seq != 0 || len(p.Milestones) == 0 || p.FirstRunID == "" || p.Milestones[0].Status != "open" {
		t.Fatalf("first record = %+v", p)
	}
	e.startWorker(t)
	waitFor(t, "the workflow's own projection", func() bool {
		p, err := e.st.GetProgram(ctx, "ncc-2027", "demoscampi")
		return err == nil && p.Seq >= 1
	})
	audit, err := e.st.ListAudit(ctx, "ncc-2027", "demoscampi")
	if err != nil || len(audit) != 1 || audit[0].Action != "started" {
		t.Fatalf("audit after the first projection = %+v, %v", audit, err)
	}
	if code, _, errOut := cli(t, e.api.URL, "program", "select", "ncc-2027/demoscampi"); code != 0 {
		t.Fatalf("select = %d %q", code, errOut)
	}
	// The test edition's hackathon is over: selected, the program goes
	// on to accompaniment in the same workflow task.
	if p, err := e.st.GetProgram(ctx, "ncc-2027", "demoscampi"); err != nil || p.Phase == "applied" {
		t.Fatalf("right after select answered, Postgres holds %+v, %v", p.Phase, err)
	}
	before, _ := e.st.ListAudit(ctx, "ncc-2027", "demoscampi")
	if code, _, errOut := cli(t, e.api.URL, "step", "submit", "ncc-2027/demoscampi", "demo", "--url", "https://demo.example.org/d"); code != 0 {
		t.Fatalf("submit = %d %q", code, errOut)
	}
	p, err = e.st.GetProgram(ctx, "ncc-2027", "demoscampi")
	if err != nil || p.Milestones[0].Status != "submitted" || p.Milestones[0].EvidenceURL != "https://demo.example.org/d" {
		t.Fatalf("right after submit answered, Postgres holds %+v, %v", p.Milestones, err)
	}
	if audit, _ := e.st.ListAudit(ctx, "ncc-2027", "demoscampi"); len(audit) != len(before)+1 || audit[len(audit)-1].Action != "submit" || before[1].Action != "select" {
		t.Fatalf("audit right after submit = %+v", audit)
	}
}
