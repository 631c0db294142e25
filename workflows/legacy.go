package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/codecitoyen/suivi/activities"
	"github.com/codecitoyen/suivi/internal/store"
)

// legacyProgram is the first slice of ProgramWorkflow, kept so that runs
// started before the lifecycle (no GetVersion marker) replay unchanged: it
// records the program and keeps it open. Such runs take no action; they
// predate editions and have no snapshot to follow.
func legacyProgram(ctx workflow.Context, in ProgramInput) error {
	st := in.State
	if st == nil {
		st = &ProgramState{Phase: PhaseApplied, StartedAt: workflow.Now(ctx).UTC()}
	}
	in.State = nil

	if err := workflow.SetQueryHandler(ctx, QueryState, func() (ProgramStatus, error) {
		return ProgramStatus{Edition: in.Edition, Project: in.Project, Phase: st.Phase, StartedAt: st.StartedAt}, nil
	}); err != nil {
		return fmt.Errorf("program %s/%s: register query: %w", in.Edition, in.Project, err)
	}

	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		// Postgres may be down for a while; keep trying rather than fail a
		// program that lives for months.
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	})
	if st.Seq == 0 {
		st.Seq++
		var a *activities.Activities
		err := workflow.ExecuteActivity(actx, a.RecordProgram, store.Program{
			Edition:      in.Edition,
			Project:      in.Project,
			Name:         in.Name,
			Holders:      in.Holders,
			Repositories: in.Repositories,
			City:         in.City,
			Theme:        in.Theme,
			Phase:        string(st.Phase),
			WorkflowID:   workflow.GetInfo(ctx).WorkflowExecution.ID,
			StartedAt:    st.StartedAt,
			Seq:          st.Seq,
		}).Get(ctx, nil)
		if err != nil {
			return fmt.Errorf("program %s/%s: record: %w", in.Edition, in.Project, err)
		}
	}

	// Nothing moves the phase yet; wait until the program ends or the
	// history grows large enough that Temporal suggests a fresh run.
	if err := workflow.Await(ctx, func() bool {
		return st.Phase.Terminal() || workflow.GetInfo(ctx).GetContinueAsNewSuggested()
	}); err != nil {
		return err
	}
	if st.Phase.Terminal() {
		return nil
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	in.State = st
	return workflow.NewContinueAsNewError(ctx, ProgramWorkflow, in)
}
