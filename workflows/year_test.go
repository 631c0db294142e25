package workflows_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/codecitoyen/suivi/activities"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/workflows"
)

// yearPrograms is how many programs TestSimulatedYear follows. A few
// hundred keep `make test` quick; the figures in the README come from
// `go test -run TestSimulatedYear -year-programs 10000 -v ./workflows`.
var yearPrograms = flag.Int("year-programs", 200, "programs TestSimulatedYear follows through a simulated year")

// yearBefore runs the year with the code as it was before the local
// projection (GetVersion answering the default version), for comparison.
var yearRefusals = flag.Bool("year-refusals", false, "log every Update the validators refuse in TestSimulatedYear")

var yearBefore = flag.Bool("year-before", false, "simulate the year with the program code before the local-projection change")

// History limits from DESIGN.md (Temporal server defaults).
const (
	historyWarnEvents  = 10_240
	historyLimitEvents = 51_200
	canSuggestedEvents = 4_096
)

// runCost is what one run of a program did, counted from the test
// environment, and the history events that costs on a real server. The
// per-command costs were read from recorded histories
// (workflows/testdata/program_v6_*.json): a run starts with
// WorkflowExecutionStarted and a workflow task (3 events) carrying the
// version marker and its search attribute upsert, and ends with one event;
// a timer that fires costs TimerStarted, TimerFired and the workflow task
// it wakes; a cancelled timer TimerStarted and TimerCanceled; an accepted
// Update its Accepted and Completed events and a workflow task; a signal
// its event and a workflow task; a local activity one marker; a search
// attribute upsert one event.
type runCost struct {
	timersFired, timersCanceled, timersStarted int
	updates, signals, locals, upserts          int
	// activities are those of runs older than the local projection: each
	// is scheduled, started and completed, and wakes a workflow task.
	activities, versions int
}

func (c runCost) events() int {
	return 1 + 3 + 2*c.versions + 1 + // started, first task, version markers and their upserts, end
		c.timersStarted + c.timersFired*(1+3) + c.timersCanceled +
		c.updates*(2+3) + c.signals*(1+3) + c.locals + c.activities*(3+3) + c.upserts
}

// yearResult is one program's year.
type yearResult struct {
	runs, events, largestRun int
	updates, rejected        int
	reminders                int
	final                    workflows.Phase
}

// TestSimulatedYear follows programs of one edition through a year of
// simulated time (call for projects, selection or rejection, the
// hackathon, ten months of accompaniment), each with its own behaviour
// drawn from a seeded random source: late and resubmitted deliverables,
// mentors, meetups, pauses, programs going silent, withdrawals, the
// watcher's licence signals. It reports history events per program per
// year, continue-as-new counts and the largest history, and fails if a run
// would come near Temporal's limits.
func TestSimulatedYear(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates a year")
	}
	n := *yearPrograms
	results := make([]yearResult, n)
	began := time.Now()
	var wg sync.WaitGroup
	work := make(chan int)
	for range 2 {
		wg.Go(func() {
			for i := range work {
				results[i] = simulateYear(t, i, *yearBefore)
			}
		})
	}
	for i := range n {
		work <- i
		if i > 0 && i%1000 == 0 {
			t.Logf("%d programs simulated in %s", i, time.Since(began).Round(time.Second))
		}
	}
	close(work)
	wg.Wait()
	if t.Failed() {
		return
	}
	var events, updates, rejected, reminders, largest, cans []int
	phases := map[workflows.Phase]int{}
	for _, r := range results {
		events, updates, reminders, largest = append(events, r.events), append(updates, r.updates),
			append(reminders, r.reminders), append(largest, r.largestRun)
		rejected = append(rejected, r.rejected)
		cans = append(cans, r.runs-1)
		phases[r.final]++
	}
	sum := func(xs []int) int {
		s := 0
		for _, x := range xs {
			s += x
		}
		return s
	}
	pct := func(xs []int, p int) int {
		s := slices.Clone(xs)
		slices.Sort(s)
		return s[min(len(s)-1, len(s)*p/100)]
	}
	t.Logf("%d programs, one simulated year each, in %s", n, time.Since(began).Round(time.Second))
	t.Logf("history events per program per year: mean %d, p50 %d, p99 %d, max %d (all programs: %d)",
		sum(events)/n, pct(events, 50), pct(events, 99), slices.Max(events), sum(events))
	t.Logf("accepted Updates per program: mean %d, max %d (and %d refused by validators in all); reminders and notices queued: mean %d, max %d",
		sum(updates)/n, slices.Max(updates), sum(rejected), sum(reminders)/n, slices.Max(reminders))
	t.Logf("continue-as-new: %d in all (max %d for one program); largest run: %d events (Temporal suggests continue-as-new at %d, warns at %d, fails at %d)",
		sum(cans), slices.Max(cans), slices.Max(largest), canSuggestedEvents, historyWarnEvents, historyLimitEvents)
	t.Logf("phases at the year's end: %v", phases)
	if slices.Max(largest) >= historyWarnEvents {
		t.Errorf("a run reached %d events, past Temporal's warning at %d", slices.Max(largest), historyWarnEvents)
	}
	if phases[workflows.PhaseAccompaniment] == 0 || phases[workflows.PhaseRejected] == 0 {
		t.Errorf("the population did not cover accompaniment and rejection: %v", phases)
	}
}

