package workflows_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/codecitoyen/suivi/activities"
	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/workflows"
)

// testEdition has a 24-month accompaniment and eight milestones, in Lyon.
const testEdition = `
id: ncc-2027
name: {fr: Nuit du Code Citoyen 2027, en: Civic Code Night 2027}
time_zone: Europe/Paris
call_for_projects: {opens: 2026-11-01, closes: 2027-02-14}
hackathon: {starts: "2027-03-05 18:00", ends: "2027-03-07 18:00"}
accompaniment_months: 24
themes:
  - {id: democratie-numerique, title: {fr: Démocratie numérique, en: Digital democracy}}
cities:
  - {name: Lyon, time_zone: Europe/Paris, meetup: "first tuesday 19:00", coordinators: [coord@example.org]}
milestones:
  - {id: demo, title: {fr: Démo, en: Demo}, due: "+0d", evidence: url}
  - {id: open-licence, title: {fr: Licence, en: Licence}, due: "+14d", evidence: repository}
  - {id: explainer-video, title: {fr: Vidéo, en: Video}, due: "+2m", evidence: video}
  - {id: first-external-contributor, title: {fr: Contributeur, en: Contributor}, due: "+4m", evidence: repository, optional: true}
  - {id: first-release, title: {fr: Version, en: Release}, due: "+5m", evidence: url}
  - {id: mid-review, title: {fr: Bilan, en: Review}, due: "+8m", evidence: none}
  - {id: twelve-month-review, title: {fr: Bilan 12, en: Review 12}, due: "+12m", evidence: none}
  - {id: final-review, title: {fr: Bilan final, en: Final review}, due: "+24m", evidence: none}
`

func snapshot(t testing.TB) *edition.Snapshot {
	t.Helper()
	ed, err := edition.Parse([]byte(testEdition))
	if err != nil {
		t.Fatal(err)
	}
	s, err := ed.Snapshot("Lyon")
	if err != nil {
		t.Fatal(err)
	}
	return &s
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// event is one human step of the scenario, at an absolute instant.
type event struct {
	at     time.Time
	action string
	id     string
	req    workflows.ActionRequest
	// wantErr, when set, is a substring of the expected rejection.
	wantErr string
}

func ev(at, action string, req workflows.ActionRequest) event {
	req.Actor = "mentor@example.org"
	return event{at: utc(at), action: action, id: action + "@" + at, req: req}
}

// sent is one message the workflow queued, and when.
type sent struct {
	at        time.Time
	kind      string
	milestone string
	to        string
}

func (s sent) String() string {
	return fmt.Sprintf("%s %s %s → %s", s.at.Format(time.RFC3339), s.kind, s.milestone, s.to)
}

// scenarioResult is what a run of the scenario observed.
type scenarioResult struct {
	sent        []sent
	runs        int
	final       workflows.ProgramStatus
	projections int
	// changes are the projections that wrote what changed (not Whole),
	// and changedMilestones the milestones they carried.
	changes           int
	changedMilestones int
	notifies          int
	updates           int
	timers            int
}

// runScenario runs the program across as many runs as continue-as-new makes,
// delivering each event at its instant, and collects every message queued.
func runScenario(t testing.TB, start time.Time, in workflows.ProgramInput, events []event) scenarioResult {
	t.Helper()
	var res scenarioResult
	done := make([]bool, len(events))
	var lastEnv *testsuite.TestWorkflowEnvironment
	for run := 0; ; run++ {
		if run > 200 {
			t.Fatal("more than 200 runs: continue-as-new loops")
		}
		var s testsuite.WorkflowTestSuite
		env := s.NewTestWorkflowEnvironment()
		env.SetStartTime(start)
		env.SetTestTimeout(time.Minute)
		var a *activities.Activities
		env.RegisterActivity(a.Notify)
		env.RegisterActivity(a.ApplyProgramChange)
		env.OnActivity(a.Notify, mock.Anything, mock.Anything).Return(func(_ context.Context, msgs []store.Message) (int, error) {
			res.notifies++
			for _, m := range msgs {
				res.sent = append(res.sent, sent{at: env.Now().UTC(), kind: m.Kind, milestone: m.Milestone, to: m.Recipient})
				if want := m.Payload["at"]; want != "" && want != env.Now().UTC().Format(time.RFC3339) {
					t.Errorf("%s for %s queued at %s, scheduled for %s", m.Kind, m.Milestone, env.Now().UTC().Format(time.RFC3339), want)
				}
			}
			return len(msgs), nil
		})
		env.OnActivity(a.ApplyProgramChange, mock.Anything, mock.Anything).Return(func(_ context.Context, c store.ProgramChange) error {
			res.projections++
			if !c.Whole {
				res.changes++
				res.changedMilestones += len(c.Milestones)
			}
			return nil
		})
		env.SetOnTimerScheduledListener(func(string, time.Duration) { res.timers++ })
		for i, e := range events {
			if done[i] || e.at.Before(start) {
				continue
			}
			env.RegisterDelayedCallback(func() {
				done[i] = true
				res.updates++
				env.UpdateWorkflow(e.action, e.id, &testsuite.TestUpdateCallback{
					OnReject: func(err error) {
						if e.wantErr == "" || !strings.Contains(err.Error(), e.wantErr) {
							t.Errorf("%s at %s rejected: %v", e.action, e.at.Format(time.RFC3339), err)
						}
					},
					OnAccept: func() {
						if e.wantErr != "" {
							t.Errorf("%s at %s accepted, want rejection %q", e.action, e.at.Format(time.RFC3339), e.wantErr)
						}
					},
					OnComplete: func(r any, err error) {
						if err != nil {
							t.Errorf("%s at %s failed: %v", e.action, e.at.Format(time.RFC3339), err)
						}
					},
				}, e.req)
			}, e.at.Sub(start))
		}
		env.ExecuteWorkflow(workflows.ProgramWorkflow, in)
		res.runs++
		lastEnv = env
		if !env.IsWorkflowCompleted() {
			t.Fatal("workflow did not complete")
		}
		err := env.GetWorkflowError()
		var can *workflow.ContinueAsNewError
		if !errors.As(err, &can) {
			if err != nil {
				t.Fatalf("workflow failed: %v", err)
			}
			break
		}
		var next workflows.ProgramInput
		if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
			t.Fatal(err)
		}
		in, start = next, env.Now()
	}
	if v, err := lastEnv.QueryWorkflow(workflows.QueryState); err == nil {
		_ = v.Get(&res.final)
	}
	return res
}

