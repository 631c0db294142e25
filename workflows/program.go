// Package workflows holds Suivi's deterministic workflow code. It runs for
// months, so it follows the rules in DESIGN.md: no I/O, no wall clock, all
// state in one serialisable struct, every change behind workflow.GetVersion.
package workflows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/validate"
)

// QueryState is the query answering the program's current ProgramStatus.
const QueryState = "state"

// Phase is where a program stands in its accompaniment.
type Phase string

// The phases of a program, in the order DESIGN.md gives them.
const (
	PhaseApplied       Phase = "applied"
	PhaseSelected      Phase = "selected"
	PhaseRejected      Phase = "rejected"
	PhaseHackathon     Phase = "hackathon"
	PhaseDemo          Phase = "demo"
	PhaseAccompaniment Phase = "accompaniment"
	PhaseGraduated     Phase = "graduated"
	PhaseWithdrawn     Phase = "withdrawn"
	PhaseDormant       Phase = "dormant"
)

// Phases lists every phase, in the order DESIGN.md gives them.
var Phases = []Phase{PhaseApplied, PhaseSelected, PhaseRejected, PhaseHackathon, PhaseDemo,
	PhaseAccompaniment, PhaseGraduated, PhaseWithdrawn, PhaseDormant}

// Terminal reports whether a program in this phase is over.
func (p Phase) Terminal() bool {
	return p == PhaseRejected || p == PhaseGraduated || p == PhaseWithdrawn
}

// ProgramWorkflowID is the one place a program's workflow ID is built, so
// that a second start of the same program is a duplicate Temporal refuses.
func ProgramWorkflowID(edition, project string) string {
	return "program/" + edition + "/" + project
}

// Program is what a coordinator gives to start a program; the API accepts
// it as the body of POST /api/v1/programs.
type Program struct {
	Edition      string   `json:"edition"`
	Project      string   `json:"project"`
	Name         string   `json:"name"`
	Holders      []string `json:"holders"`
	Repositories []string `json:"repositories"`
	City         string   `json:"city,omitempty"`
	Theme        string   `json:"theme,omitempty"`
	// Summary and LicenceIntent come from the call for projects: what the
	// project is, and the licence its team means to use.
	Summary       string `json:"summary,omitempty"`
	LicenceIntent string `json:"licence_intent,omitempty"`
}

// ProgramInput starts a program. It is also what continue-as-new carries, so
// everything the workflow knows lives here or in State.
type ProgramInput struct {
	Program
	// Snapshot is the edition as it was when the program started: dates,
	// time zone and milestones. Nil only for runs started before editions.
	Snapshot *edition.Snapshot `json:"snapshot,omitempty"`
	// State is nil on the first run and carries progress across
	// continue-as-new.
	State *ProgramState `json:"state,omitempty"`
	// ContinueEvery forces continue-as-new after that many loop turns, so
	// tests exercise it; zero leaves it to Temporal's suggestion.
	ContinueEvery int `json:"continue_every,omitempty"`
}

// ProgramState is the workflow's progress: small, serialisable, and carried
// whole through continue-as-new. Instants are absolute UTC; waits are
// recomputed from workflow.Now after every restart.
type ProgramState struct {
	Phase     Phase     `json:"phase"`
	StartedAt time.Time `json:"started_at"`
	// Seq increases with every change projected to Postgres, so an older
	// write retried late never overwrites a newer one.
	Seq int64 `json:"seq"`

	Paused      bool               `json:"paused,omitempty"`
	Mentors     []string           `json:"mentors,omitempty"`
	Score       *int               `json:"score,omitempty"`
	JuryComment string             `json:"jury_comment,omitempty"`
	Milestones  []MilestoneState   `json:"milestones,omitempty"`
	Attendance  []store.Attendance `json:"attendance,omitempty"`
	// LastActivity is the last step, deliverable or attendance (or the
	// start of accompaniment): 90 days after it the program turns dormant.
	LastActivity time.Time `json:"last_activity,omitzero"`
	// ReminderCursor is the instant up to which reminders have been sent.
	ReminderCursor time.Time `json:"reminder_cursor,omitzero"`
	// Processed remembers recent Update IDs and their results, so a retried
	// request returns its first result even after continue-as-new.
	Processed []ProcessedUpdate `json:"processed,omitempty"`
	// Pending holds audit entries not yet projected.
	Pending []store.AuditEntry `json:"pending,omitempty"`
	// SAPhase and SANextDue are the search attribute values last upserted.
	SAPhase   Phase     `json:"sa_phase,omitempty"`
	SANextDue time.Time `json:"sa_next_due,omitzero"`
}

