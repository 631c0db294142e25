package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/codecitoyen/suivi/activities"
)

// MeetupWorkflow invites every program in accompaniment in one city to that
// city's next monthly meetup. A Temporal Schedule per city starts it each
// month (see worker.EnsureMeetupSchedules); the activity does the time-zone
// math and the outbox makes a second run harmless.
func MeetupWorkflow(ctx workflow.Context, in activities.MeetupInput) (activities.MeetupResult, error) {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	})
	var a *activities.Activities
	var res activities.MeetupResult
	if err := workflow.ExecuteActivity(actx, a.InviteMeetup, in).Get(ctx, &res); err != nil {
		return res, fmt.Errorf("meetup %s/%s: %w", in.Edition, in.City, err)
	}
	return res, nil
}
