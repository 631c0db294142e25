package workflows_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/codecitoyen/suivi/activities"
	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/workflows"
)

// wide is n characters of a 4-byte rune: the most bytes a character limit
// lets through.
func wide(n int) string { return strings.Repeat("𝄞", n) }

func TestCheckRequestRefusesOversizeFields(t *testing.T) {
	ok := workflows.ActionRequest{Actor: "mentor@example.org", Note: wide(workflows.MaxNoteLen), URL: "https://x.org/" + strings.Repeat("a", workflows.MaxURLLen-14)}
	if err := workflows.CheckRequest(workflows.UpdateSubmit, ok); err != nil {
		t.Fatalf("a request at every limit is refused: %v", err)
	}
	for name, tt := range map[string]struct {
		action string
		req    workflows.ActionRequest
		want   string
	}{
		"no actor":         {workflows.UpdateSelect, workflows.ActionRequest{}, "say who acts"},
		"200 KB actor":     {workflows.UpdateSelect, workflows.ActionRequest{Actor: strings.Repeat("a", 200_000)}, "limit is 254"},
		"ANSI in actor":    {workflows.UpdateSelect, workflows.ActionRequest{Actor: "x\x1b[2K"}, "control"},
		"bidi in actor":    {workflows.UpdateSelect, workflows.ActionRequest{Actor: "a\u202eb@example.org"}, "bidirectional"},
		"long note":        {workflows.UpdateComplete, workflows.ActionRequest{Actor: "a@b.org", Note: wide(workflows.MaxNoteLen + 1)}, "limit is 2000"},
		"long comment":     {workflows.UpdateScore, workflows.ActionRequest{Actor: "a@b.org", Comment: strings.Repeat("c", 2001)}, "limit is 2000"},
		"ANSI in note":     {workflows.UpdateComplete, workflows.ActionRequest{Actor: "a@b.org", Note: "ok\x1b]0;evil\x07"}, "control"},
		"long URL":         {workflows.UpdateSubmit, workflows.ActionRequest{Actor: "a@b.org", URL: "https://x.org/" + strings.Repeat("a", workflows.MaxURLLen)}, "limit is 2048"},
		"long mentor":      {workflows.UpdateAssignMentor, workflows.ActionRequest{Actor: "a@b.org", Mentor: strings.Repeat("m", 300) + "@x.org"}, "limit is 254"},
		"long step":        {workflows.UpdateComplete, workflows.ActionRequest{Actor: "a@b.org", Milestone: strings.Repeat("s", 100_000)}, "at most 63"},
		"attendance essay": {workflows.UpdateAttend, workflows.ActionRequest{Actor: "a@b.org", Meetup: "2027-04", Note: strings.Repeat("n", 281)}, "limit is 280"},
	} {
		err := workflows.CheckRequest(tt.action, tt.req)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error containing %q", name, err, tt.want)
		}
		if err != nil && len(err.Error()) > 200 {
			t.Errorf("%s: the error echoes the input (%d bytes)", name, len(err.Error()))
		}
	}
	// Line breaks are fine in a note.
	if err := workflows.CheckRequest(workflows.UpdateComplete, workflows.ActionRequest{Actor: "a@b.org", Note: "line one\nline two\ttab"}); err != nil {
		t.Errorf("a note with a line break is refused: %v", err)
	}
}

