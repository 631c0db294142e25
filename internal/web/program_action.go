package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/validate"
	"github.com/codecitoyen/suivi/workflows"
)

// updateActions says which decision each Update needs.
var updateActions = map[string]auth.Action{
	workflows.UpdateSelect: auth.Select, workflows.UpdateReject: auth.Reject, workflows.UpdateSubmit: auth.Submit,
	workflows.UpdateComplete: auth.Complete, workflows.UpdateWaive: auth.Waive, workflows.UpdateScore: auth.Score,
	workflows.UpdateAssignMentor: auth.AssignMentor, workflows.UpdateRemoveMentor: auth.RemoveMentor,
	workflows.UpdateExtend: auth.Extend, workflows.UpdatePause: auth.Pause, workflows.UpdateResume: auth.Resume,
	workflows.UpdateWithdraw: auth.Withdraw, workflows.UpdateGraduate: auth.Graduate, workflows.UpdateAttend: auth.Attend,
	workflows.UpdateAddHolder: auth.AddHolder, workflows.UpdateRemoveHolder: auth.RemoveHolder,
}

// programAction sends one human step to a program's workflow as an Update
// with the caller's Update ID, and waits for its result. The actor is
// whoever is signed in; a coordinator may record a step on behalf of
// someone (on_behalf_of), and the audit log keeps both names.
func (h *handler) programAction(w http.ResponseWriter, r *http.Request) {
	edition, project, err := programPath(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	action := r.PathValue("action")
	a, ok := updateActions[action]
	if !ok {
		h.writeError(w, r, &httpError{status: http.StatusNotFound, msg: "no action " + validate.Quote(action) + "; actions are " + strings.Join(workflows.Actions, ", ")})
		return
	}
	var req api.Action
	if err := decodeJSON(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	who := viewer(r)
	if req.Actor != "" && !strings.EqualFold(req.Actor, who.Email) {
		h.writeError(w, r, badRequest("actor is whoever is signed in (%s); a coordinator records a step for someone else with on_behalf_of", who.Email))
		return
	}
	req.Actor = who.Email
	if req.UpdateID == "" {
		req.UpdateID = r.Header.Get("Idempotency-Key")
	}
	if req.UpdateID == "" {
		req.UpdateID = newID()
	}
	if len(req.UpdateID) > workflows.MaxUpdateIDLen {
		h.writeError(w, r, badRequest("update_id is limited to %d characters", workflows.MaxUpdateIDLen))
		return
	}
	if !utf8.ValidString(req.UpdateID) || strings.ContainsFunc(req.UpdateID, validate.Unsafe) {
		h.writeError(w, r, badRequest("update_id contains control or bidirectional formatting characters"))
		return
	}
	// The workflow's validator checks these again; checking here spares
	// Temporal a round trip and keeps oversize requests out of its logs.
	if err := workflows.CheckRequest(action, req.ActionRequest); err != nil {
		h.writeError(w, r, actionError(edition, project, err))
		return
	}
	ap, ok := h.access(w, r, edition, project, a)
	if !ok {
		return
	}
	if req.OnBehalfOf != "" && !slices.Contains(who.Roles(ap), auth.Coordinator) {
		h.writeError(w, r, &httpError{status: http.StatusForbidden, msg: "only a coordinator of the program records a step on behalf of someone"})
		return
	}
	res, err := h.update(r, edition, project, action, req.UpdateID, req.ActionRequest)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, api.ActionDone{UpdateID: req.UpdateID, ActionResult: res})
}

// update sends one Update to a program's workflow and waits for its
// result; errors come back as HTTP answers.
func (h *handler) update(r *http.Request, edition, project, action, id string, req workflows.ActionRequest) (workflows.ActionResult, error) {
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	handle, err := h.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflows.ProgramWorkflowID(edition, project),
		UpdateID:     id,
		UpdateName:   action,
		Args:         []any{req},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	var res workflows.ActionResult
	if err == nil {
		err = handle.Get(ctx, &res)
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		// Updates cannot reach a closed workflow: say whether the program
		// is over rather than missing.
		if d, derr := h.Temporal.DescribeWorkflowExecution(ctx, workflows.ProgramWorkflowID(edition, project), ""); derr == nil &&
			d.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			err = errProgramOver
		}
	}
	if err != nil {
		return res, actionError(edition, project, err)
	}
	// Temporal answers an Update ID it has seen in this run with the first
	// outcome, whatever the action now asked: a reused ID is a mistake the
	// caller must hear about, not a "done".
	if res.Action != "" && res.Action != action {
		return res, conflict("update ID %s was already used for %s; choose a new ID for %s (nothing was done)", validate.Quote(id), res.Action, action)
	}
	return res, nil
}

// actionError maps a rejected or failed update to an HTTP answer.
func actionError(edition, project string, err error) error {
	var app *temporal.ApplicationError
	var nf *serviceerror.NotFound
	switch {
	case errors.As(err, &app):
		status := http.StatusBadRequest
		switch app.Type() {
		case workflows.ErrNotFound:
			status = http.StatusNotFound
		case workflows.ErrConflict:
			status = http.StatusConflict
		case workflows.ErrBusy:
			status = http.StatusServiceUnavailable
		}
		return &httpError{status: status, msg: app.Message()}
	case errors.As(err, &nf):
		return &httpError{status: http.StatusNotFound, msg: "no running program " + edition + "/" + project + "; see `suivi program list`"}
	case errors.Is(err, errProgramOver), strings.Contains(err.Error(), "workflow execution already completed"):
		return &httpError{status: http.StatusConflict, msg: "program " + edition + "/" + project + " is over; nothing more can be done"}
	}
	return &httpError{status: http.StatusServiceUnavailable, msg: "Temporal did not answer; the action may not have been done: send it again with the same update_id", cause: err}
}

var errProgramOver = errors.New("program is over")

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
