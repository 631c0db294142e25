package web

import (
	"errors"
	"net/http"

	"go.temporal.io/api/serviceerror"

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/workflows"
)

// programForget sets aside the Postgres record of a program whose workflow
// Temporal no longer has (its state was lost), so the project can start
// afresh; the record is kept whole in archived_programs. A program whose
// workflow Temporal knows is never forgotten: withdraw it instead.
func (h *handler) programForget(w http.ResponseWriter, r *http.Request) {
	edition, project, err := programPath(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req api.Forget
	if err := decodeJSON(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	if req.Actor != "" && req.Actor != viewer(r).Email {
		h.writeError(w, r, badRequest("actor is whoever is signed in (%s)", viewer(r).Email))
		return
	}
	req.Actor = viewer(r).Email
	p, _, ok := h.program(w, r, edition, project, auth.Forget)
	if !ok {
		return
	}
	d, err := h.Temporal.DescribeWorkflowExecution(r.Context(), p.WorkflowID, "")
	var nf *serviceerror.NotFound
	switch {
	case err == nil:
		h.writeError(w, r, conflict("Temporal still has program %s/%s's workflow (%s): only a program whose workflow was lost can be forgotten; withdraw it instead",
			edition, project, d.GetWorkflowExecutionInfo().GetStatus()))
		return
	case !errors.As(err, &nf):
		h.writeError(w, r, err)
		return
	}
	id, err := h.Store.ForgetProgram(r.Context(), edition, project, "forgotten by "+req.Actor+": Temporal had no workflow for it")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.Logger.Warn("program forgotten", "program", edition+"/"+project, "archive", id, "actor", req.Actor)
	writeJSON(w, http.StatusOK, api.Forgotten{ArchiveID: id, Phase: p.Phase})
}

// checkNotLost refuses a start over a Postgres record whose workflow
// Temporal does not have: see programStart.
func (h *handler) checkNotLost(r *http.Request, edition, project string) error {
	p, err := h.Store.ProgramRow(r.Context(), edition, project)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	// Someone who may not see the program learns only that the slug is
	// taken: not its phase, not when it started.
	ap, err := h.authProgram(r.Context(), p)
	if err != nil {
		return err
	}
	if !auth.Can(viewer(r), auth.ViewProgram, ap) {
		return conflict("the project slug %s is taken in edition %s; choose another", project, edition)
	}
	_, err = h.Temporal.DescribeWorkflowExecution(r.Context(), p.WorkflowID, "")
	var nf *serviceerror.NotFound
	switch {
	case err == nil:
		return nil // Temporal refuses the duplicate itself.
	case !errors.As(err, &nf):
		return err
	case workflows.Phase(p.Phase).Terminal():
		return conflict("program %s/%s already exists and is %s; see `suivi program status %s/%s`", edition, project, p.Phase, edition, project)
	}
	return conflict("Postgres holds program %s/%s (phase %s, started %s) but Temporal has no workflow for it: Temporal's state was lost. "+
		"Restore both databases from one backup, or set the old record aside with `suivi program forget %s/%s` and start it again",
		edition, project, p.Phase, p.StartedAt.Format("2006-01-02"), edition, project)
}
