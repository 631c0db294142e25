package workflows

import (
	"time"

	"github.com/codecitoyen/suivi/internal/edition"
)

// PlannedReminders returns, in the order the workflow would send them, the
// reminders and escalations a program in state st owes in (after, until]:
// the same rule the running workflow follows (09:00 city time on due−7,
// due−1 and due, then weekly while overdue, mentors at +14, coordinators at
// +28; none for optional steps once overdue, none while paused or dormant,
// none past the accompaniment's end). It is pure and changes nothing, so
// pages can say what is about to go out without asking each workflow.
func PlannedReminders(st *ProgramState, snap *edition.Snapshot, after, until time.Time) []Reminder {
	if st == nil || snap == nil {
		return nil
	}
	return st.dueReminders(snap, after, until)
}
