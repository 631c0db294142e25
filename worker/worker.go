// Package worker wires Suivi's workflows and activities to a Temporal worker
// on the "suivi" task queue, and prepares the namespace they need.
package worker

import (
	"context"
	"fmt"
	"slices"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/codecitoyen/suivi/activities"
	"github.com/codecitoyen/suivi/internal/config"
	"github.com/codecitoyen/suivi/internal/licence"
	"github.com/codecitoyen/suivi/workflows"
)

// RegisterWorkflows adds every Suivi workflow to r, under a fixed name. The
// replay test uses it too, so what runs and what is replayed cannot drift.
func RegisterWorkflows(r sdkworker.WorkflowRegistry) {
	r.RegisterWorkflowWithOptions(workflows.ProgramWorkflow, workflow.RegisterOptions{Name: "ProgramWorkflow"})
	r.RegisterWorkflowWithOptions(workflows.MeetupWorkflow, workflow.RegisterOptions{Name: "MeetupWorkflow"})
	r.RegisterWorkflowWithOptions(workflows.OutboxWorkflow, workflow.RegisterOptions{Name: "OutboxWorkflow"})
	r.RegisterWorkflowWithOptions(workflows.DigestWorkflow, workflow.RegisterOptions{Name: "DigestWorkflow"})
	r.RegisterWorkflowWithOptions(workflows.WatchWorkflow, workflow.RegisterOptions{Name: "WatchWorkflow"})
	r.RegisterWorkflowWithOptions(workflows.FunderReportWorkflow, workflow.RegisterOptions{Name: workflows.FunderReportWorkflowName})
}

// Options tune the workers.
type Options struct {
	// MailBatchesPerSecond caps delivery batches per second across every
	// worker of the deployment (Temporal's task-queue rate limit), so a
	// relay's own limits are respected without sleeping; 0 means 5.
	MailBatchesPerSecond float64
	// CacheSize is how many workflows the process keeps in memory between
	// their tasks (SUIVI_WORKFLOW_CACHE); 0 leaves Temporal's 10,000.
	CacheSize int
}

// Workers are the two workers of a Suivi process: the main task queue, and
// the mail task queue whose activities are rate limited.
type Workers struct {
	main, mail sdkworker.Worker
}

// New returns the workers of one process; Start them. The activities' Wake
// is set to signal the outbox dispatcher.
func New(c client.Client, acts *activities.Activities, o Options) *Workers {
	if acts.Wake == nil {
		acts.Wake = func(ctx context.Context) error { return WakeOutbox(ctx, c) }
	}
	if acts.Signal == nil {
		acts.Signal = func(ctx context.Context, id, name string, arg any) error {
			return c.SignalWorkflow(ctx, id, "", name, arg)
		}
	}
	if acts.Licences == nil {
		// One per worker, loaded on first use.
		acts.Licences = &licence.Classifier{}
	}
	// A short sticky timeout: when a worker is gone (restart, deploy),
	// Temporal waits this long on its sticky queue before another worker
	// replays the program; programs are small, so a replay costs less than
	// the default 5 s wait a person sees on their first query.
	if o.CacheSize > 0 {
		// Process-wide in the SDK, and read when the first worker starts.
		sdkworker.SetStickyWorkflowCacheSize(o.CacheSize)
	}
	main := sdkworker.New(c, config.TaskQueue, sdkworker.Options{StickyScheduleToStartTimeout: 2 * time.Second})
	RegisterWorkflows(main)
	main.RegisterActivity(acts)
	rate := o.MailBatchesPerSecond
	if rate <= 0 {
		rate = 5
	}
	mail := sdkworker.New(c, workflows.MailTaskQueue, sdkworker.Options{TaskQueueActivitiesPerSecond: rate})
	mail.RegisterActivity(acts.DeliverBatch)
	return &Workers{main: main, mail: mail}
}

// Start starts both workers.
func (w *Workers) Start() error {
	if err := w.main.Start(); err != nil {
		return err
	}
	if err := w.mail.Start(); err != nil {
		w.main.Stop()
		return err
	}
	return nil
}

// Stop stops both workers, waiting for running activities.
func (w *Workers) Stop() {
	w.mail.Stop()
	w.main.Stop()
}

// WakeOutbox signals the outbox dispatcher, starting it if it is not
// running: safe from any process at any time.
func WakeOutbox(ctx context.Context, c client.Client) error {
	_, err := c.SignalWithStartWorkflow(ctx, workflows.OutboxWorkflowID, workflows.SignalWake, nil,
		client.StartWorkflowOptions{TaskQueue: config.TaskQueue}, workflows.OutboxWorkflow, workflows.OutboxInput{})
	if err != nil {
		return fmt.Errorf("temporal: wake the outbox: %w", err)
	}
	return nil
}

// EnsureSearchAttributes registers Suivi's typed search attributes on the
// namespace when they are missing. It is safe to call from every process at
// every start; an attribute registered with another type is an error.
func EnsureSearchAttributes(ctx context.Context, c client.Client, namespace string) error {
	have, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("temporal: list search attributes of namespace %q: %w", namespace, err)
	}
	want := workflows.SearchAttributes()
	missing := &operatorservice.AddSearchAttributesRequest{Namespace: namespace, SearchAttributes: map[string]enumspb.IndexedValueType{}}
	names := make([]string, 0, len(want))
	for name := range want {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		got, ok := have.GetCustomAttributes()[name]
		switch {
		case !ok:
			missing.SearchAttributes[name] = want[name]
		case got != want[name]:
			return fmt.Errorf("temporal: search attribute %s is registered as %s, Suivi needs %s", name, got, want[name])
		}
	}
	if len(missing.SearchAttributes) == 0 {
		return nil
	}
	if _, err := c.OperatorService().AddSearchAttributes(ctx, missing); err != nil {
		return fmt.Errorf("temporal: register search attributes on namespace %q: %w", namespace, err)
	}
	return nil
}

// EnsureWatch starts the repository watcher unless it runs already.
func EnsureWatch(ctx context.Context, c client.Client, interval time.Duration) error {
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       workflows.WatchWorkflowID,
		TaskQueue:                config.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}, workflows.WatchWorkflow, workflows.WatchInput{Interval: interval})
	if err != nil {
		return fmt.Errorf("temporal: start the repository watcher: %w", err)
	}
	return nil
}