// MilestoneState is one milestone of the program: the edition's spec, and
// how far the project got.
type MilestoneState struct {
	edition.MilestoneSpec
	// RemindAfter is a floor for this step's reminders: an extension
	// must not send at once the reminders of days already past.
	RemindAfter time.Time `json:"remind_after,omitzero"`
	Status      string    `json:"status"`
	EvidenceURL string    `json:"evidence_url,omitempty"`
	Note        string    `json:"note,omitempty"`
	ClosedAt    time.Time `json:"closed_at,omitzero"`
}

// Milestone statuses.
const (
	StatusOpen      = "open"
	StatusSubmitted = "submitted"
	StatusCompleted = "completed"
	StatusWaived    = "waived"
)

// ProcessedUpdate is one handled Update and the result it returned.
type ProcessedUpdate struct {
	ID     string       `json:"id"`
	Action string       `json:"action"`
	Result ActionResult `json:"result"`
}

// ProgramStatus answers QueryState: the live state of the program.
type ProgramStatus struct {
	Edition      string             `json:"edition"`
	Project      string             `json:"project"`
	Phase        Phase              `json:"phase"`
	StartedAt    time.Time          `json:"started_at"`
	Paused       bool               `json:"paused,omitempty"`
	Mentors      []string           `json:"mentors,omitempty"`
	Score        *int               `json:"score,omitempty"`
	JuryComment  string             `json:"jury_comment,omitempty"`
	Milestones   []MilestoneState   `json:"milestones,omitempty"`
	Attendance   []store.Attendance `json:"attendance,omitempty"`
	NextReminder *Reminder          `json:"next_reminder,omitempty"`
}

// Normalize checks the program and puts it in canonical form (trimmed text,
// canonical repository URLs). It returns every problem at once.
func (in *Program) Normalize() error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	add(validate.Slug("edition", in.Edition))
	add(validate.Slug("project", in.Project))
	var err error
	in.Name, err = validate.Text("name", in.Name, true, 120)
	add(err)
	in.City, err = validate.Text("city", in.City, false, 64)
	add(err)
	in.Summary, err = validate.Note("summary", in.Summary, MaxSummaryLen)
	add(err)
	in.LicenceIntent, err = validate.Text("licence intention", in.LicenceIntent, false, 64)
	add(err)
	if in.Theme != "" {
		add(validate.Slug("theme", in.Theme))
	}
	switch {
	case len(in.Holders) == 0:
		add(errors.New("at least one holder email is required (--holder-email)"))
	case len(in.Holders) > MaxHolders:
		// Checked before each address, so a list of thousands costs
		// nothing and yields one line.
		add(fmt.Errorf("%d holders: a program has at most %d", len(in.Holders), MaxHolders))
	default:
		for i, h := range in.Holders {
			in.Holders[i], err = validate.Email(h)
			add(err)
		}
		// A@x and a@x are one person: keep the first spelling.
		in.Holders = dedupe(in.Holders, strings.ToLower)
	}
	switch {
	case len(in.Repositories) == 0:
		add(errors.New("at least one GitHub repository is required (--repo https://github.com/OWNER/REPO)"))
	case len(in.Repositories) > MaxRepositories:
		add(fmt.Errorf("%d repositories: a program has at most %d", len(in.Repositories), MaxRepositories))
	default:
		for i, r := range in.Repositories {
			in.Repositories[i], err = validate.GitHubRepo(r)
			add(err)
		}
		// o/r, https://github.com/O/R and git@github.com:o/r.git are one
		// repository: GitHub's names ignore case.
		in.Repositories = dedupe(in.Repositories, strings.ToLower)
	}
	return errors.Join(errs...)
}

// dedupe keeps the first of the values that have the same key, in order.
func dedupe(vs []string, key func(string) string) []string {
	seen := make(map[string]bool, len(vs))
	out := vs[:0]
	for _, v := range vs {
		if k := key(v); v == "" || !seen[k] {
			seen[k] = true
			out = append(out, v)
		}
	}
	return out
}
