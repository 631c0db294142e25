// Package report builds the progress reports funders and coordinators read:
// the figures of a month, computed only from what Suivi knew at that month's
// end (so a report for a past month always comes out the same), and the
// files made from them: an HTML page, a PDF, a CSV and an email.
package report

import (
	"fmt"
	"time"
	// Months begin in Paris whatever the machine has installed.
	_ "time/tzdata"
)

// Report is every figure of one report. It is stored as JSON once built,
// and every format is rendered from it alone.
type Report struct {
	// Kind is "funder" or "edition"; Subject the funder's slug or the
	// edition's id; Title what people call it (the funder's name).
	Kind    string `json:"kind"`
	Subject string `json:"subject"`
	Title   string `json:"title"`
	// City narrows an edition report to one city ("" for all).
	City string `json:"city,omitempty"`
	Lang string `json:"lang"`
	// Month is "YYYY-MM"; From and To bound it in Europe/Paris, To
	// excluded. Only facts known before To count.
	Month string    `json:"month"`
	From  time.Time `json:"from"`
	To    time.Time `json:"to"`

	Summary  Summary   `json:"summary"`
	Programs []Program `json:"programs"`
}

// Summary is the first page: the whole set of programs at a glance.
type Summary struct {
	Programs int `json:"programs"`
	// Phases counts programs by phase at the month's start and end, in
	// the order of the lifecycle, only phases that occur.
	Phases []PhaseCount `json:"phases"`
	// Milestones due by the month's end: done by their due date, done
	// after it, and still open past it. DoneThisMonth were closed in the
	// month.
	OnTime        int `json:"on_time"`
	Late          int `json:"late"`
	Overdue       int `json:"overdue"`
	DoneThisMonth int `json:"done_this_month"`
	// Repositories, and how many were under an open licence at the end.
	Repos     int `json:"repos"`
	OpenRepos int `json:"open_repos"`
	// Meetups held in the month (one per city of a program in
	// accompaniment), and how many of the programs expected attended.
	Meetups  int     `json:"meetups"`
	Expected int     `json:"expected"`
	Attended int     `json:"attended"`
	Quiet    []Quiet `json:"quiet"`
	Commits  int     `json:"commits"` // in the month, every program
	Weeks    []Week  `json:"weeks"`   // commits per week, every program
}

