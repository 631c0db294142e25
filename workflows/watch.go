package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/codecitoyen/suivi/activities"
)

// WatchWorkflowID is the one repository watcher.
const WatchWorkflowID = "github-watch"

// WatchBatch is how many repositories one activity polls: with 5,000
// repositories a cycle is 25 activities, a few hundred history events.
const WatchBatch = 200

// WatchInput carries the watcher's cadence across continue-as-new.
type WatchInput struct {
	Interval time.Duration `json:"interval"`
}

// WatchWorkflow polls every watched repository once per interval, page by
// page, pausing (with a durable timer) whenever GitHub asks to wait, then
// nudges idle programs. Each cycle ends with continue-as-new, so history
// stays small however long Suivi runs.
func WatchWorkflow(ctx workflow.Context, in WatchInput) error {
	if in.Interval <= 0 {
		in.Interval = time.Hour
	}
	start := workflow.Now(ctx)
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 15 * time.Minute,
		HeartbeatTimeout:    2 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 10 * time.Second, BackoffCoefficient: 2, MaximumInterval: 10 * time.Minute},
	})
	var a *activities.Activities
	if err := workflow.ExecuteActivity(actx, a.SyncRepos).Get(ctx, nil); err != nil {
		return err
	}
	after := ""
	for {
		var res activities.PollResult
		if err := workflow.ExecuteActivity(actx, a.PollRepos, activities.PollInput{After: after, Limit: WatchBatch, CycleStart: start}).Get(ctx, &res); err != nil {
			return err
		}
		if wait := res.PausedUntil.Sub(workflow.Now(ctx)); !res.PausedUntil.IsZero() {
			// GitHub asked to wait: pause polling, do not fail.
			if err := workflow.Sleep(ctx, max(wait, time.Second)); err != nil {
				return err
			}
			continue
		}
		if res.Next == "" {
			break
		}
		after = res.Next
	}
	if err := workflow.ExecuteActivity(actx, a.NudgeInactive).Get(ctx, nil); err != nil {
		return err
	}
	// Licence checks came after the first recorded cycles.
	if workflow.GetVersion(ctx, "licence-check", workflow.DefaultVersion, 1) == 1 {
		if err := checkLicences(ctx, actx); err != nil {
			return err
		}
	}
	if wait := start.Add(in.Interval).Sub(workflow.Now(ctx)); wait > 0 {
		if err := workflow.Sleep(ctx, wait); err != nil {
			return err
		}
	}
	return workflow.NewContinueAsNewError(ctx, WatchWorkflow, in)
}

// LicenceBatch is how many repositories one licence-check activity reads.
const LicenceBatch = 50

// checkLicences checks the licences of repositories that changed or were
// not checked for a week, pausing when GitHub asks, then follows up with
// each program.
func checkLicences(ctx, actx workflow.Context) error {
	var a *activities.Activities
	for {
		var res activities.CheckResult
		if err := workflow.ExecuteActivity(actx, a.CheckLicences, LicenceBatch).Get(ctx, &res); err != nil {
			return err
		}
		if !res.PausedUntil.IsZero() {
			if err := workflow.Sleep(ctx, max(res.PausedUntil.Sub(workflow.Now(ctx)), time.Second)); err != nil {
				return err
			}
			continue
		}
		if !res.More {
			break
		}
	}
	return workflow.ExecuteActivity(actx, a.LicenceFollowUp).Get(ctx, nil)
}