// yearStart is when the simulated year starts: during the call for
// projects of testEdition, whose hackathon is on 2027-03-05.
var yearStart = utc("2027-01-10T09:00:00Z")

// yearEvents draws program i's year.
func yearEvents(i int) ([]event, []time.Time) {
	r := rand.New(rand.NewPCG(uint64(i), 2027))
	day := func(base string, spread int) time.Time {
		return utc(base).Add(time.Duration(r.IntN(spread*24)) * time.Hour)
	}
	var evs []event
	add := func(at time.Time, action string, req workflows.ActionRequest) {
		e := ev(at.Format(time.RFC3339), action, req)
		e.id = fmt.Sprintf("%s-%d@%s", action, len(evs), e.at.Format(time.RFC3339))
		evs = append(evs, e)
	}
	if r.IntN(100) < 15 {
		add(day("2027-02-15T10:00:00Z", 10), workflows.UpdateReject, workflows.ActionRequest{Note: "pas retenu"})
		return evs, nil
	}
	add(day("2027-02-15T10:00:00Z", 10), workflows.UpdateSelect, workflows.ActionRequest{})
	if r.IntN(100) < 90 {
		score := 8 + r.IntN(13)
		add(utc("2027-03-07T19:00:00Z"), workflows.UpdateScore, workflows.ActionRequest{Score: &score, Comment: "Démo vue"})
	}
	for m := range 1 + r.IntN(2) {
		add(day("2027-03-08T10:00:00Z", 20), workflows.UpdateAssignMentor, workflows.ActionRequest{Mentor: fmt.Sprintf("mentor%d-%d@example.org", i, m)})
	}
	silentFrom := utc("2028-06-01T00:00:00Z")
	if r.IntN(100) < 8 {
		silentFrom = day("2027-04-01T00:00:00Z", 60) // stops answering: turns dormant
	}
	var withdrawAt time.Time
	if r.IntN(100) < 5 {
		withdrawAt = day("2027-04-01T10:00:00Z", 240)
	}
	// Deliverables: most submitted around their due date, some late, some
	// twice; a mentor completes them a few days later.
	dues := map[string]string{"demo": "2027-03-07", "explainer-video": "2027-05-07", "first-release": "2027-08-07",
		"mid-review": "2027-11-07", "first-external-contributor": "2027-07-07"}
	for _, id := range []string{"demo", "explainer-video", "first-external-contributor", "first-release", "mid-review"} {
		if r.IntN(100) >= 80 {
			continue
		}
		at := utc(dues[id]+"T12:00:00Z").AddDate(0, 0, r.IntN(35)-5)
		if id == "demo" {
			at = utc("2027-03-07T12:00:00Z")
		}
		submits := 1
		if r.IntN(100) < 30 {
			submits = 2
		}
		url := func(s int) string { return fmt.Sprintf("https://example.org/%d/%s/v%d", i, id, s+1) }
		switch id {
		case "mid-review":
			submits = 0 // a review needs no deliverable: completed directly
		case "first-external-contributor":
			url = func(int) string { return fmt.Sprintf("https://github.com/civic/p%05d", i) }
		}
		for s := range submits {
			add(at.AddDate(0, 0, 2*s), workflows.UpdateSubmit, workflows.ActionRequest{Milestone: id, URL: url(s)})
		}
		if r.IntN(100) < 90 {
			add(at.AddDate(0, 0, 2*submits+r.IntN(7)), workflows.UpdateComplete, workflows.ActionRequest{Milestone: id})
		}
	}
	for month := time.April; month <= time.December; month++ {
		if r.IntN(100) < 60 {
			at := time.Date(2027, month, 3+r.IntN(20), 19, 30, 0, 0, time.UTC)
			add(at, workflows.UpdateAttend, workflows.ActionRequest{Meetup: at.Format("2006-01")})
		}
	}
	if r.IntN(100) < 10 {
		at := day("2027-06-01T10:00:00Z", 90)
		add(at, workflows.UpdatePause, workflows.ActionRequest{Note: "congés"})
		add(at.AddDate(0, 1+r.IntN(2), 0), workflows.UpdateResume, workflows.ActionRequest{})
	}
	var kept []event
	for _, e := range evs {
		if e.at.Before(silentFrom) && (withdrawAt.IsZero() || e.at.Before(withdrawAt)) {
			kept = append(kept, e)
		}
	}
	if !withdrawAt.IsZero() {
		e := ev(withdrawAt.Format(time.RFC3339), workflows.UpdateWithdraw, workflows.ActionRequest{Note: "équipe dispersée"})
		kept = append(kept, e)
	}
	slices.SortFunc(kept, func(a, b event) int { return a.at.Compare(b.at) })
	var licences []time.Time
	if r.IntN(100) < 50 {
		licences = append(licences, day("2027-03-09T03:00:00Z", 30))
	}
	return kept, licences
}

