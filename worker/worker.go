// Package worker wires Suivi's workflows and activities to a Temporal worker
// on the "suivi" task queue, and prepares the namespace they need.
package worker

import (
	"context"
	"fmt"
	"slices"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/codecitoyen/suivi/activities"
	"github.com/codecitoyen/suivi/internal/config"
	"github.com/codecitoyen/suivi/workflows"
)

// RegisterWorkflows adds every Suivi workflow to r, under a fixed name. The
// replay test uses it too, so what runs and what is replayed cannot drift.
func RegisterWorkflows(r sdkworker.WorkflowRegistry) {
	r.RegisterWorkflowWithOptions(workflows.ProgramWorkflow, workflow.RegisterOptions{Name: "ProgramWorkflow"})
	r.RegisterWorkflowWithOptions(workflows.MeetupWorkflow, workflow.RegisterOptions{Name: "MeetupWorkflow"})
}

// New returns a worker polling config.TaskQueue; Start or Run it.
func New(c client.Client, acts *activities.Activities) sdkworker.Worker {
	w := sdkworker.New(c, config.TaskQueue, sdkworker.Options{})
	RegisterWorkflows(w)
	w.RegisterActivity(acts)
	return w
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
