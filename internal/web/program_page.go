package web

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/workflows"
)

// Bounds on the program page's lists: the newest are shown.
const (
	maxPageOutbox = 100
	maxPageAudit  = 200
	// activityDays is the period of the page's repository metrics.
	activityDays = 90
)

// phaseStep is one phase the program entered: when, and who moved it.
type phaseStep struct {
	Phase string
	At    time.Time
	Actor string
}

type programPage struct {
	programView
	// Roles are the viewer's roles on this program.
	Roles    []auth.Role
	Timeline []phaseStep
	Activity programActivity
	// Staff is whether the viewer is one of the program's people
	// (coordinator, mentor, holder): they see its emails and audit log;
	// the jury and funders see the project, not who was written to.
	Staff       bool
	Outbox      []store.Message
	OutboxMore  int
	Undelivered []store.Message
	Audit       []store.AuditEntry
	AuditMore   int
	// Funders fund the program; FundWith are the others a coordinator may
	// add (nil when the viewer may not).
	Funders  []string
	FundWith []store.Funder
}

// programPage is where emails link to: a program's phases, steps,
// deliverables, activity, licence, meetups, emails and audit log, with the
// forms the viewer's roles allow (each asked of auth.Can).
func (h *handler) programPage(w http.ResponseWriter, r *http.Request) {
	edition, project, err := programPath(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	_, ap, ok := h.program(w, r, edition, project, auth.ViewProgram)
	if !ok {
		return
	}
	ctx := r.Context()
	p, err := h.Store.GetProgram(ctx, edition, project)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	row, err := h.Store.ProgramRow(ctx, edition, project)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	p.Licence, p.Public = row.Licence, row.Public
	l := lang(r)
	now := h.now()
	eds := h.editions(ctx)
	snap, err := eds.snapshot(p.Edition, p.City)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	who := viewer(r)
	d := programPage{programView: newProgramView(who, ap, p, snap, now, r.URL.Path), Roles: who.Roles(ap)}
	d.ThemeTitle = eds.themeTitle(p.Edition, p.Theme, l)
	d.Staff = slices.ContainsFunc(d.Roles, func(r auth.Role) bool {
		return r == auth.Coordinator || r == auth.Mentor || r == auth.Holder
	})
	audit, err := h.Store.ListAudit(ctx, edition, project)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	d.Timeline = phaseTimeline(audit)
	// Who else funds a program is the program's people's business, not
	// another funder's.
	if d.Staff {
		d.Funders = ap.Funders
	}
	if auth.Can(who, auth.Fund, ap) {
		all, err := h.Store.ListFunders(ctx)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		for _, f := range all {
			if !slices.Contains(ap.Funders, f.Slug) {
				d.FundWith = append(d.FundWith, f)
			}
		}
	}
	if d.Activity, err = h.programActivity(ctx, p, activityDays, now); err != nil {
		h.writeError(w, r, err)
		return
	}
	if d.Undelivered, err = h.Store.Undelivered(ctx, edition, project); err != nil {
		h.writeError(w, r, err)
		return
	}
	d.Undelivered = lastN(d.Undelivered, maxPageOutbox, nil)
	if d.Staff {
		out, err := h.Store.ListOutbox(ctx, edition, project)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		d.Outbox = lastN(out, maxPageOutbox, &d.OutboxMore)
		d.Audit = lastN(audit, maxPageAudit, &d.AuditMore)
	}
	h.render(w, r, http.StatusOK, "program", h.page(r, p.Name, d))
}

// lastN keeps the newest n of an oldest-first list, newest first, and
// says how many it left out.
func lastN[T any](list []T, n int, more *int) []T {
	if len(list) > n {
		if more != nil {
			*more = len(list) - n
		}
		list = list[len(list)-n:]
	}
	out := slices.Clone(list)
	slices.Reverse(out)
	return out
}

// phaseTimeline reads the phases a program went through from its audit
// log: its start, the coordinators' decisions and the workflow's own moves.
func phaseTimeline(audit []store.AuditEntry) []phaseStep {
	var out []phaseStep
	add := func(phase string, a store.AuditEntry) {
		if len(out) == 0 || out[len(out)-1].Phase != phase {
			out = append(out, phaseStep{Phase: phase, At: a.At, Actor: a.Actor})
		}
	}
	for _, a := range audit {
		if a.Detail["woke"] == "true" {
			add(string(workflows.PhaseAccompaniment), a)
		}
		switch {
		case a.Action == "started":
			add(string(workflows.PhaseApplied), a)
		case a.Action == workflows.UpdateSelect:
			add(string(workflows.PhaseSelected), a)
		case a.Action == workflows.UpdateReject:
			add(string(workflows.PhaseRejected), a)
		case a.Action == workflows.UpdateWithdraw:
			add(string(workflows.PhaseWithdrawn), a)
		case a.Action == workflows.UpdateGraduate:
			add(string(workflows.PhaseGraduated), a)
		case strings.HasPrefix(a.Action, "phase:"):
			add(strings.TrimPrefix(a.Action, "phase:"), a)
		}
	}
	return out
}

// V is the program's view, for the shared form templates (an embedded
// unexported field is out of a template's reach).
func (p programPage) V() programView { return p.programView }
