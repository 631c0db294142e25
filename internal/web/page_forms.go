package web

import (
	"time"

	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/workflows"
)

// actionSet says which forms a viewer gets on a program, by Update name
// (and "public" for the board opt-in). Each is decided by auth.Can first,
// then narrowed to what the program's phase allows, so a page offers no
// button that can only fail; the workflow's validator still has the last
// word.
type actionSet map[string]bool

// Any reports whether at least one form is offered.
func (s actionSet) Any() bool {
	for _, ok := range s {
		if ok {
			return true
		}
	}
	return false
}

// Coordination reports whether a program-wide form (not a step's, not a
// score, not attendance) is offered: the coordinators' panel.
func (s actionSet) Coordination() bool {
	for _, a := range []string{workflows.UpdateSelect, workflows.UpdateReject, workflows.UpdateAssignMentor,
		workflows.UpdateRemoveMentor, workflows.UpdatePause, workflows.UpdateResume, workflows.UpdateWithdraw,
		workflows.UpdateGraduate, workflows.UpdateAddHolder, workflows.UpdateRemoveHolder} {
		if s[a] {
			return true
		}
	}
	return false
}

func actionsFor(who *auth.Person, ap *auth.Program, p store.Program) actionSet {
	can := func(a auth.Action) bool { return auth.Can(who, a, ap) }
	phase := workflows.Phase(p.Phase)
	over := phase.Terminal()
	started := phase != workflows.PhaseApplied && !over
	return actionSet{
		workflows.UpdateSelect:       phase == workflows.PhaseApplied && can(auth.Select),
		workflows.UpdateReject:       phase == workflows.PhaseApplied && can(auth.Reject),
		workflows.UpdateSubmit:       started && can(auth.Submit),
		workflows.UpdateComplete:     started && can(auth.Complete),
		workflows.UpdateWaive:        started && can(auth.Waive),
		workflows.UpdateExtend:       started && can(auth.Extend),
		workflows.UpdateScore:        started && phase != workflows.PhaseSelected && can(auth.Score),
		workflows.UpdateAssignMentor: !over && can(auth.AssignMentor),
		workflows.UpdateRemoveMentor: !over && len(p.Mentors) > 0 && can(auth.RemoveMentor),
		workflows.UpdatePause:        started && !p.Paused && can(auth.Pause),
		workflows.UpdateResume:       !over && p.Paused && can(auth.Resume),
		workflows.UpdateWithdraw:     !over && can(auth.Withdraw),
		workflows.UpdateGraduate:     (phase == workflows.PhaseAccompaniment || phase == workflows.PhaseDormant) && can(auth.Graduate),
		workflows.UpdateAttend:       started && can(auth.Attend),
		workflows.UpdateAddHolder:    !over && len(p.Holders) < workflows.MaxHolders && can(auth.AddHolder),
		workflows.UpdateRemoveHolder: !over && len(p.Holders) > 1 && can(auth.RemoveHolder),
		"public":                     can(auth.SetPublic),
	}
}

// programView is a program as a page shows it with its forms.
type programView struct {
	store.Program
	ThemeTitle string
	Can        actionSet
	// Back is where the forms return to.
	Back string
	// Open lists the steps still open or submitted; Overdue those of them
	// past their due date.
	Open, Overdue []store.Milestone
	// Months are the meetups whose attendance may be recorded and is not
	// yet; Today and LastDue bound a new due date.
	Months         []string
	Today, LastDue string
	Undelivered    int
	Spark          *spark
}

// newProgramView builds the view of p (with its milestones) for who.
func newProgramView(who *auth.Person, ap *auth.Program, p store.Program, snap *edition.Snapshot, now time.Time, back string) programView {
	v := programView{Program: p, Can: actionsFor(who, ap, p), Back: back}
	today := edition.DateOf(now.UTC())
	if snap != nil {
		today = snap.Zone.DateOf(now)
		v.LastDue = string(snap.Zone.DateOf(snap.AccompanimentEnd))
		v.Months = meetupMonths(snap, today, p.Attendance)
	}
	v.Today = string(today)
	for _, m := range p.Milestones {
		if m.Status != workflows.StatusOpen && m.Status != workflows.StatusSubmitted {
			continue
		}
		v.Open = append(v.Open, m)
		if m.Due < string(today) {
			v.Overdue = append(v.Overdue, m)
		}
	}
	if len(v.Months) == 0 {
		v.Can[workflows.UpdateAttend] = false
	}
	return v
}

// meetupMonths are the months, newest first, whose meetup may be recorded:
// from the hackathon's to this one (never the future, never past the
// accompaniment), minus those already recorded. The workflow checks the
// same bounds.
func meetupMonths(snap *edition.Snapshot, today edition.Date, done []store.Attendance) []string {
	first := string(snap.Zone.DateOf(snap.HackathonStart))[:7]
	last := min(string(snap.Zone.DateOf(snap.AccompanimentEnd))[:7], string(today)[:7])
	recorded := map[string]bool{}
	for _, a := range done {
		recorded[a.Meetup] = true
	}
	var out []string
	t := edition.Date(last + "-01").Time()
	for i := 0; i < workflows.MaxAttendance && !t.IsZero(); i++ {
		m := t.Format("2006-01")
		if m < first {
			break
		}
		if !recorded[m] {
			out = append(out, m)
		}
		t = t.AddDate(0, -1, 0)
	}
	return out
}
