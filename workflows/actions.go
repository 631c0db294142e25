package workflows

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/validate"
)

// Update names: the human steps of a program. Each is a Temporal Update with
// a validator, so an invalid one is rejected without touching history.
const (
	UpdateSelect       = "select"
	UpdateReject       = "reject"
	UpdateSubmit       = "submit"
	UpdateComplete     = "complete"
	UpdateWaive        = "waive"
	UpdateScore        = "score"
	UpdateAssignMentor = "assign-mentor"
	UpdateRemoveMentor = "remove-mentor"
	UpdateExtend       = "extend"
	UpdatePause        = "pause"
	UpdateResume       = "resume"
	UpdateWithdraw     = "withdraw"
	UpdateGraduate     = "graduate"
	UpdateAttend       = "attend"
	UpdateAddHolder    = "add-holder"
	UpdateRemoveHolder = "remove-holder"
)

// Actions lists every update name, in the order help text shows them.
var Actions = []string{
	UpdateSelect, UpdateReject, UpdateSubmit, UpdateComplete, UpdateWaive, UpdateScore,
	UpdateAssignMentor, UpdateRemoveMentor, UpdateExtend, UpdatePause, UpdateResume,
	UpdateWithdraw, UpdateGraduate, UpdateAttend, UpdateAddHolder, UpdateRemoveHolder,
}

// Error types carried by rejected updates, so the API can answer 400, 404
// or 409 without parsing messages.
const (
	ErrInvalid  = "Invalid"
	ErrNotFound = "NotFound"
	ErrConflict = "Conflict"
)

// MaxScore is the top of the jury's scale (French style, out of 20).
const MaxScore = 20

// ActionRequest is the argument of every update; each action reads the
// fields it needs.
type ActionRequest struct {
	Actor     string       `json:"actor"`
	Note      string       `json:"note,omitempty"`
	Milestone string       `json:"milestone,omitempty"`
	URL       string       `json:"url,omitempty"`
	Due       edition.Date `json:"due,omitempty"`
	Score     *int         `json:"score,omitempty"`
	Comment   string       `json:"comment,omitempty"`
	Mentor    string       `json:"mentor,omitempty"`
	Meetup    string       `json:"meetup,omitempty"`
	// Holder is the project holder added or removed.
	Holder string `json:"holder,omitempty"`
	// OnBehalfOf names who a coordinator records a step for; the audit
	// log keeps both names.
	OnBehalfOf string `json:"on_behalf_of,omitempty"`
}

// ActionResult is what an update returns.
type ActionResult struct {
	// Action is the Update that produced this result, so a caller reusing
	// an Update ID for another action can be told (Temporal answers a
	// known ID with its first outcome, whatever the name).
	Action    string          `json:"action,omitempty"`
	Phase     Phase           `json:"phase"`
	Paused    bool            `json:"paused,omitempty"`
	Milestone *MilestoneState `json:"milestone,omitempty"`
	Message   string          `json:"message"`
}

func invalid(format string, args ...any) error {
	return temporal.NewApplicationError(fmt.Sprintf(format, args...), ErrInvalid)
}

func conflict(format string, args ...any) error {
	return temporal.NewApplicationError(fmt.Sprintf(format, args...), ErrConflict)
}

func notFound(format string, args ...any) error {
	return temporal.NewApplicationError(fmt.Sprintf(format, args...), ErrNotFound)
}

