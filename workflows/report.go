package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/codecitoyen/suivi/activities"
)

// FunderReportWorkflowName is the report workflow's registered name.
const FunderReportWorkflowName = "FunderReportWorkflow"

// scheduledStart is the search attribute a Schedule sets on the runs it
// starts: the instant the run was meant for.
var scheduledStart = temporal.NewSearchAttributeKeyTime("TemporalScheduledStartTime")

// FunderReportWorkflow builds a funder's monthly report and sends it. A
// Schedule per funder starts it on each of a month's first weekdays (see
// worker.EnsureFunderSchedule); the activity acts on the first working day
// only. Both steps are idempotent (one stored report per funder and month,
// one outbox message per contact and month), so a run repeated, caught up
// or interrupted by a worker restart sends exactly one report. Only the
// report's id travels here, never its body.
func FunderReportWorkflow(ctx workflow.Context, in activities.FunderReportInput) (activities.FunderReportResult, error) {
	if in.Scheduled.IsZero() && in.Month == "" {
		if t, ok := workflow.GetTypedSearchAttributes(ctx).GetTime(scheduledStart); ok {
			in.Scheduled = t
		} else {
			in.Scheduled = workflow.Now(ctx)
		}
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		// 1,000 programs take about a second; a frozen Postgres is retried.
		StartToCloseTimeout: 5 * time.Minute,
		HeartbeatTimeout:    4 * activities.ReportHeartbeat,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 5 * time.Second, BackoffCoefficient: 2, MaximumInterval: 10 * time.Minute},
	})
	var a *activities.Activities
	var res activities.FunderReportResult
	if err := workflow.ExecuteActivity(actx, a.BuildFunderReport, in).Get(ctx, &res); err != nil {
		return res, fmt.Errorf("funder report %s: %w", in.Funder, err)
	}
	if res.Skipped != "" {
		return res, nil
	}
	send := activities.SendFunderReportInput{Funder: in.Funder, Month: res.Month, ReportID: res.ReportID}
	if err := workflow.ExecuteActivity(actx, a.SendFunderReport, send).Get(ctx, nil); err != nil {
		return res, fmt.Errorf("send funder report %s %s: %w", in.Funder, res.Month, err)
	}
	return res, nil
}
