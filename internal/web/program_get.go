package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"go.temporal.io/api/serviceerror"

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/workflows"
)

func (h *handler) programGet(w http.ResponseWriter, r *http.Request) {
	edition, project, err := programPath(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	res := api.ProgramDetail{Workflow: api.WorkflowView{ID: workflows.ProgramWorkflowID(edition, project)}}
	if _, _, ok := h.program(w, r, edition, project, auth.ViewProgram); !ok {
		return
	}
	p, err := h.Store.GetProgram(r.Context(), edition, project)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	res.Program = &p
	if res.Undelivered, err = h.Store.Undelivered(r.Context(), edition, project); err != nil {
		h.writeError(w, r, err)
		return
	}

	// Longer than the worker's sticky schedule-to-start timeout: after a
	// worker restart Temporal first sends the query to the old worker's
	// sticky queue and only falls back to the shared queue once that times
	// out.
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	var st workflows.ProgramStatus
	v, err := h.Temporal.QueryWorkflow(ctx, res.Workflow.ID, "", workflows.QueryState)
	if err == nil {
		err = v.Get(&st)
	}
	var nf *serviceerror.NotFound
	switch {
	case err == nil:
		res.Workflow.ProgramStatus = st
	case errors.As(err, &nf) && res.Program == nil:
		h.writeError(w, r, noProgram(edition, project))
		return
	default:
		res.Workflow.Error = err.Error()
	}
	writeJSON(w, http.StatusOK, res)
}