// TestValidatorsRefuseOutOfRange sends each action that a hostile or
// careless caller could use to grow the state or break the calendar; each
// must be rejected by the validator, leaving no trace.
func TestValidatorsRefuseOutOfRange(t *testing.T) {
	in := workflows.ProgramInput{Program: workflows.Program{
		Edition: "ncc-2027", Project: "ranges", Name: "Ranges", Holders: []string{"holder@example.org"},
		Repositories: []string{"https://github.com/a/b"}, City: "Lyon",
	}, Snapshot: snapshot(t), ContinueEvery: 3}
	events := []event{
		ev("2027-01-11T10:00:00Z", workflows.UpdateSelect, workflows.ActionRequest{}),
	}
	bad := func(at, action string, req workflows.ActionRequest, want string) {
		e := ev(at, action, req)
		e.wantErr = want
		events = append(events, e)
	}
	bad("2027-04-10T10:00:00Z", workflows.UpdateAttend, workflows.ActionRequest{Meetup: "1999-01"}, "outside edition ncc-2027, whose meetups run from 2027-03 to 2029-03")
	bad("2027-04-10T11:00:00Z", workflows.UpdateAttend, workflows.ActionRequest{Meetup: "9999-12"}, "outside edition")
	bad("2027-04-10T12:00:00Z", workflows.UpdateAttend, workflows.ActionRequest{Meetup: "2027-05"}, "has not happened yet")
	bad("2027-04-10T13:00:00Z", workflows.UpdateExtend, workflows.ActionRequest{Milestone: "final-review", Due: "9999-12-31"}, "after the accompaniment ends on 2029-03-07")
	for i := range workflows.MaxMentors {
		events = append(events, ev(fmt.Sprintf("2027-04-11T10:%02d:00Z", i), workflows.UpdateAssignMentor, workflows.ActionRequest{Mentor: fmt.Sprintf("m%d@example.org", i)}))
	}
	bad("2027-04-11T11:00:00Z", workflows.UpdateAssignMentor, workflows.ActionRequest{Mentor: "one-too-many@example.org"}, "already has 10 mentors")
	// The Update ID of the selection, months and several runs later, for
	// another action: refused as a conflict, not answered "selected".
	reuse := ev("2027-05-01T10:00:00Z", workflows.UpdateWithdraw, workflows.ActionRequest{})
	reuse.id, reuse.wantErr = events[0].id, "was already used for select"
	events = append(events, reuse, ev("2027-06-01T10:00:00Z", workflows.UpdateWithdraw, workflows.ActionRequest{}))
	res := runScenario(t, utc("2027-01-10T09:00:00Z"), in, events)
	if res.runs < 3 {
		t.Errorf("%d runs: the reused ID must be checked after continue-as-new", res.runs)
	}
	if len(res.final.Mentors) != workflows.MaxMentors || len(res.final.Attendance) != 0 {
		t.Errorf("state after the rejections: %d mentors, %d meetups, phase %s", len(res.final.Mentors), len(res.final.Attendance), res.final.Phase)
	}
}

// TestResubmitKeepsHistory: a second deliverable replaces the first on the
// step, and the audit log keeps both, the second naming the first.
func TestResubmitKeepsHistory(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.SetStartTime(utc("2027-03-08T10:00:00Z"))
	var a *activities.Activities
	env.RegisterActivity(a.Notify)
	env.RegisterActivity(a.ApplyProgramChange)
	env.OnActivity(a.Notify, mock.Anything, mock.Anything).Return(1, nil)
	var audit []store.AuditEntry
	env.OnActivity(a.ApplyProgramChange, mock.Anything, mock.Anything).Return(func(_ context.Context, p store.ProgramChange) error {
		audit = append(audit, p.Audit...)
		return nil
	})
	var messages []string
	send := func(at time.Duration, id, action string, req workflows.ActionRequest) {
		req.Actor = "holder@example.org"
		env.RegisterDelayedCallback(func() {
			env.UpdateWorkflow(action, id, &testsuite.TestUpdateCallback{
				OnReject: func(err error) { t.Errorf("%s rejected: %v", id, err) },
				OnAccept: func() {},
				OnComplete: func(r any, err error) {
					if res, ok := r.(workflows.ActionResult); ok {
						messages = append(messages, res.Message)
					}
				},
			}, req)
		}, at)
	}
	send(time.Minute, "s", workflows.UpdateSelect, workflows.ActionRequest{})
	send(2*time.Minute, "d1", workflows.UpdateSubmit, workflows.ActionRequest{Milestone: "demo", URL: "https://demo.example.org/v1"})
	send(3*time.Minute, "d2", workflows.UpdateSubmit, workflows.ActionRequest{Milestone: "demo", URL: "https://demo.example.org/v2"})
	send(4*time.Minute, "w", workflows.UpdateWithdraw, workflows.ActionRequest{})
	env.ExecuteWorkflow(workflows.ProgramWorkflow, workflows.ProgramInput{Program: workflows.Program{
		Edition: "ncc-2027", Project: "resubmit", Name: "R", Holders: []string{"holder@example.org"},
		Repositories: []string{"https://github.com/a/b"}, City: "Lyon",
	}, Snapshot: snapshot(t)})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var submits []map[string]string
	for _, e := range audit {
		if e.Action == workflows.UpdateSubmit {
			submits = append(submits, e.Detail)
		}
	}
	if len(submits) != 2 || submits[0]["url"] != "https://demo.example.org/v1" || submits[1]["url"] != "https://demo.example.org/v2" || submits[1]["replaced"] != "https://demo.example.org/v1" {
		t.Errorf("audit of the submissions: %v", submits)
	}
	if len(messages) < 3 || !strings.Contains(messages[2], "replaced") {
		t.Errorf("the second submission's answer does not say it replaced the first: %q", messages)
	}
}

