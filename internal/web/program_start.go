package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/validate"
	"github.com/codecitoyen/suivi/workflows"
)

func (h *handler) programStart(w http.ResponseWriter, r *http.Request) {
	var req api.StartProgram
	if err := decodeJSON(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	in := workflows.ProgramInput{Program: req}
	if err := in.Normalize(); err != nil {
		h.writeError(w, r, badRequest("%s", joinLines(err)))
		return
	}
	if !auth.Can(viewer(r), auth.StartProgram, &auth.Program{Edition: in.Edition, Project: in.Project, City: in.City}) {
		where := "in " + validate.Quote(in.City)
		if in.City == "" {
			where = "without a city"
		}
		h.writeError(w, r, &httpError{status: http.StatusForbidden, msg: "only a coordinator of the city starts a program; you may not start one " + where})
		return
	}
	// A row for this program with no workflow behind it means Temporal's
	// state was lost (its database deleted or restored apart from
	// Postgres): a new run would write under the old one's record. That
	// takes a person's decision, never a silent start. The same read
	// refuses up front when Postgres is down: the program would start but
	// stay unreadable until it came back.
	if err := h.checkNotLost(r, in.Edition, in.Project); err != nil {
		h.writeError(w, r, err)
		return
	}
	// The newest version's head (one indexed row, no file), then the file
	// decoded once per server.
	head, err := h.Store.EditionHead(r.Context(), in.Edition)
	var ed *edition.Edition
	if err == nil {
		ed, err = h.decoded.head(r.Context(), h.Store, head)
	}
	if errors.Is(err, store.ErrNotFound) {
		err = badRequest("edition %s does not exist; apply its file first with `suivi edition apply FILE`", in.Edition)
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if end := ed.End(); !h.now().Before(end) {
		h.writeError(w, r, conflict("edition %s's accompaniment ended on %s; programs can no longer start", ed.ID, end.Format("2006-01-02")))
		return
	}
	if in.City != "" {
		c, ok := ed.City(in.City)
		if !ok {
			h.writeError(w, r, badRequest("edition %s has no city %q; its cities are %s", ed.ID, in.City, cityNames(ed)))
			return
		}
		in.City = c.Name
	}
	if in.Theme != "" {
		if _, ok := ed.Theme(in.Theme); !ok {
			h.writeError(w, r, badRequest("edition %s has no theme %q; its themes are %s", ed.ID, in.Theme, themeIDs(ed)))
			return
		}
	}
	snap := h.decoded.snapshot(head.Hash, ed, in.City)
	if snap == nil {
		_, err := ed.Snapshot(in.City)
		h.writeError(w, r, badRequest("%v", err))
		return
	}
	in.Snapshot = snap
	run, recorded, err := h.startProgram(r.Context(), in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	switch {
	case errors.As(err, &started):
		h.writeError(w, r, conflict("program %s/%s already exists; see `suivi program status %s/%s`",
			in.Edition, in.Project, in.Edition, in.Project))
		return
	case err != nil:
		h.writeError(w, r, &httpError{status: http.StatusServiceUnavailable, msg: "Temporal could not start the program; nothing was started, try again in a moment", cause: err})
		return
	}
	writeJSON(w, http.StatusCreated, api.StartedProgram{WorkflowID: run.GetID(), RunID: run.GetRunID(), Recorded: recorded})
}

// startProgram starts a program's workflow, then writes its first record
// (workflows.FirstRecord) itself, so the program is readable as soon as the
// start is answered without waiting for the worker, and even while no
// worker runs. The workflow's own first projection replaces that record
// (it is seq 0; the workflow's is 1). recorded is false only when Postgres
// failed between the two: the program runs and its workflow will write it.
func (h *handler) startProgram(ctx context.Context, in workflows.ProgramInput) (client.WorkflowRun, bool, error) {
	run, err := h.Temporal.ExecuteWorkflow(ctx, workflows.StartOptions(in), workflows.ProgramWorkflow, in)
	if err != nil {
		return nil, false, err
	}
	first := workflows.FirstRecord(in, run.GetRunID(), h.now())
	if err := h.Store.ApplyChange(ctx, store.ProgramChange{Program: first, Whole: true, People: true}); err != nil {
		h.Logger.Warn("program started; its first record waits for the worker", "program", in.Edition+"/"+in.Project, "error", err)
		return run, false, nil
	}
	return run, true, nil
}

// joinLines turns errors.Join output into one line.
func joinLines(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}
