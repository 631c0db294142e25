package workflows_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/codecitoyen/suivi/activities"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/workflows"
)

func input() workflows.ProgramInput {
	return workflows.ProgramInput{Program: workflows.Program{
		Edition: "ncc-2027", Project: "demoscampi", Name: "Démocratie et crustacés",
		Holders: []string{"holder@example.org"}, Repositories: []string{"https://github.com/CodeCitoyen/Demoscampi"},
		City: "Lyon", Theme: "democratie-numerique",
	}}
}

func TestProgramRecordsAndStaysApplied(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	var a *activities.Activities
	var got store.Program
	env.RegisterActivity(a.RecordProgram)
	env.OnActivity(a.RecordProgram, mock.Anything, mock.Anything).Return(func(_ context.Context, r store.Program) error {
		got = r
		return nil
	}).Once()

	// The program stays open; ask its state after a (simulated) year.
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(workflows.QueryState)
		if err != nil {
			t.Fatalf("query: %v", err)
		}
		var st workflows.ProgramStatus
		if err := v.Get(&st); err != nil {
			t.Fatal(err)
		}
		if st.Phase != workflows.PhaseApplied || st.Edition != "ncc-2027" || st.Project != "demoscampi" {
			t.Errorf("state = %+v, want ncc-2027/demoscampi applied", st)
		}
		env.CancelWorkflow()
	}, 365*24*time.Hour)
	env.ExecuteWorkflow(workflows.ProgramWorkflow, input())

	if !env.IsWorkflowCompleted() {
		t.Fatal("workflow did not complete after cancel")
	}
	env.AssertExpectations(t)
	if got.Edition != "ncc-2027" || got.Project != "demoscampi" || got.Phase != "applied" || got.Seq != 1 ||
		got.WorkflowID == "" || got.StartedAt.IsZero() || got.City != "Lyon" {
		t.Fatalf("recorded %+v, want the program in phase applied with seq 1", got)
	}
}

// A run continued from an earlier one must not project the program again.
func TestContinuedRunDoesNotRecordAgain(t *testing.T) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	var a *activities.Activities
	env.RegisterActivity(a.RecordProgram)
	env.OnActivity(a.RecordProgram, mock.Anything, mock.Anything).Return(nil).Maybe()
	in := input()
	started := time.Date(2027, 3, 7, 16, 0, 0, 0, time.UTC)
	in.State = &workflows.ProgramState{Phase: workflows.PhaseApplied, StartedAt: started, Seq: 1}
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(workflows.QueryState)
		if err != nil {
			t.Fatalf("query: %v", err)
		}
		var st workflows.ProgramStatus
		_ = v.Get(&st)
		if !st.StartedAt.Equal(started) {
			t.Errorf("started_at = %v, want the carried %v", st.StartedAt, started)
		}
		env.CancelWorkflow()
	}, time.Hour)
	env.ExecuteWorkflow(workflows.ProgramWorkflow, in)
	env.AssertNumberOfCalls(t, "RecordProgram", 0)
}

func TestNormalize(t *testing.T) {
	in := input()
	in.Repositories = []string{"github.com/CodeCitoyen/Demoscampi.git"}
	in.Holders = []string{" holder@example.org "}
	if err := in.Normalize(); err != nil {
		t.Fatal(err)
	}
	if in.Repositories[0] != "https://github.com/CodeCitoyen/Demoscampi" || in.Holders[0] != "holder@example.org" {
		t.Fatalf("Normalize = %+v", in)
	}
	bad := workflows.Program{Edition: "NCC", Holders: []string{"nope"}, Repositories: []string{"https://gitlab.com/a/b"}}
	err := bad.Normalize()
	if err == nil {
		t.Fatal("bad input accepted")
	}
	for _, want := range []string{"edition", "project", "name is required", "nope", "gitlab"} {
		if !contains(err.Error(), want) {
			t.Errorf("Normalize error %q does not mention %q", err, want)
		}
	}
}

func TestWorkflowID(t *testing.T) {
	if id := workflows.ProgramWorkflowID("ncc-2027", "demoscampi"); id != "program/ncc-2027/demoscampi" {
		t.Fatalf("ProgramWorkflowID = %q", id)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
