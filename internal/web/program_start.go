package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/auth"
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
	// Refuse up front when Postgres is down: the program would start but
	// stay invisible until it came back.
	if err := h.Store.Ping(r.Context()); err != nil {
		h.writeError(w, r, &httpError{status: http.StatusServiceUnavailable, msg: "Postgres is unavailable; nothing was started, try again in a moment", cause: err})
		return
	}
	// A row for this program with no workflow behind it means Temporal's
	// state was lost (its database deleted or restored apart from
	// Postgres): a new run would write under the old one's record. That
	// takes a person's decision, never a silent start.
	if err := h.checkNotLost(r, in.Edition, in.Project); err != nil {
		h.writeError(w, r, err)
		return
	}
	ed, err := h.edition(r.Context(), in.Edition)
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
	snap, err := ed.Snapshot(in.City)
	if err != nil {
		h.writeError(w, r, badRequest("%v", err))
		return
	}
	in.Snapshot = &snap
	run, err := h.Temporal.ExecuteWorkflow(r.Context(), workflows.StartOptions(in), workflows.ProgramWorkflow, in)
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
	res := api.StartedProgram{WorkflowID: run.GetID(), RunID: run.GetRunID()}
	res.Recorded = h.waitRecorded(r.Context(), in.Edition, in.Project)
	writeJSON(w, http.StatusCreated, res)
}

// waitRecorded waits briefly for the worker's projection, so that a status
// asked right after a start shows what Postgres holds.
func (h *handler) waitRecorded(ctx context.Context, edition, project string) bool {
	ctx, cancel := context.WithTimeout(ctx, h.RecordWait)
	defer cancel()
	for {
		if _, err := h.Store.GetProgram(ctx, edition, project); err == nil {
			return true
		} else if !errors.Is(err, store.ErrNotFound) {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// joinLines turns errors.Join output into one line.
func joinLines(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}