// simulateYear runs one program through the year, across as many runs as
// continue-as-new makes, and counts what each run did.
func simulateYear(t *testing.T, i int, before bool) yearResult {
	evs, licences := yearEvents(i)
	in := workflows.ProgramInput{Program: workflows.Program{
		Edition: "ncc-2027", Project: fmt.Sprintf("p%05d", i), Name: fmt.Sprintf("Projet %d", i),
		Holders: []string{"holder@example.org"}, Repositories: []string{fmt.Sprintf("https://github.com/civic/p%05d", i)},
		City: "Lyon",
	}, Snapshot: snapshot(t)}
	end := yearStart.AddDate(1, 0, 0)
	start := yearStart
	var res yearResult
	done := make([]bool, len(evs))
	signalled := make([]bool, len(licences))
	for run := 0; ; run++ {
		if run > 50 {
			t.Errorf("program %d: more than 50 runs in a year", i)
			return res
		}
		var s testsuite.WorkflowTestSuite
		env := s.NewTestWorkflowEnvironment()
		env.SetStartTime(start)
		env.SetTestTimeout(time.Minute)
		c := runCost{versions: 1}
		var a *activities.Activities
		env.RegisterActivity(a.Notify)
		env.RegisterActivity(a.ApplyProgramChange)
		env.RegisterActivity(a.ProjectProgram)
		if before {
			// The code as it was: the newest change answers the default
			// version, the older ones theirs; projections and messages
			// go through activities.
			c.versions = 2
			env.OnGetVersion("local-projection", workflow.DefaultVersion, 1).Return(workflow.DefaultVersion)
			env.OnGetVersion("lifecycle", workflow.DefaultVersion, 1).Return(workflow.Version(1))
			env.OnGetVersion("licence-signal", workflow.DefaultVersion, 1).Return(workflow.Version(1))
			env.OnActivity(a.ProjectProgram, mock.Anything, mock.Anything).Return(func(_ context.Context, p activities.Projection) error {
				c.activities++
				for _, e := range p.Audit {
					if e.Action == "started" || (len(e.Action) > 6 && e.Action[:6] == "phase:") {
						c.upserts++
					}
				}
				return nil
			})
		}
		env.OnActivity(a.Notify, mock.Anything, mock.Anything).Return(func(_ context.Context, msgs []store.Message) (int, error) {
			if before {
				c.activities++
			} else {
				c.locals++
			}
			res.reminders += len(msgs)
			return len(msgs), nil
		})
		env.OnActivity(a.ApplyProgramChange, mock.Anything, mock.Anything).Return(func(_ context.Context, ch store.ProgramChange) error {
			c.locals++
			for _, e := range ch.Audit {
				// A phase change and a closed step may move a search
				// attribute (an upper bound).
				switch e.Action {
				case workflows.UpdateSubmit, workflows.UpdateComplete, workflows.UpdateWaive, workflows.UpdateExtend, "licence-found":
					c.upserts++
				default:
					if len(e.Action) > 6 && e.Action[:6] == "phase:" {
						c.upserts++
					}
				}
			}
			return nil
		})
		env.SetOnTimerScheduledListener(func(string, time.Duration) { c.timersStarted++ })
		env.SetOnTimerFiredListener(func(string) { c.timersFired++ })
		env.SetOnTimerCanceledListener(func(string) { c.timersCanceled++ })
		for k, e := range evs {
			if done[k] || e.at.Before(start) {
				continue
			}
			env.RegisterDelayedCallback(func() {
				done[k] = true
				env.UpdateWorkflow(e.action, e.id, &testsuite.TestUpdateCallback{
					OnReject: func(err error) {
						res.rejected++
						if *yearRefusals {
							t.Logf("%s refused: %v", e.action, err)
						}
					},
					OnAccept:   func() { c.updates++; res.updates++ },
					OnComplete: func(any, error) {},
				}, e.req)
			}, e.at.Sub(start))
		}
		for k, at := range licences {
			if signalled[k] || at.Before(start) {
				continue
			}
			env.RegisterDelayedCallback(func() {
				signalled[k] = true
				c.signals++
				env.SignalWorkflow(activities.SignalLicence, activities.LicenceEvidence{Repo: in.Repositories[0], SPDX: "AGPL-3.0-or-later"})
			}, at.Sub(start))
		}
		// The year ends: a coordinator's query, then the test stops
		// following the program (withdrawn is the simplest way to end a
		// run here; it is not counted).
		env.RegisterDelayedCallback(func() {
			if v, err := env.QueryWorkflow(workflows.QueryState); err == nil {
				var st workflows.ProgramStatus
				if v.Get(&st) == nil {
					res.final = st.Phase
				}
			}
			env.CancelWorkflow()
		}, end.Sub(start))
		env.ExecuteWorkflow(workflows.ProgramWorkflow, in)
		res.runs++
		ev := c.events()
		res.events += ev
		res.largestRun = max(res.largestRun, ev)
		err := env.GetWorkflowError()
		var can *workflow.ContinueAsNewError
		if !errors.As(err, &can) {
			if res.final == "" {
				// Ended before the year did (rejected, withdrawn).
				if v, qerr := env.QueryWorkflow(workflows.QueryState); qerr == nil {
					var st workflows.ProgramStatus
					if v.Get(&st) == nil {
						res.final = st.Phase
					}
				}
			}
			if err != nil && !temporal.IsCanceledError(err) {
				t.Errorf("program %d: %v", i, err)
			}
			return res
		}
		var next workflows.ProgramInput
		if err := converter.GetDefaultDataConverter().FromPayloads(can.Input, &next); err != nil {
			t.Fatal(err)
		}
		in, start = next, env.Now()
	}
}
