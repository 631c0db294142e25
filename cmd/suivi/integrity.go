package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/validate"
	"github.com/codecitoyen/suivi/workflows"
)

// integrity is how Postgres and Temporal disagree about programs.
type integrity struct {
	// Lost are programs Postgres says are under way whose workflow Temporal
	// does not have: Temporal's state was lost or restored apart.
	Lost []store.ProgramRef
	// Unprojected are running program workflows Postgres has no row for:
	// Postgres was restored from an older backup (or a start is in flight).
	Unprojected []string
	// Resynced is how many of them were asked to project again.
	Resynced int
}

// maxIntegrityNames bounds how many programs a message names.
const maxIntegrityNames = 5

// checkIntegrity compares the programs Postgres holds with the workflows
// Temporal runs, and asks every running workflow Postgres lacks to project
// itself again (the resync Update), so a Postgres restored from an older
// backup catches up without waiting for each program's next change.
// Visibility is eventually consistent, so every program it does not list is
// confirmed with DescribeWorkflowExecution before being called lost.
func checkIntegrity(ctx context.Context, st *store.Store, tc client.Client, namespace string) (integrity, error) {
	var r integrity
	live, err := st.LivePrograms(ctx)
	if err != nil {
		return r, err
	}
	all, err := st.ProgramWorkflowIDs(ctx)
	if err != nil {
		return r, err
	}
	running := map[string]bool{}
	var token []byte
	for {
		res, err := tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: namespace, PageSize: 1000, NextPageToken: token,
			Query: "WorkflowType = 'ProgramWorkflow' AND ExecutionStatus = 'Running'",
		})
		if err != nil {
			return r, fmt.Errorf("temporal: list program workflows: %w", err)
		}
		for _, e := range res.GetExecutions() {
			running[e.GetExecution().GetWorkflowId()] = true
		}
		if token = res.GetNextPageToken(); len(token) == 0 {
			break
		}
	}
	for _, p := range live {
		if running[p.WorkflowID] {
			continue
		}
		_, err := tc.DescribeWorkflowExecution(ctx, p.WorkflowID, "")
		var nf *serviceerror.NotFound
		switch {
		case errors.As(err, &nf):
			r.Lost = append(r.Lost, p)
		case err != nil:
			return r, fmt.Errorf("temporal: describe %s: %w", p.WorkflowID, err)
		}
	}
	for id := range running {
		if !all[id] {
			r.Unprojected = append(r.Unprojected, id)
		}
	}
	for _, id := range r.Unprojected {
		h, err := tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: id, UpdateName: workflows.UpdateResync, WaitForStage: client.WorkflowUpdateStageAccepted,
		})
		if err == nil {
			err = h.Get(ctx, nil)
		}
		if err == nil {
			r.Resynced++
		}
	}
	return r, nil
}

// warnings says, in a few lines, what the disagreement means and what to do.
func (r integrity) warnings(temporalDB string) []string {
	var out []string
	if n := len(r.Lost); n > 0 {
		names := make([]string, 0, min(n, maxIntegrityNames))
		for _, p := range r.Lost[:min(n, maxIntegrityNames)] {
			names = append(names, p.Edition+"/"+p.Project)
		}
		if n > maxIntegrityNames {
			names = append(names, fmt.Sprintf("and %d more", n-maxIntegrityNames))
		}
		where := "Temporal"
		if temporalDB != "" {
			where = "Temporal's database " + temporalDB
		}
		out = append(out, fmt.Sprintf("Postgres holds %d program(s) under way that %s does not know: %s.", n, where, strings.Join(names, ", ")),
			"Temporal's state was lost: its database deleted, replaced, or restored without its -wal file. Actions on these programs will answer 'no running program'.",
			"Restore both databases from one backup (README: Back up and restore), or set each record aside with `suivi program forget E/P` and start it again.")
	}
	if n := len(r.Unprojected); n > 0 {
		out = append(out, fmt.Sprintf("Temporal runs %d program(s) Postgres had no record of (Postgres restored from an older backup?); %d asked to record themselves again.", n, r.Resynced))
	}
	return out
}

// reportIntegrity runs checkIntegrity and logs what it found; a failure to
// check is a warning, not a reason to stop.
func reportIntegrity(ctx context.Context, st *store.Store, tc client.Client, namespace, temporalDB string, log *slog.Logger) []string {
	r, err := checkIntegrity(ctx, st, tc, namespace)
	if err != nil {
		log.Warn("could not compare Postgres and Temporal", "error", err)
		return nil
	}
	w := r.warnings(temporalDB)
	for _, line := range w {
		log.Warn(validate.Printable(line))
	}
	return w
}
