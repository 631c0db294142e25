package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/validate"
	"github.com/codecitoyen/suivi/workflows"
)

// pageAction is every form's target on a program: it decides through
// h.program (404 for a program the viewer may not see, 403 for an action
// they may not do), sends one Update with the viewer as actor and the
// form's own Update ID (a double click or a resent form acts once), and
// sends the browser back where the form was, with the outcome shown there.
// Only same-origin posts reach it: the gate's cross-origin protection
// refuses the others, and the session cookie is SameSite=Lax.
func (h *handler) pageAction(w http.ResponseWriter, r *http.Request) {
	edition, project, err := programPath(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		h.writeError(w, r, err)
		return
	}
	action := r.PathValue("action")
	back := r.PostFormValue("back")
	if back == "" {
		back = "/programs/" + edition + "/" + project
	}
	back = safeNext(back)
	l := lang(r)
	if action == "public" {
		h.pagePublic(w, r, edition, project, back)
		return
	}
	if action == "fund" {
		h.pageFund(w, r, edition, project, back)
		return
	}
	a, ok := updateActions[action]
	if !ok {
		h.writeError(w, r, &httpError{status: http.StatusNotFound, msg: "no action " + validate.Quote(action)})
		return
	}
	if _, _, ok := h.program(w, r, edition, project, a); !ok {
		return
	}
	req, err := formRequest(r, action)
	if err == nil {
		req.Actor = viewer(r).Email
		err = workflows.CheckRequest(action, req)
		if err != nil {
			err = actionError(edition, project, err)
		}
	}
	if err != nil {
		h.flash(r, tr(l, "flash.failed"), errorWords(err), true)
		http.Redirect(w, r, back, http.StatusSeeOther)
		return
	}
	if h.Temporal == nil {
		h.writeError(w, r, unavailable("Temporal is not connected; nothing was done, try again in a moment"))
		return
	}
	id := strings.TrimSpace(r.PostFormValue("update_id"))
	if id == "" || len(id) > workflows.MaxUpdateIDLen || strings.ContainsFunc(id, validate.Unsafe) {
		id = newID()
	}
	res, err := h.update(r, edition, project, action, id, req)
	if status, _, _ := classify(err); err != nil && status >= 500 {
		// Temporal or Postgres out of reach: the outage page (503, Retry-After),
		// as everywhere; the form is there again once it is back.
		h.writeError(w, r, err)
		return
	}
	if err != nil {
		h.flash(r, tr(l, "flash.failed"), errorWords(err), true)
	} else {
		h.flash(r, tr(l, "flash.done."+action), res.Message, false)
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// formRequest reads the fields an action needs from its form.
func formRequest(r *http.Request, action string) (workflows.ActionRequest, error) {
	v := func(k string) string { return r.PostFormValue(k) }
	req := workflows.ActionRequest{Milestone: v("milestone"), Note: strings.ReplaceAll(v("note"), "\r\n", "\n"),
		URL: strings.TrimSpace(v("url")), Mentor: strings.TrimSpace(v("mentor")), Holder: strings.TrimSpace(v("holder")),
		Meetup: v("meetup"), Comment: strings.ReplaceAll(v("comment"), "\r\n", "\n")}
	switch action {
	case workflows.UpdateWithdraw:
		// No script asks "are you sure?": the form's box does.
		if v("confirm") != "on" {
			return req, badRequest("tick the box to confirm the withdrawal")
		}
	case workflows.UpdateScore:
		n, err := strconv.Atoi(strings.TrimSpace(v("score")))
		if err != nil || n < 0 || n > workflows.MaxScore {
			return req, badRequest("the score is a whole number from 0 to %d", workflows.MaxScore)
		}
		req.Score = &n
	case workflows.UpdateExtend:
		d, err := edition.ParseDate(strings.TrimSpace(v("due")))
		if err != nil {
			return req, badRequest("the new due date is a date, YYYY-MM-DD")
		}
		req.Due = d
	}
	return req, nil
}

// errorWords is what a refused action says on the page: the one-line
// message of its HTTP answer.
func errorWords(err error) string {
	_, msg, _ := classify(err)
	return msg
}

// pagePublic opts a program in or out of the public board (holders and
// coordinators: auth.SetPublic).
func (h *handler) pagePublic(w http.ResponseWriter, r *http.Request, edition, project, back string) {
	if _, _, ok := h.program(w, r, edition, project, auth.SetPublic); !ok {
		return
	}
	public := r.PostFormValue("public") == "on"
	if err := h.Store.SetPublic(r.Context(), edition, project, public); err != nil {
		h.writeError(w, r, err)
		return
	}
	msg := "flash.done.public-off"
	if public {
		msg = "flash.done.public-on"
	}
	h.flash(r, tr(lang(r), msg), "", false)
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// pageFund links a funder to the program (coordinators: auth.Fund).
func (h *handler) pageFund(w http.ResponseWriter, r *http.Request, edition, project, back string) {
	if _, _, ok := h.program(w, r, edition, project, auth.Fund); !ok {
		return
	}
	l := lang(r)
	slug := r.PostFormValue("funder")
	fail := func(msg string) {
		h.flash(r, tr(l, "flash.failed"), msg, true)
		http.Redirect(w, r, back, http.StatusSeeOther)
	}
	if err := validate.Slug("funder", slug); err != nil {
		fail(err.Error())
		return
	}
	if err := h.Store.Fund(r.Context(), edition, project, slug); err != nil {
		if status, msg, _ := classify(err); status < 500 {
			fail(msg)
			return
		}
		h.writeError(w, r, err)
		return
	}
	h.flash(r, tr(l, "flash.done.fund", slug), "", false)
	http.Redirect(w, r, back, http.StatusSeeOther)
}
