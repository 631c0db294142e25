package web

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/validate"
	"github.com/codecitoyen/suivi/workflows"
)

// Call window states.
const (
	callSoon   = "soon"
	callOpen   = "open"
	callClosed = "closed"
)

// callInfo is an edition's call for projects as the public sees it.
type callInfo struct {
	Edition, Name, State, Opens, Closes string
}

// callState says whether an edition's call is open today, in the
// edition's time zone: open from Opens to Closes, both days included.
func callState(ed *edition.Edition, now time.Time) string {
	loc, err := time.LoadLocation(ed.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	today := edition.DateOf(now.In(loc))
	switch {
	case today < ed.CallForProjects.Opens:
		return callSoon
	case today > ed.CallForProjects.Closes || !now.Before(ed.End()):
		return callClosed
	}
	return callOpen
}

func infoOf(ed *edition.Edition, l string, now time.Time) callInfo {
	return callInfo{Edition: ed.ID, Name: textIn(ed.Name, l), State: callState(ed, now),
		Opens: string(ed.CallForProjects.Opens), Closes: string(ed.CallForProjects.Closes)}
}

// callsOf lists the calls for projects open now or about to open, given
// every edition's head (store.EditionHeads).
func (h *handler) callsOf(r *http.Request, heads []store.Edition) ([]callInfo, error) {
	var out []callInfo
	for _, head := range heads {
		ed, err := h.decoded.head(r.Context(), h.Store, head)
		if err != nil {
			return nil, err
		}
		if !h.now().Before(ed.End()) {
			continue
		}
		if c := infoOf(ed, lang(r), h.now()); c.State != callClosed {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b callInfo) int { return strings.Compare(a.Edition, b.Edition) })
	return out, nil
}

// callForm is the application as typed, kept to show it again.
type callForm struct {
	Name, Summary, Theme, City, Repositories, Team, Licence string
}

type option struct{ Value, Label string }

// fieldError is one problem of the form, for the summary at its top.
type fieldError struct{ Field, Label, Msg string }

// callData is the call page: the window, the form and its problems.
type callData struct {
	callInfo
	Themes, Cities []option
	Form           callForm
	// Errors holds one message per field; List the same in form order.
	Errors  map[string]string
	List    []fieldError
	General string
	Limits  callLimits
}

type callLimits struct{ Name, Summary, Repositories, Holders, Licence int }

var limits = callLimits{Name: maxNameLen, Summary: workflows.MaxSummaryLen, Repositories: workflows.MaxRepositories,
	Holders: workflows.MaxHolders, Licence: maxLicenceLen}

// The longest project name and licence intention (workflows.Normalize's).
const (
	maxNameLen    = 120
	maxLicenceLen = 64
)

// callEdition loads the edition a call page names; unknown is a 404.
func (h *handler) callEdition(w http.ResponseWriter, r *http.Request) (*edition.Edition, bool) {
	id := r.PathValue("edition")
	if err := validate.Slug("edition", id); err != nil {
		h.writeError(w, r, &httpError{status: http.StatusNotFound, msg: "no call for projects " + validate.Quote(id)})
		return nil, false
	}
	rec, err := h.Store.GetEdition(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		h.writeError(w, r, &httpError{status: http.StatusNotFound, msg: "no call for projects for edition " + id})
		return nil, false
	}
	if err != nil {
		h.writeError(w, r, err)
		return nil, false
	}
	ed, err := rec.Decode()
	if err != nil {
		h.writeError(w, r, err)
		return nil, false
	}
	return ed, true
}

// callPage shows the call for projects: the form while it is open, when it
// opens or that it closed otherwise.
func (h *handler) callPage(w http.ResponseWriter, r *http.Request) {
	ed, ok := h.callEdition(w, r)
	if !ok {
		return
	}
	h.renderCall(w, r, http.StatusOK, ed, callForm{}, nil, "")
}

func (h *handler) renderCall(w http.ResponseWriter, r *http.Request, status int, ed *edition.Edition, f callForm, list []fieldError, general string) {
	l := lang(r)
	d := callData{callInfo: infoOf(ed, l, h.now()), Form: f, Errors: map[string]string{}, List: list, General: general, Limits: limits}
	for _, t := range ed.Themes {
		d.Themes = append(d.Themes, option{t.ID, textIn(t.Title, l)})
	}
	for _, c := range ed.Cities {
		d.Cities = append(d.Cities, option{c.Name, c.Name})
	}
	for _, e := range list {
		d.Errors[e.Field] = e.Msg
	}
	v := h.page(r, tr(l, "call.title", d.Name), d)
	v.Self = "/call/" + ed.ID
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "60")
	}
	h.render(w, r, status, "call", v)
}

// callReceived thanks the applicant after a successful application (the
// POST redirects here, so a reload does not apply twice). It names no
// project: anyone may open this address.
func (h *handler) callReceived(w http.ResponseWriter, r *http.Request) {
	ed, ok := h.callEdition(w, r)
	if !ok {
		return
	}
	l := lang(r)
	h.render(w, r, http.StatusOK, "call_received", h.page(r, tr(l, "call.received.title"), infoOf(ed, l, h.now())))
}