var meetupRE = regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])$`)

// started reports whether the program was selected and is not over: the
// phases in which work counts.
func (st *ProgramState) started() bool {
	return st.Phase != PhaseApplied && !st.Phase.Terminal()
}

func (st *ProgramState) milestone(id string) (*MilestoneState, error) {
	for i := range st.Milestones {
		if st.Milestones[i].ID == id {
			return &st.Milestones[i], nil
		}
	}
	ids := make([]string, len(st.Milestones))
	for i, m := range st.Milestones {
		ids[i] = m.ID
	}
	return nil, notFound("no step %q in this program; its steps are %s", id, strings.Join(ids, ", "))
}

func openMilestone(st *ProgramState, id string) (*MilestoneState, error) {
	if id == "" {
		return nil, invalid("name the step")
	}
	m, err := st.milestone(id)
	if err != nil {
		return nil, err
	}
	if m.Status == StatusCompleted || m.Status == StatusWaived {
		return nil, conflict("step %s is already %s", id, m.Status)
	}
	return m, nil
}

func requireStarted(st *ProgramState, action string) error {
	if st.Phase == PhaseApplied {
		return conflict("the program is not selected yet; %s is possible from selection on", action)
	}
	return requireNotOver(st)
}

// requireNotOver refuses anything once a program is rejected, withdrawn or
// graduated.
func requireNotOver(st *ProgramState) error {
	if st.Phase.Terminal() {
		return conflict("the program is %s; nothing more can be done", st.Phase)
	}
	return nil
}

// check validates an action against the state; today is the local date in
// the program's city. It never changes anything.
func check(action string, in *Program, st *ProgramState, snap *edition.Snapshot, req ActionRequest, today edition.Date) error {
	if err := CheckRequest(action, req); err != nil {
		return err
	}
	// Changes waiting for Postgres stay in the state: refuse more rather
	// than let them pile up while the projection retries.
	if len(st.Pending) >= MaxPendingAudit {
		return temporal.NewApplicationError("the program has changes still waiting to be recorded in Postgres; try again in a few seconds", ErrBusy)
	}
	switch action {
	case UpdateSelect, UpdateReject:
		if st.Phase != PhaseApplied {
			return conflict("the program is already %s; only applied programs can be selected or rejected", st.Phase)
		}
	case UpdateSubmit:
		if err := requireStarted(st, "submitting"); err != nil {
			return err
		}
		m, err := openMilestone(st, req.Milestone)
		if err != nil {
			return err
		}
		if m.Evidence == "none" {
			return invalid("step %s needs no deliverable; complete it instead", m.ID)
		}
		if _, err := deliverableURL(m.Evidence, req.URL); err != nil {
			return err
		}
	case UpdateComplete:
		if err := requireStarted(st, "completing a step"); err != nil {
			return err
		}
		if _, err := openMilestone(st, req.Milestone); err != nil {
			return err
		}
	case UpdateWaive:
		if err := requireStarted(st, "waiving a step"); err != nil {
			return err
		}
		if _, err := openMilestone(st, req.Milestone); err != nil {
			return err
		}
		if strings.TrimSpace(req.Note) == "" {
			return invalid("say why the step is waived (note)")
		}
	case UpdateScore:
		if err := requireStarted(st, "scoring"); err != nil {
			return err
		}
		if st.Phase == PhaseSelected {
			return conflict("the jury scores the demo; the hackathon has not started")
		}
		if req.Score == nil || *req.Score < 0 || *req.Score > MaxScore {
			return invalid("the jury's score is a whole number from 0 to %d", MaxScore)
		}
	case UpdateAssignMentor, UpdateRemoveMentor:
		if err := requireNotOver(st); err != nil {
			return err
		}
		addr, err := validate.Email(req.Mentor)
		if err != nil {
			return invalid("mentor: %v", err)
		}
		// Addresses differ in case only in how people type them.
		has := slices.ContainsFunc(st.Mentors, func(m string) bool { return strings.EqualFold(m, addr) })
		if action == UpdateAssignMentor && has {
			return conflict("%s already mentors this program", addr)
		}
		if action == UpdateAssignMentor && len(st.Mentors) >= MaxMentors {
			return conflict("the program already has %d mentors, the most it can have; remove one first", MaxMentors)
		}
		if action == UpdateRemoveMentor && !has {
			return notFound("%s does not mentor this program", addr)
		}
	case UpdateAddHolder, UpdateRemoveHolder:
		if err := requireNotOver(st); err != nil {
			return err
		}
		addr, err := validate.Email(req.Holder)
		if err != nil {
			return invalid("holder: %v", err)
		}
		has := slices.ContainsFunc(in.Holders, func(h string) bool { return strings.EqualFold(h, addr) })
		switch {
		case action == UpdateAddHolder && has:
			return conflict("%s already holds this project", addr)
		case action == UpdateAddHolder && len(in.Holders) >= MaxHolders:
			return conflict("the project already has %d holders, the most it can have", MaxHolders)
		case action == UpdateRemoveHolder && !has:
			return notFound("%s does not hold this project", addr)
		case action == UpdateRemoveHolder && len(in.Holders) == 1:
			return conflict("%s is the project's only holder; add another before removing them", addr)
		}
	case UpdateExtend:
		if err := requireStarted(st, "extending a step"); err != nil {
			return err
		}
		m, err := openMilestone(st, req.Milestone)
		if err != nil {
			return err
		}
		if _, err := edition.ParseDate(string(req.Due)); err != nil {
			return invalid("new due date %q: write it as YYYY-MM-DD", req.Due)
		}
		if req.Due < today {
			return invalid("new due date %s is in the past (today is %s)", req.Due, today)
		}
		if end := snap.Zone.DateOf(snap.AccompanimentEnd); req.Due > end {
			return invalid("new due date %s is after the accompaniment ends on %s; choose that day or an earlier one", req.Due, end)
		}
		if req.Due == m.Due {
			return conflict("step %s is already due on %s", m.ID, m.Due)
		}
	case UpdatePause:
		if err := requireStarted(st, "pausing"); err != nil {
			return err
		}
		if st.Paused {
			return conflict("the program is already paused")
		}
	case UpdateResume:
		if err := requireNotOver(st); err != nil {
			return err
		}
		if !st.Paused {
			return conflict("the program is not paused")
		}
	case UpdateWithdraw:
		if st.Phase.Terminal() {
			return conflict("the program is already %s", st.Phase)
		}
	case UpdateGraduate:
		if st.Phase != PhaseAccompaniment && st.Phase != PhaseDormant {
			return conflict("only a program in accompaniment can graduate; this one is %s", st.Phase)
		}
	case UpdateAttend:
		if err := requireStarted(st, "recording attendance"); err != nil {
			return err
		}
		if !meetupRE.MatchString(req.Meetup) {
			return invalid("meetup %s: name it by its month, YYYY-MM", validate.Quote(req.Meetup))
		}
		first, last := string(snap.Zone.DateOf(snap.HackathonStart))[:7], string(snap.Zone.DateOf(snap.AccompanimentEnd))[:7]
		if req.Meetup < first || req.Meetup > last {
			return invalid("meetup %s is outside edition %s, whose meetups run from %s to %s", req.Meetup, snap.Edition, first, last)
		}
		if month := string(today)[:7]; req.Meetup > month {
			return invalid("the %s meetup has not happened yet (this month is %s)", req.Meetup, month)
		}
		if len(st.Attendance) >= MaxAttendance {
			return conflict("the program already has %d meetups recorded, the most it keeps", MaxAttendance)
		}
		for _, a := range st.Attendance {
			if a.Meetup == req.Meetup {
				return conflict("attendance at the %s meetup is already recorded", req.Meetup)
			}
		}
	default:
		return invalid("unknown action %q", action)
	}
	return nil
}

// deliverableURL checks a deliverable's address for its evidence kind.
func deliverableURL(kind, raw string) (string, error) {
	if kind == "repository" {
		u, err := validate.GitHubRepo(raw)
		if err != nil {
			return "", invalid("%v", err)
		}
		return u, nil
	}
	if len(raw) > MaxURLLen {
		return "", invalid("url is %d bytes long; the limit is %d", len(raw), MaxURLLen)
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", invalid("deliverable %s is not an http(s) URL", validate.Quote(raw))
	}
	if u.User != nil {
		// A link shown to mentors and funders must not carry a password,
		// nor dress one host as another (https://trusted.org@evil.example).
		return "", invalid("deliverable %s carries a user name or password; give the address without them", validate.Quote(u.Redacted()))
	}
	return u.String(), nil
}

// apply performs a checked action at now and returns its result and the
// audit detail. Any action wakes a dormant program; steps, deliverables and
// attendance count as activity.
func apply(action string, in *Program, st *ProgramState, req ActionRequest, now time.Time) (ActionResult, map[string]string) {
	detail := map[string]string{}
	if req.Note != "" {
		detail["note"] = req.Note
	}
	if req.OnBehalfOf != "" {
		detail["on_behalf_of"] = req.OnBehalfOf
	}
	res := ActionResult{}
	if st.Phase == PhaseDormant && action != UpdateWithdraw && action != UpdateGraduate {
		st.Phase = PhaseAccompaniment
		st.LastActivity = now
		// Reminders that fell due while dormant are not sent late.
		st.ReminderCursor = now
		detail["woke"] = "true"
	}
	switch action {
	case UpdateSelect:
		st.Phase = PhaseSelected
		// Reminders start from selection; none for days already past.
		st.ReminderCursor = now
		res.Message = "program selected"
	case UpdateReject:
		st.Phase = PhaseRejected
		res.Message = "program rejected"
	case UpdateSubmit:
		m, _ := st.milestone(req.Milestone)
		previous := m.EvidenceURL
		m.EvidenceURL, _ = deliverableURL(m.Evidence, req.URL)
		m.Status = StatusSubmitted
		if req.Note != "" {
			m.Note = req.Note
		}
		st.LastActivity = now
		detail["milestone"], detail["url"] = m.ID, m.EvidenceURL
		res.Milestone, res.Message = copyMilestone(m), "deliverable submitted for "+m.ID
		if previous != "" {
			// A new link replaces the old one on the step; the audit log
			// keeps every submission, each with the one it replaced.
			detail["replaced"] = previous
			res.Message = "deliverable for " + m.ID + " replaced; the previous one is kept in the audit log"
		}
	case UpdateComplete, UpdateWaive:
		m, _ := st.milestone(req.Milestone)
		m.Status = StatusCompleted
		if action == UpdateWaive {
			m.Status = StatusWaived
		}
		m.Note, m.ClosedAt = req.Note, now
		st.LastActivity = now
		detail["milestone"] = m.ID
		res.Milestone, res.Message = copyMilestone(m), "step "+m.ID+" "+m.Status
	case UpdateScore:
		s := *req.Score
		st.Score, st.JuryComment = &s, req.Comment
		detail["score"] = fmt.Sprint(s)
		res.Message = fmt.Sprintf("jury score %d/%d recorded", s, MaxScore)
	case UpdateAssignMentor:
		addr, _ := validate.Email(req.Mentor)
		st.Mentors = append(st.Mentors, addr)
		detail["mentor"] = addr
		res.Message = addr + " now mentors the program"
	case UpdateRemoveMentor:
		addr, _ := validate.Email(req.Mentor)
		st.Mentors = slices.DeleteFunc(st.Mentors, func(m string) bool { return strings.EqualFold(m, addr) })
		detail["mentor"] = addr
		res.Message = addr + " no longer mentors the program"
	case UpdateAddHolder:
		addr, _ := validate.Email(req.Holder)
		in.Holders = append(in.Holders, addr)
		detail["holder"] = addr
		res.Message = addr + " now holds the project"
	case UpdateRemoveHolder:
		addr, _ := validate.Email(req.Holder)
		in.Holders = slices.DeleteFunc(in.Holders, func(h string) bool { return strings.EqualFold(h, addr) })
		detail["holder"] = addr
		res.Message = addr + " no longer holds the project"
	case UpdateExtend:
		m, _ := st.milestone(req.Milestone)
		detail["milestone"], detail["from"], detail["to"] = m.ID, string(m.Due), string(req.Due)
		m.Due, m.RemindAfter = req.Due, now
		res.Milestone, res.Message = copyMilestone(m), "step "+m.ID+" now due on "+string(req.Due)
	case UpdatePause:
		st.Paused = true
		res.Message = "program paused: no reminders until it resumes"
	case UpdateResume:
		st.Paused = false
		// Reminders missed while paused are not sent late.
		st.ReminderCursor = now
		st.LastActivity = now
		res.Message = "program resumed"
	case UpdateWithdraw:
		st.Phase = PhaseWithdrawn
		res.Message = "program withdrawn"
	case UpdateGraduate:
		st.Phase = PhaseGraduated
		res.Message = "program graduated"
	case UpdateAttend:
		st.Attendance = append(st.Attendance, store.Attendance{Meetup: req.Meetup, RecordedBy: req.Actor, Note: req.Note, RecordedAt: now})
		st.LastActivity = now
		detail["meetup"] = req.Meetup
		res.Message = "attendance at the " + req.Meetup + " meetup recorded"
	}
	res.Action, res.Phase, res.Paused = action, st.Phase, st.Paused
	return res, detail
}

func copyMilestone(m *MilestoneState) *MilestoneState {
	c := *m
	return &c
}