// PhaseCount is how many programs stood in a phase.
type PhaseCount struct {
	Phase string `json:"phase"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

// Quiet is a program with no commit, step or attendance for QuietAfter.
type Quiet struct {
	Edition string `json:"edition"`
	Project string `json:"project"`
	Name    string `json:"name"`
	// Days since its last activity, at the month's end; Never when it
	// had none at all since it started.
	Days  int  `json:"days"`
	Never bool `json:"never,omitempty"`
}

// QuietAfter is how long without activity makes a program "gone quiet".
const QuietAfter = 30 * 24 * time.Hour

// Program is one program's section.
type Program struct {
	Edition string `json:"edition"`
	Project string `json:"project"`
	Name    string `json:"name"`
	City    string `json:"city,omitempty"`
	Theme   string `json:"theme,omitempty"`
	// Phase at the month's end (and at its start: "" when the program
	// started during the month), and every change up to then.
	Phase      string `json:"phase"`
	PhaseStart string `json:"phase_start"`
	// Paused at the month's end: reminders stopped by a coordinator.
	Paused     bool          `json:"paused,omitempty"`
	Started    time.Time     `json:"started"`
	Phases     []PhaseChange `json:"phases"`
	Milestones []Milestone   `json:"milestones"`
	Repos      []Repo        `json:"repos"`
	Health     Health        `json:"health"`
	// Attended lists the meetups ("YYYY-MM") attended by the month's end.
	Attended []string `json:"attended"`
	// Note is the latest note a mentor left (on a step or an
	// attendance) by the month's end.
	Note   string    `json:"note,omitempty"`
	NoteAt time.Time `json:"note_at,omitzero"`
	NoteBy string    `json:"note_by,omitempty"`
}

// PhaseChange is when a program entered a phase.
type PhaseChange struct {
	Phase string    `json:"phase"`
	Since time.Time `json:"since"`
}

// Milestone is one step as it stood at the month's end.
type Milestone struct {
	ID       string `json:"id"`
	Title    string `json:"title"` // in the report's language
	Due      string `json:"due"`   // YYYY-MM-DD
	Optional bool   `json:"optional,omitempty"`
	// Status at the month's end: open, submitted, completed, waived.
	Status   string    `json:"status"`
	ClosedAt time.Time `json:"closed_at,omitzero"`
	// State sums it up: on_time, late, overdue, waived, open (not yet due).
	State    string `json:"state"`
	Evidence string `json:"evidence,omitempty"` // the deliverable's link
}

// Repo is one repository at the month's end.
type Repo struct {
	URL         string `json:"url"`
	RenamedFrom string `json:"renamed_from,omitempty"`
	Licence     string `json:"licence,omitempty"` // SPDX expression, "" unknown
	// Open is nil when the licence was not checked by the month's end.
	Open *bool `json:"open,omitempty"`
}

// Health follows the CHAOSS metrics (https://chaoss.community/kb-metrics-and-metrics-models/),
// over the program's repositories, as of the month's end.
type Health struct {
	// Weeks is commits per week (CHAOSS "Code Changes Commits"), Monday
	// to Monday, from the program's start (at most the last MaxWeeks).
	Weeks []Week `json:"weeks"`
	// Commits over the program's life and in the month.
	Commits      int `json:"commits"`
	MonthCommits int `json:"month_commits"`
	// Active contributors: authors of a commit in the last 90 days
	// (CHAOSS "Active Contributors"... "Contributors" filtered by recency).
	Active int `json:"active"`
	// Team is who committed by the end of the hackathon weekend: the
	// hackathon team as the repositories know it.
	Team int `json:"team"`
	// New contributors from outside the hackathon team: first commit
	// after the hackathon (CHAOSS "New Contributors").
	Newcomers int `json:"newcomers"`
	// Inactive contributors: team members whose last commit is older
	// than InactiveAfter (CHAOSS "Inactive Contributors").
	Inactive int `json:"inactive"`
	// ClosureRatio is change requests closed / opened in the last 90
	// days (CHAOSS "Change Request Closure Ratio"); -1 when none opened.
	ClosureRatio float64 `json:"closure_ratio"`
	// FirstResponseHours is the median time to first response to issues
	// and change requests opened in the last 90 days (CHAOSS "Time to
	// First Response"); -1 when none was answered.
	FirstResponseHours float64 `json:"first_response_hours"`
	// Releases in the last 365 days (CHAOSS "Release Frequency").
	Releases int `json:"releases"`
	// AbsenceFactor is the fewest authors who made half the commits of
	// the last 90 days (CHAOSS "Contributor Absence Factor"); 0 without
	// commits.
	AbsenceFactor int `json:"absence_factor"`
	// LastCommit is the newest commit known by the month's end.
	LastCommit time.Time `json:"last_commit,omitzero"`
}

// Week is the commits of one week, starting on Monday (a date).
type Week struct {
	Start   string `json:"start"`
	Commits int    `json:"commits"`
}

// Windows of the health metrics.
const (
	RecentWindow  = 90 * 24 * time.Hour
	ReleaseWindow = 365 * 24 * time.Hour
	InactiveAfter = 60 * 24 * time.Hour
	// MaxWeeks bounds the commits chart: two years of weeks.
	MaxWeeks = 104
)

// Paris is where the accelerator works: months begin and end there.
var Paris = mustZone("Europe/Paris")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(fmt.Sprintf("time zone %s: %v (import time/tzdata)", name, err))
	}
	return loc
}

// ParseMonth reads "YYYY-MM" and returns the month's bounds in Paris.
func ParseMonth(s string) (from, to time.Time, err error) {
	t, err := time.ParseInLocation("2006-01", s, Paris)
	if err != nil || t.Format("2006-01") != s {
		return time.Time{}, time.Time{}, fmt.Errorf("month %q: write it YYYY-MM, as in 2027-03", trim(s))
	}
	if t.Year() < 2000 || t.Year() > 2100 {
		return time.Time{}, time.Time{}, fmt.Errorf("month %s: the year must be between 2000 and 2100", s)
	}
	return t, t.AddDate(0, 1, 0), nil
}

// PreviousMonth is the last complete month before t, in Paris.
func PreviousMonth(t time.Time) string {
	p := t.In(Paris)
	return time.Date(p.Year(), p.Month(), 1, 0, 0, 0, 0, Paris).AddDate(0, -1, 0).Format("2006-01")
}

func trim(s string) string {
	if len(s) > 20 {
		return s[:20] + "…"
	}
	return s
}
