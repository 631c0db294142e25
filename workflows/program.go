// Package workflows holds Suivi's deterministic workflow code. It runs for
// months, so it follows the rules in DESIGN.md: no I/O, no wall clock, all
// state in one serialisable struct, every change behind workflow.GetVersion.
package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/codecitoyen/suivi/activities"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/validate"
)

// QueryState is the query answering the program's current ProgramStatus.
const QueryState = "state"

// Phase is where a program stands in its accompaniment.
type Phase string

// The phases of a program, in the order DESIGN.md gives them.
const (
	PhaseApplied       Phase = "applied"
	PhaseSelected      Phase = "selected"
	PhaseRejected      Phase = "rejected"
	PhaseHackathon     Phase = "hackathon"
	PhaseDemo          Phase = "demo"
	PhaseAccompaniment Phase = "accompaniment"
	PhaseGraduated     Phase = "graduated"
	PhaseWithdrawn     Phase = "withdrawn"
	PhaseDormant       Phase = "dormant"
)

// Terminal reports whether a program in this phase is over.
func (p Phase) Terminal() bool {
	return p == PhaseRejected || p == PhaseGraduated || p == PhaseWithdrawn
}

// ProgramWorkflowID is the one place a program's workflow ID is built, so
// that a second start of the same program is a duplicate Temporal refuses.
func ProgramWorkflowID(edition, project string) string {
	return "program/" + edition + "/" + project
}

// Program is what a coordinator gives to start a program; the API accepts
// it as the body of POST /api/v1/programs.
type Program struct {
	Edition      string   `json:"edition"`
	Project      string   `json:"project"`
	Name         string   `json:"name"`
	Holders      []string `json:"holders"`
	Repositories []string `json:"repositories"`
	City         string   `json:"city,omitempty"`
	Theme        string   `json:"theme,omitempty"`
}

// ProgramInput starts a program. It is also what continue-as-new carries, so
// everything the workflow knows lives here or in State.
type ProgramInput struct {
	Program
	// State is nil on the first run and carries progress across
	// continue-as-new.
	State *ProgramState `json:"state,omitempty"`
}

// ProgramState is the workflow's progress: small, serialisable, and carried
// whole through continue-as-new.
type ProgramState struct {
	Phase     Phase     `json:"phase"`
	StartedAt time.Time `json:"started_at"`
	// Seq increases with every projection sent to Postgres, so an older
	// write retried late never overwrites a newer one.
	Seq int64 `json:"seq"`
}

// ProgramStatus answers QueryState.
type ProgramStatus struct {
	Edition   string    `json:"edition"`
	Project   string    `json:"project"`
	Phase     Phase     `json:"phase"`
	StartedAt time.Time `json:"started_at"`
}

// Normalize checks the program and puts it in canonical form (trimmed text,
// canonical repository URLs). It returns every problem at once.
func (in *Program) Normalize() error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	add(validate.Slug("edition", in.Edition))
	add(validate.Slug("project", in.Project))
	var err error
	in.Name, err = validate.Text("name", in.Name, true, 120)
	add(err)
	in.City, err = validate.Text("city", in.City, false, 64)
	add(err)
	if in.Theme != "" {
		add(validate.Slug("theme", in.Theme))
	}
	if len(in.Holders) == 0 {
		add(errors.New("at least one holder email is required (--holder-email)"))
	}
	for i, h := range in.Holders {
		in.Holders[i], err = validate.Email(h)
		add(err)
	}
	if len(in.Repositories) == 0 {
		add(errors.New("at least one GitHub repository is required (--repo https://github.com/OWNER/REPO)"))
	}
	for i, r := range in.Repositories {
		in.Repositories[i], err = validate.GitHubRepo(r)
		add(err)
	}
	return errors.Join(errs...)
}

// ProgramWorkflow accompanies one project of one edition. This first slice
// records the program and keeps it open; the lifecycle grows on top of it,
// behind workflow.GetVersion.
func ProgramWorkflow(ctx workflow.Context, in ProgramInput) error {
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