// twentyFourMonths is the scenario of TestTwentyFourMonths and of the
// benchmark.
func twentyFourMonths(t testing.TB) (workflows.ProgramInput, []event) {
	snap := snapshot(t)
	in := workflows.ProgramInput{Program: workflows.Program{
		Edition: "ncc-2027", Project: "demoscampi", Name: "Démocratie et crustacés",
		Holders: []string{"holder@example.org"}, Repositories: []string{"https://github.com/CodeCitoyen/Demoscampi"},
		City: "Lyon",
	}, Snapshot: snap, ContinueEvery: 8}
	score := 17
	events := []event{
		ev("2027-01-11T10:00:00Z", workflows.UpdateSelect, workflows.ActionRequest{}),
		ev("2027-03-07T12:00:00Z", workflows.UpdateSubmit, workflows.ActionRequest{Milestone: "demo", URL: "https://demo.example.org/demoscampi"}),
		ev("2027-03-07T20:00:00Z", workflows.UpdateScore, workflows.ActionRequest{Score: &score, Comment: "Bravo"}),
		ev("2027-03-08T10:00:00Z", workflows.UpdateAssignMentor, workflows.ActionRequest{Mentor: "mentor@example.org"}),
		ev("2027-03-15T10:00:00Z", workflows.UpdateComplete, workflows.ActionRequest{Milestone: "open-licence"}),
		ev("2027-06-20T10:00:00Z", workflows.UpdateComplete, workflows.ActionRequest{Milestone: "explainer-video"}),
		ev("2027-07-20T10:00:00Z", workflows.UpdateExtend, workflows.ActionRequest{Milestone: "first-release", Due: "2027-09-30"}),
		ev("2027-08-01T10:00:00Z", workflows.UpdateWaive, workflows.ActionRequest{Milestone: "first-external-contributor", Note: "no outside help yet"}),
		ev("2027-09-30T15:00:00Z", workflows.UpdateComplete, workflows.ActionRequest{Milestone: "first-release"}),
		ev("2027-10-01T10:00:00Z", workflows.UpdatePause, workflows.ActionRequest{Note: "holders on leave"}),
		ev("2027-12-01T10:00:00Z", workflows.UpdateResume, workflows.ActionRequest{}),
		ev("2027-12-14T10:00:00Z", workflows.UpdateComplete, workflows.ActionRequest{Milestone: "mid-review"}),
		ev("2028-03-06T12:00:00Z", workflows.UpdateComplete, workflows.ActionRequest{Milestone: "twelve-month-review"}),
		ev("2028-10-10T10:00:00Z", workflows.UpdateAttend, workflows.ActionRequest{Meetup: "2028-10"}),
		ev("2028-12-15T10:00:00Z", workflows.UpdateComplete, workflows.ActionRequest{Milestone: "final-review"}),
		ev("2029-02-20T10:00:00Z", workflows.UpdateGraduate, workflows.ActionRequest{}),
	}
	for m := 0; m < 12; m++ {
		at := time.Date(2027, time.April+time.Month(m), 10, 10, 0, 0, 0, time.UTC)
		events = append(events, ev(at.Format(time.RFC3339), workflows.UpdateAttend, workflows.ActionRequest{Meetup: at.Format("2006-01")}))
	}
	// Mistakes are rejected without touching anything.
	bad := []event{
		ev("2027-03-16T10:00:00Z", workflows.UpdateComplete, workflows.ActionRequest{Milestone: "open-licence"}),
		ev("2027-03-16T11:00:00Z", workflows.UpdateComplete, workflows.ActionRequest{Milestone: "no-such-step"}),
		ev("2027-03-16T12:00:00Z", workflows.UpdateSubmit, workflows.ActionRequest{Milestone: "first-release", URL: "ftp://example.org/x"}),
		ev("2027-03-16T13:00:00Z", workflows.UpdateExtend, workflows.ActionRequest{Milestone: "first-release", Due: "2027-03-01"}),
		ev("2027-03-16T14:00:00Z", workflows.UpdateSelect, workflows.ActionRequest{}),
	}
	for i, want := range []string{"already completed", "no step", "not an http(s) URL", "in the past", "already accompaniment"} {
		bad[i].wantErr = want
	}
	events = append(events, bad...)
	// A retried request (same Update ID), months and runs later, returns its
	// first result instead of failing or acting twice.
	retry := events[0]
	retry.at = utc("2027-06-01T10:00:00Z")
	events = append(events, retry)
	slices.SortFunc(events, func(a, b event) int { return a.at.Compare(b.at) })

	return in, events
}

