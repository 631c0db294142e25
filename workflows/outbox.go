package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/codecitoyen/suivi/activities"
)

// OutboxWorkflowID is the one dispatcher of the outbox.
const OutboxWorkflowID = "outbox"

// SignalWake tells the dispatcher that messages are waiting.
const SignalWake = "wake"

// MailTaskQueue carries the delivery activities, so a worker can throttle
// sending (TaskQueueActivitiesPerSecond) without slowing anything else.
const MailTaskQueue = "suivi-mail"

// OutboxBatch is how many messages one delivery activity sends over one
// SMTP connection.
const OutboxBatch = 50

// OutboxIdle is how long the dispatcher sleeps with nothing to send and no
// wake-up: a safety net, since Notify wakes it.
const OutboxIdle = time.Minute

// OutboxInput carries the dispatcher across continue-as-new.
type OutboxInput struct {
	// Turns forces continue-as-new after that many turns (tests); zero
	// leaves it to Temporal's suggestion.
	Turns int `json:"turns,omitempty"`
}

// OutboxWorkflow delivers the outbox, batch after batch, for as long as
// Suivi runs. Temporal's retry policy backs off on temporary failures; the
// claim in Postgres keeps every message to one send.
func OutboxWorkflow(ctx workflow.Context, in OutboxInput) error {
	wake := workflow.GetSignalChannel(ctx, SignalWake)
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		TaskQueue:           MailTaskQueue,
		StartToCloseTimeout: 5 * time.Minute,
		// DeliverBatch beats every 5 s: a worker killed mid-batch hands
		// the outbox to another in half a minute, not after the 5 minutes
		// of StartToCloseTimeout (during which nothing else is sent).
		// Options are not part of replay's command matching.
		HeartbeatTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: 5 * time.Second, BackoffCoefficient: 2, MaximumInterval: 10 * time.Minute,
		},
	})
	var a *activities.Activities
	for turn := 1; ; turn++ {
		var res activities.DeliverResult
		if err := workflow.ExecuteActivity(actx, a.DeliverBatch, OutboxBatch).Get(ctx, &res); err != nil {
			return err
		}
		// Wake-ups that came during the batch may be for messages queued
		// after its claim: look again at once.
		woken := false
		for wake.ReceiveAsync(nil) {
			woken = true
		}
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() || (in.Turns > 0 && turn >= in.Turns) {
			return workflow.NewContinueAsNewError(ctx, OutboxWorkflow, in)
		}
		if woken || res.Claimed == OutboxBatch {
			continue // more are waiting
		}
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(wake, func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, nil) })
		sel.AddFuture(workflow.NewTimer(ctx, OutboxIdle), func(workflow.Future) {})
		sel.Select(ctx)
	}
}

// DigestWorkflow queues the weekly digests of held reminders; a Schedule
// starts it every Monday morning.
func DigestWorkflow(ctx workflow.Context) (activities.DigestResult, error) {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 5 * time.Second, BackoffCoefficient: 2, MaximumInterval: 5 * time.Minute},
	})
	var a *activities.Activities
	var res activities.DigestResult
	err := workflow.ExecuteActivity(actx, a.BuildDigests).Get(ctx, &res)
	return res, err
}