// TestPendingChangesAreBounded: while Postgres is down the projection
// retries, and Updates accepted meanwhile wait in the state. Past
// MaxPendingAudit they are refused as Busy (503), so the state cannot grow
// without bound; once Postgres is back everything waiting is projected.
func TestPendingChangesAreBounded(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	start := utc("2027-03-08T10:00:00Z")
	env.SetStartTime(start)
	var a *activities.Activities
	env.RegisterActivity(a.Notify)
	env.RegisterActivity(a.ApplyProgramChange)
	env.OnActivity(a.Notify, mock.Anything, mock.Anything).Return(1, nil)
	downUntil := start.Add(3 * time.Minute) // the test environment gives up after 10 attempts
	projected := map[int64]bool{}
	env.OnActivity(a.ApplyProgramChange, mock.Anything, mock.Anything).Return(func(_ context.Context, p store.ProgramChange) error {
		if env.Now().Before(downUntil) {
			return errors.New("postgres: connection refused")
		}
		for _, e := range p.Audit {
			projected[e.Seq] = true
		}
		return nil
	})
	accepted, busy := 0, 0
	for i := range 2 * workflows.MaxPendingAudit {
		action := workflows.UpdatePause
		if i%2 == 1 {
			action = workflows.UpdateResume
		}
		env.RegisterDelayedCallback(func() {
			env.UpdateWorkflow(action, fmt.Sprint("u", i), &testsuite.TestUpdateCallback{
				OnReject: func(err error) {
					var app *temporal.ApplicationError
					if errors.As(err, &app) && app.Type() == workflows.ErrBusy {
						busy++
						return
					}
					t.Errorf("update %d rejected: %v", i, err)
				},
				OnAccept:   func() { accepted++ },
				OnComplete: func(any, error) {},
			}, workflows.ActionRequest{Actor: "coord@example.org", Note: wide(workflows.MaxNoteLen)})
		}, time.Minute+time.Duration(i)*time.Second)
	}
	env.RegisterDelayedCallback(func() {
		env.UpdateWorkflow(workflows.UpdateWithdraw, "end", &testsuite.TestUpdateCallback{
			OnReject: func(err error) { t.Errorf("withdraw rejected: %v", err) }, OnAccept: func() {}, OnComplete: func(any, error) {},
		}, workflows.ActionRequest{Actor: "coord@example.org"})
	}, 3*time.Hour)
	// A program already selected and in accompaniment, so pause applies.
	in := workflows.ProgramInput{Program: workflows.Program{
		Edition: "ncc-2027", Project: "busy", Name: "B", Holders: []string{"holder@example.org"},
		Repositories: []string{"https://github.com/a/b"}, City: "Lyon",
	}, Snapshot: snapshot(t), State: &workflows.ProgramState{Phase: workflows.PhaseAccompaniment, StartedAt: start, LastActivity: start, ReminderCursor: start, Seq: 1,
		Pending: []store.AuditEntry{{Seq: 1, At: start, Actor: "suivi", Action: "started"}}}}
	env.ExecuteWorkflow(workflows.ProgramWorkflow, in)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if busy == 0 || accepted > workflows.MaxPendingAudit {
		t.Errorf("%d accepted, %d refused as busy while Postgres was down; want at most %d waiting", accepted, busy, workflows.MaxPendingAudit)
	}
	if len(projected) < accepted+1 {
		t.Errorf("%d audit entries projected after Postgres came back, want %d", len(projected), accepted+1)
	}
}

