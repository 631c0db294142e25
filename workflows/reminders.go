package workflows

import (
	"fmt"
	"time"

	"github.com/codecitoyen/suivi/activities"
	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/store"
)

// Reminder is one message the program owes someone at an instant.
type Reminder struct {
	At        time.Time    `json:"at"`
	Kind      string       `json:"kind"`
	Milestone string       `json:"milestone"`
	Due       edition.Date `json:"due"`
	// To says who receives it: holders, mentors or coordinators.
	To string `json:"to"`
}

// Who a reminder goes to.
const (
	ToHolders      = "holders"
	ToMentors      = "mentors"
	ToCoordinators = "coordinators"
)

// ReminderHour is the local hour, in the program's city, at which reminders go out.
const ReminderHour = 9

// Dormancy is how long a program in accompaniment may go without any step,
// deliverable or attendance before it turns dormant.
const Dormancy = 90 * 24 * time.Hour

// reminderSteps lists, for a milestone due on day D, the day offsets and
// kinds of its reminders before the weekly overdue ones.
var reminderSteps = []struct {
	days int
	kind string
	to   string
}{
	{-7, "due-in-7-days", ToHolders},
	{-1, "due-tomorrow", ToHolders},
	{0, "due-today", ToHolders},
}

// milestoneReminders returns, in order, every reminder of one open
// milestone strictly after `after` and at or before `until`; limit caps how
// many (0: no cap). Overdue reminders are weekly; escalations come 14 days
// (mentors) and 28 days (coordinators) after the due date. Optional
// milestones get no overdue reminders nor escalations.
func milestoneReminders(m MilestoneState, z edition.Zone, after, until time.Time, limit int) []Reminder {
	if m.RemindAfter.After(after) {
		after = m.RemindAfter
	}
	var out []Reminder
	add := func(days int, kind, to string) bool {
		at := z.At(m.Due.AddDays(days), ReminderHour, 0)
		if at.After(until) {
			return false
		}
		if at.After(after) {
			out = append(out, Reminder{At: at, Kind: kind, Milestone: m.ID, Due: m.Due, To: to})
		}
		return limit == 0 || len(out) < limit
	}
	for _, s := range reminderSteps {
		if !add(s.days, s.kind, s.to) {
			return out
		}
	}
	if m.Optional {
		return out
	}
	for week := 1; ; week++ {
		days := 7 * week
		if !add(days, fmt.Sprintf("overdue-week-%d", week), ToHolders) {
			return out
		}
		switch days {
		case activities.EscalateMentorsAfter:
			if !add(days, "escalate-mentors", ToMentors) {
				return out
			}
		case activities.EscalateCoordinatorsAfter:
			if !add(days, "escalate-coordinators", ToCoordinators) {
				return out
			}
		}
	}
}

// remindersActive reports whether the program sends milestone reminders now.
func (st *ProgramState) remindersActive() bool {
	if st.Paused {
		return false
	}
	switch st.Phase {
	case PhaseSelected, PhaseHackathon, PhaseDemo, PhaseAccompaniment:
		return true
	}
	return false
}

// dueReminders returns every reminder in (after, now], milestone by
// milestone in the edition's order.
func (st *ProgramState) dueReminders(snap *edition.Snapshot, after, now time.Time) []Reminder {
	if !st.remindersActive() {
		return nil
	}
	until := minTime(now, snap.AccompanimentEnd)
	var out []Reminder
	for _, m := range st.Milestones {
		if m.Status == StatusOpen {
			out = append(out, milestoneReminders(m, snap.Zone, after, until, 0)...)
		}
	}
	return out
}

// nextReminder returns the first reminder after `after`, if any.
func (st *ProgramState) nextReminder(snap *edition.Snapshot, after time.Time) (Reminder, bool) {
	if !st.remindersActive() {
		return Reminder{}, false
	}
	var best Reminder
	found := false
	for _, m := range st.Milestones {
		if m.Status != StatusOpen {
			continue
		}
		if r := milestoneReminders(m, snap.Zone, after, snap.AccompanimentEnd, 1); len(r) == 1 && (!found || r[0].At.Before(best.At)) {
			best, found = r[0], true
		}
	}
	return best, found
}

// nextDue is the earliest due date among open milestones, at the reminder
// hour, for the SuiviNextDue search attribute; zero when none is open.
func (st *ProgramState) nextDue(z edition.Zone) time.Time {
	var best time.Time
	for _, m := range st.Milestones {
		if m.Status != StatusOpen {
			continue
		}
		if at := z.At(m.Due, ReminderHour, 0); best.IsZero() || at.Before(best) {
			best = at
		}
	}
	return best
}

// messages turns reminders into outbox messages, one per recipient, keyed
// by (program, kind, milestone, due date, recipient).
func messages(in *ProgramInput, st *ProgramState, snap *edition.Snapshot, rs []Reminder) []store.Message {
	var out []store.Message
	for _, r := range rs {
		to := in.Holders
		switch r.To {
		case ToMentors:
			to = st.Mentors
			if len(to) == 0 {
				// Nobody mentors the project yet: its coordinators must know.
				to = snap.Coordinators
			}
		case ToCoordinators:
			to = snap.Coordinators
		}
		for _, addr := range to {
			out = append(out, message(in, r.Kind, r.Milestone, r.Due, addr, map[string]string{"at": r.At.Format(time.RFC3339)}))
		}
	}
	return out
}

// message builds one outbox message with its business idempotency key.
func message(in *ProgramInput, kind, milestone string, due edition.Date, to string, payload map[string]string) store.Message {
	return store.Message{
		Key:       fmt.Sprintf("%s/%s|%s|%s|%s|%s", in.Edition, in.Project, kind, milestone, due, to),
		Edition:   in.Edition,
		Project:   in.Project,
		Kind:      kind,
		Milestone: milestone,
		Due:       string(due),
		Recipient: to,
		Payload:   payload,
	}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
