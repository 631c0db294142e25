package web

import (
	"slices"
	"strings"
	"time"

	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/workflows"
)

// planned is one message a program's workflow is due to send: a reminder
// or an escalation of a milestone, and who gets it.
type planned struct {
	workflows.Reminder
	Edition, Project, Name string
	Milestone              store.Milestone
	Zone                   string
	Recipients             []string
}

// stateOf rebuilds, from the read model, the part of a program's workflow
// state that decides its reminders. The extension floor (RemindAfter)
// only holds back reminders of days already past, so the future is the
// same without it.
func stateOf(p store.Program) *workflows.ProgramState {
	st := &workflows.ProgramState{Phase: workflows.Phase(p.Phase), Paused: p.Paused, Mentors: p.Mentors}
	for _, m := range p.Milestones {
		st.Milestones = append(st.Milestones, workflows.MilestoneState{
			MilestoneSpec: edition.MilestoneSpec{ID: m.ID, Title: edition.Text{FR: m.TitleFR, EN: m.TitleEN},
				Due: edition.Date(m.Due), Evidence: m.Evidence, Optional: m.Optional},
			Status: m.Status,
		})
	}
	return st
}

// plannedFor lists the messages p is due to send in (from, until], with
// their recipients as the workflow picks them (mentors, or the city's
// coordinators when nobody mentors the project yet).
func plannedFor(p store.Program, snap *edition.Snapshot, from, until time.Time) []planned {
	if snap == nil {
		return nil
	}
	var out []planned
	for _, r := range workflows.PlannedReminders(stateOf(p), snap, from, until) {
		to := p.Holders
		switch r.To {
		case workflows.ToMentors:
			to = p.Mentors
			if len(to) == 0 {
				to = snap.Coordinators
			}
		case workflows.ToCoordinators:
			to = snap.Coordinators
		}
		pl := planned{Reminder: r, Edition: p.Edition, Project: p.Project, Name: p.Name, Zone: snap.Zone.Name, Recipients: to}
		if i := slices.IndexFunc(p.Milestones, func(m store.Milestone) bool { return m.ID == r.Milestone }); i >= 0 {
			pl.Milestone = p.Milestones[i]
		}
		out = append(out, pl)
	}
	return out
}

// sortPlanned orders messages by instant, then program.
func sortPlanned(ps []planned) {
	slices.SortStableFunc(ps, func(a, b planned) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return strings.Compare(a.Edition+"/"+a.Project, b.Edition+"/"+b.Project)
	})
}