// TestStateStaysBounded builds the largest state that accepted requests can
// produce (every list at its cap, every text at its limit in 4-byte
// characters, an edition at its own limits) and checks what continue-as-new
// carries stays within MaxStateBytes.
func TestStateStaysBounded(t *testing.T) {
	email := func(i int) string { s := fmt.Sprintf("%d@example.org", i); return strings.Repeat("x", 254-len(s)) + s }
	var snap edition.Snapshot
	base := snapshot(t)
	snap = *base
	snap.Milestones = nil
	for i := range edition.MaxMilestones {
		snap.Milestones = append(snap.Milestones, edition.MilestoneSpec{
			ID: fmt.Sprintf("%s-%02d", strings.Repeat("m", 60), i), Title: edition.Text{FR: wide(200), EN: wide(200)},
			Due: "2027-12-31", Evidence: "repository",
		})
	}
	snap.Coordinators = nil
	for i := range edition.MaxCoordinators {
		snap.Coordinators = append(snap.Coordinators, email(i))
	}
	longURL := "https://x.org/" + strings.Repeat("u", workflows.MaxURLLen-14)
	st := &workflows.ProgramState{Phase: workflows.PhaseAccompaniment, Score: new(int), JuryComment: wide(workflows.MaxNoteLen)}
	for _, m := range snap.Milestones {
		st.Milestones = append(st.Milestones, workflows.MilestoneState{MilestoneSpec: m, Status: workflows.StatusSubmitted, EvidenceURL: longURL, Note: wide(workflows.MaxNoteLen)})
	}
	for i := range workflows.MaxMentors {
		st.Mentors = append(st.Mentors, email(i))
	}
	for i := range workflows.MaxAttendance {
		st.Attendance = append(st.Attendance, store.Attendance{Meetup: "2027-04", RecordedBy: email(i), Note: wide(workflows.MaxAttendanceNoteLen)})
	}
	for i := range workflows.MaxPendingAudit {
		st.Pending = append(st.Pending, store.AuditEntry{Seq: int64(i), Actor: email(i), Action: workflows.UpdateAssignMentor, UpdateID: strings.Repeat("i", workflows.MaxUpdateIDLen),
			Detail: map[string]string{"note": wide(workflows.MaxNoteLen), "url": longURL, "replaced": longURL, "milestone": snap.Milestones[0].ID}})
	}
	// What Processed keeps of each result: the longest message names a
	// mentor's address.
	for i := range 500 {
		st.Processed = append(st.Processed, workflows.ProcessedUpdate{ID: strings.Repeat("i", workflows.MaxUpdateIDLen-4) + fmt.Sprintf("%04d", i), Action: workflows.UpdateAssignMentor,
			Result: workflows.ActionResult{Action: workflows.UpdateAssignMentor, Phase: workflows.PhaseAccompaniment, Message: email(i) + " no longer mentors the program",
				Milestone: &workflows.MilestoneState{MilestoneSpec: edition.MilestoneSpec{ID: snap.Milestones[0].ID, Due: "2027-12-31"}, Status: workflows.StatusSubmitted}}})
	}
	in := workflows.ProgramInput{Program: workflows.Program{Edition: strings.Repeat("e", 63), Project: strings.Repeat("p", 63), Name: wide(120), City: wide(64)},
		Snapshot: &snap, State: st}
	for i := range workflows.MaxHolders {
		in.Holders = append(in.Holders, email(i))
	}
	for range workflows.MaxRepositories {
		in.Repositories = append(in.Repositories, "https://github.com/"+strings.Repeat("o", 39)+"/"+strings.Repeat("r", 100))
	}
	p, err := converter.GetDefaultDataConverter().ToPayload(in)
	if err != nil {
		t.Fatal(err)
	}
	size := len(p.GetData())
	t.Logf("worst-case state: %d KiB (bound %d KiB, Temporal's payload limit 2048 KiB)", size>>10, workflows.MaxStateBytes>>10)
	if size > workflows.MaxStateBytes {
		t.Errorf("the worst-case state is %d bytes, over MaxStateBytes (%d)", size, workflows.MaxStateBytes)
	}
	if b, _ := json.Marshal(snap); len(b) > edition.MaxSnapshotBytes {
		t.Errorf("the worst-case snapshot is %d bytes, over edition.MaxSnapshotBytes (%d)", len(b), edition.MaxSnapshotBytes)
	}
}

func TestDeliverableURLRefusesCredentials(t *testing.T) {
	for _, u := range []string{"https://user:pass@demo.example.org/", "https://trusted.org@evil.example/"} {
		err := workflows.CheckDeliverable("url", u)
		if err == nil || strings.Contains(err.Error(), "pass@") {
			t.Errorf("%s: %v", u, err)
		}
	}
	if err := workflows.CheckDeliverable("url", "https://demo.example.org/x?y=1"); err != nil {
		t.Errorf("a plain URL: %v", err)
	}
}

// Mentors differ in case only in how people type them: M@X.org is the
// mentor m@x.org, for assigning twice and for removing.
func TestMentorsIgnoreCase(t *testing.T) {
	in := workflows.ProgramInput{Program: workflows.Program{
		Edition: "ncc-2027", Project: "mentors", Name: "M", Holders: []string{"holder@example.org"},
		Repositories: []string{"https://github.com/a/b"}, City: "Lyon",
	}, Snapshot: snapshot(t)}
	dup := ev("2027-04-11T11:00:00Z", workflows.UpdateAssignMentor, workflows.ActionRequest{Mentor: "M@X.org"})
	dup.wantErr = "already mentors"
	events := []event{
		ev("2027-01-11T10:00:00Z", workflows.UpdateSelect, workflows.ActionRequest{}),
		ev("2027-04-11T10:00:00Z", workflows.UpdateAssignMentor, workflows.ActionRequest{Mentor: "m@x.org"}),
		dup,
		ev("2027-04-11T12:00:00Z", workflows.UpdateRemoveMentor, workflows.ActionRequest{Mentor: "M@x.ORG"}),
		ev("2027-05-01T10:00:00Z", workflows.UpdateWithdraw, workflows.ActionRequest{}),
	}
	res := runScenario(t, utc("2027-01-10T09:00:00Z"), in, events)
	if len(res.final.Mentors) != 0 {
		t.Errorf("mentors left: %v", res.final.Mentors)
	}
}