// TestTwentyFourMonths follows a program through 24 simulated months: 8
// milestones (some late, one extended, one waived, one optional), a jury
// score, 12 meetups, a pause and a resume, a dormant spell, retried
// requests, and continue-as-new forced many times. Every reminder and
// escalation must go out at 09:00 Lyon time on its day, and none after a
// step is closed or while the program is paused or dormant.
func TestTwentyFourMonths(t *testing.T) {
	in, events := twentyFourMonths(t)
	res := runScenario(t, utc("2027-01-10T09:00:00Z"), in, events)

	want := []string{
		"2027-02-28T08:00:00Z due-in-7-days demo → holder@example.org",
		"2027-03-06T08:00:00Z due-tomorrow demo → holder@example.org",
		"2027-03-07T08:00:00Z due-today demo → holder@example.org",
		"2027-03-14T08:00:00Z due-in-7-days open-licence → holder@example.org",
		"2027-04-30T07:00:00Z due-in-7-days explainer-video → holder@example.org",
		"2027-05-06T07:00:00Z due-tomorrow explainer-video → holder@example.org",
		"2027-05-07T07:00:00Z due-today explainer-video → holder@example.org",
		"2027-05-14T07:00:00Z overdue-week-1 explainer-video → holder@example.org",
		"2027-05-21T07:00:00Z overdue-week-2 explainer-video → holder@example.org",
		"2027-05-21T07:00:00Z escalate-mentors explainer-video → mentor@example.org",
		"2027-05-28T07:00:00Z overdue-week-3 explainer-video → holder@example.org",
		"2027-06-04T07:00:00Z overdue-week-4 explainer-video → holder@example.org",
		"2027-06-04T07:00:00Z escalate-coordinators explainer-video → coord@example.org",
		"2027-06-11T07:00:00Z overdue-week-5 explainer-video → holder@example.org",
		"2027-06-18T07:00:00Z overdue-week-6 explainer-video → holder@example.org",
		"2027-06-30T07:00:00Z due-in-7-days first-external-contributor → holder@example.org",
		"2027-07-06T07:00:00Z due-tomorrow first-external-contributor → holder@example.org",
		"2027-07-07T07:00:00Z due-today first-external-contributor → holder@example.org",
		"2027-09-23T07:00:00Z due-in-7-days first-release → holder@example.org",
		"2027-09-29T07:00:00Z due-tomorrow first-release → holder@example.org",
		"2027-09-30T07:00:00Z due-today first-release → holder@example.org",
		"2027-12-05T08:00:00Z overdue-week-4 mid-review → holder@example.org",
		"2027-12-05T08:00:00Z escalate-coordinators mid-review → coord@example.org",
		"2027-12-12T08:00:00Z overdue-week-5 mid-review → holder@example.org",
		"2028-02-29T08:00:00Z due-in-7-days twelve-month-review → holder@example.org",
		"2028-03-06T08:00:00Z due-tomorrow twelve-month-review → holder@example.org",
		"2028-06-08T10:00:00Z dormant  → coord@example.org",
	}
	var got []string
	for _, s := range res.sent {
		got = append(got, s.String())
	}
	if !slices.Equal(got, want) {
		t.Errorf("messages queued:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if res.final.Phase != workflows.PhaseGraduated {
		t.Errorf("final phase %q, want graduated", res.final.Phase)
	}
	if res.runs < 3 {
		t.Errorf("%d runs: continue-as-new should have happened at least twice", res.runs)
	}
	// Each run's first projection writes the whole program; the others
	// only what changed: at most the one or two milestones a step touches.
	if res.changes < res.projections-res.runs || res.changedMilestones > 2*res.changes {
		t.Errorf("%d projections in %d runs: %d wrote changes only, carrying %d milestones", res.projections, res.runs, res.changes, res.changedMilestones)
	}
	t.Logf("%d runs, %d projections (%d changes, %d milestones), %d updates, %d timers", res.runs, res.projections, res.changes, res.changedMilestones, res.updates, res.timers)
}

// BenchmarkTwentyFourMonths runs the 24-month program in simulated time.
// Besides ns/op it reports an estimate of history events per simulated
// year, from what the run did and what each command costs in history:
// a run starts with 4 events and ends with 1, a timer costs 5 (started,
// fired, and the workflow task it wakes), an activity 6, an update 5.
func BenchmarkTwentyFourMonths(b *testing.B) {
	in, events := twentyFourMonths(b)
	start := utc("2027-01-10T09:00:00Z")
	var res scenarioResult
	for b.Loop() {
		res = runScenario(b, start, in, events)
	}
	activities := res.projections + res.notifies
	eventsTotal := 5*res.runs + 5*res.timers + 6*activities + 5*res.updates
	years := utc("2029-02-20T10:00:00Z").Sub(start).Hours() / (24 * 365)
	b.ReportMetric(float64(eventsTotal)/years, "events/sim-year")
	b.ReportMetric(float64(eventsTotal)/float64(res.runs), "events/run")
	b.ReportMetric(float64(res.runs), "runs")
}

// Reminders of days already past are never sent in a burst: not after a
// late selection, not after waking from dormancy, not after an extension.
func TestNoBacklogBursts(t *testing.T) {
	in := workflows.ProgramInput{Program: workflows.Program{
		Edition: "ncc-2027", Project: "late", Name: "Late", Holders: []string{"holder@example.org"},
		Repositories: []string{"https://github.com/a/b"}, City: "Lyon",
	}, Snapshot: snapshot(t)}
	events := []event{
		ev("2027-03-20T10:00:00Z", workflows.UpdateSelect, workflows.ActionRequest{}),
		// Dormant from 2027-06-18 (90 days after the day after the demo);
		// attendance wakes it months later.
		ev("2027-12-01T10:00:00Z", workflows.UpdateAttend, workflows.ActionRequest{Meetup: "2027-12"}),
		// Extending to a date whose "7 days before" was this morning.
		ev("2027-12-02T10:00:00Z", workflows.UpdateExtend, workflows.ActionRequest{Milestone: "mid-review", Due: "2027-12-09"}),
		ev("2027-12-20T10:00:00Z", workflows.UpdateWithdraw, workflows.ActionRequest{}),
	}
	res := runScenario(t, utc("2027-01-10T09:00:00Z"), in, events)
	dormant := false
	for _, s := range res.sent {
		dormant = dormant || s.kind == "dormant"
		if s.kind != "dormant" && (s.at.Equal(utc("2027-03-20T10:00:00Z")) || s.at.Equal(utc("2027-12-01T10:00:00Z")) || s.at.Equal(utc("2027-12-02T10:00:00Z"))) {
			t.Errorf("backlog sent at an action: %s", s)
		}
	}
	if !dormant {
		t.Error("the program never went dormant; the scenario tests nothing")
	}
	var kinds []string
	for _, s := range res.sent {
		if s.milestone == "mid-review" {
			kinds = append(kinds, s.String())
		}
	}
	want := []string{
		"2027-12-08T08:00:00Z due-tomorrow mid-review → holder@example.org",
		"2027-12-09T08:00:00Z due-today mid-review → holder@example.org",
		"2027-12-16T08:00:00Z overdue-week-1 mid-review → holder@example.org",
	}
	if !slices.Equal(kinds, want) {
		t.Errorf("mid-review reminders:\n%s\nwant:\n%s", strings.Join(kinds, "\n"), strings.Join(want, "\n"))
	}
}
