package workflows

import (
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/codecitoyen/suivi/activities"
	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/validate"
)

// versionLifecycle marks runs that follow the full lifecycle; runs recorded
// before it replay through legacyProgram.
const versionLifecycle = "lifecycle"

// versionLocalProjection marks runs that project into Postgres through a
// local activity writing only what changed (store.ProgramChange), queue
// messages the same way, and take their first search attributes from the
// start. It implies versionLifecycle and the licence signal.
const versionLocalProjection = "local-projection"

// maxProcessed bounds the Update IDs remembered across continue-as-new.
const maxProcessed = 500

// actorSuivi is the audit log's actor for changes the calendar makes.
const actorSuivi = "suivi"

// ProgramWorkflow accompanies one project of one edition, from application
// to graduation: phases move with coordinators' decisions and the edition's
// dates, reminders go out at 09:00 in the project's city, and every change
// is projected into Postgres with an audit entry.
func ProgramWorkflow(ctx workflow.Context, in ProgramInput) error {
	// One marker for runs started by this code: the newest change implies
	// the older ones, so a start records one version (and one search
	// attribute upsert) instead of one per change.
	if in.Snapshot != nil && workflow.GetVersion(ctx, versionLocalProjection, workflow.DefaultVersion, 1) == 1 {
		p := &program{in: in, snap: in.Snapshot, local: true}
		return p.run(ctx)
	}
	v := workflow.GetVersion(ctx, versionLifecycle, workflow.DefaultVersion, 1)
	if v == workflow.DefaultVersion || in.Snapshot == nil {
		return legacyProgram(ctx, in)
	}
	p := &program{in: in, snap: in.Snapshot}
	return p.run(ctx)
}

// program is one run of the lifecycle.
type program struct {
	in   ProgramInput
	snap *edition.Snapshot
	st   *ProgramState
	// dirty is set by update handlers: state changed and must be projected.
	dirty bool
	turns int
	// notes are messages queued by a change, sent with the next reminders.
	notes []store.Message
	// firstRun is the first run of this workflow chain: the projection
	// writes only a Postgres row of its own chain.
	firstRun string
	// local is set on runs that project through a local activity
	// (versionLocalProjection); projected is then what Postgres holds
	// from this run, the base of the next change (nil: nothing yet).
	local     bool
	projected *store.Program
	// timer wakes the program at timerAt, the calendar's next instant
	// (local runs only; see wait).
	timer       workflow.Future
	timerAt     time.Time
	cancelTimer workflow.CancelFunc
}

func (p *program) run(ctx workflow.Context) error {
	p.st = p.in.State
	p.in.State = nil
	p.firstRun = workflow.GetInfo(ctx).FirstRunID
	now := workflow.Now(ctx).UTC()
	if p.st == nil {
		p.st = newState(p.snap, now)
		p.audit(now, actorSuivi, "started", "", nil)
		if p.local {
			// The start set the phase and next due date (StartOptions):
			// upserting them again would cost two events for nothing.
			sa := workflow.GetTypedSearchAttributes(ctx)
			if phase, ok := sa.GetKeyword(SearchPhase); ok {
				p.st.SAPhase = Phase(phase)
			}
			if due, ok := sa.GetTime(SearchNextDue); ok {
				p.st.SANextDue = due.UTC()
			}
		}
	}
	// A change made while the previous run was continuing as new is still
	// pending: project it first.
	p.dirty = len(p.st.Pending) > 0
	if err := p.register(ctx); err != nil {
		return err
	}
	// Licence evidence from the repository watcher came after the first
	// recorded runs.
	var licences workflow.ReceiveChannel
	if p.local || workflow.GetVersion(ctx, "licence-signal", workflow.DefaultVersion, 1) == 1 {
		licences = workflow.GetSignalChannel(ctx, activities.SignalLicence)
	}
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		// Postgres may be down for a while; keep trying rather than fail a
		// program that lives for months.
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	})

	for {
		now = workflow.Now(ctx).UTC()
		p.takeLicences(licences, now)
		p.advance(now)
		msgs := p.notes
		p.notes = nil
		msgs = append(msgs, messages(&p.in, p.st, p.snap, p.st.dueReminders(p.snap, p.st.ReminderCursor, now))...)
		if len(msgs) > 0 {
			var a *activities.Activities
			var notify workflow.Future
			if p.local {
				notify = workflow.ExecuteLocalActivity(localOptions(ctx), a.Notify, msgs)
			} else {
				notify = workflow.ExecuteActivity(actx, a.Notify, msgs)
			}
			if err := notify.Get(ctx, nil); err != nil {
				return fmt.Errorf("program %s/%s: notify: %w", p.in.Edition, p.in.Project, err)
			}
			// The next reminder moved: project it (a seq without an audit
			// entry is fine).
			p.st.Seq++
			p.dirty = true
		}
		if p.st.ReminderCursor.Before(now) {
			p.st.ReminderCursor = now
		}
		if err := p.sync(ctx, actx); err != nil {
			return err
		}
		if p.st.Phase.Terminal() {
			return p.finish(ctx, actx)
		}
		p.turns++
		waiting := func() bool { return licences != nil && licences.Len() > 0 }
		if workflow.GetInfo(ctx).GetContinueAsNewSuggested() || (p.in.ContinueEvery > 0 && p.turns >= p.in.ContinueEvery) {
			if err := p.settle(ctx, actx); err != nil {
				return err
			}
			// Signals already received are acted on, not dropped.
			if waiting() {
				continue
			}
			if p.st.Phase.Terminal() {
				return p.finish(ctx, actx)
			}
			p.in.State = p.st
			return workflow.NewContinueAsNewError(ctx, ProgramWorkflow, p.in)
		}
		// Activities took time: wait from now, not from the top of the turn.
		now = workflow.Now(ctx).UTC()
		wake, ok := p.nextWake(now)
		cond := func() bool { return p.dirty || waiting() || workflow.GetInfo(ctx).GetContinueAsNewSuggested() }
		if p.local {
			if err := p.wait(ctx, now, wake, ok, cond); err != nil {
				return err
			}
			continue
		}
		if !ok {
			if err := workflow.Await(ctx, cond); err != nil {
				return err
			}
			continue
		}
		if _, err := workflow.AwaitWithTimeout(ctx, wake.Sub(now), cond); err != nil {
			return err
		}
	}
}

// newState is a program's state when it starts: applied, every milestone
// open.
func newState(snap *edition.Snapshot, now time.Time) *ProgramState {
	st := &ProgramState{Phase: PhaseApplied, StartedAt: now, ReminderCursor: now}
	for _, m := range snap.Milestones {
		st.Milestones = append(st.Milestones, MilestoneState{MilestoneSpec: m, Status: StatusOpen})
	}
	return st
}

// FirstRecord is the read model of a program that has just started, before
// its workflow ran: what the API writes at once, so the program is readable
// as soon as the start is answered. Its Seq is 0, so the workflow's first
// projection (Seq 1, with the "started" audit entry) replaces it.
func FirstRecord(in ProgramInput, firstRunID string, now time.Time) store.Program {
	p := &program{in: in, snap: in.Snapshot, st: newState(in.Snapshot, now.UTC()), firstRun: firstRunID}
	v := p.view()
	v.Seq = 0
	return v
}

// wait blocks until cond holds or the calendar's next instant (wake, when
// ok) comes. It keeps one timer while that instant stays the same, so an
// Update that moves nothing in the calendar costs no timer events (waiting
// with a timeout would cancel a timer and start another at every change).
func (p *program) wait(ctx workflow.Context, now, wake time.Time, ok bool, cond func() bool) error {
	if p.timer == nil || p.timer.IsReady() || !ok || !wake.Equal(p.timerAt) {
		if p.timer != nil && !p.timer.IsReady() {
			p.cancelTimer()
		}
		p.timer, p.cancelTimer = nil, nil
		if ok {
			tctx, cancel := workflow.WithCancel(ctx)
			p.timer, p.timerAt, p.cancelTimer = workflow.NewTimer(tctx, wake.Sub(now)), wake, cancel
		}
	}
	return workflow.Await(ctx, func() bool { return cond() || (p.timer != nil && p.timer.IsReady()) })
}

// LicenceMilestone is the step an open licence completes by itself.
const LicenceMilestone = activities.LicenceMilestone

// takeLicences acts on the watcher's evidence: an open licence completes
// the open-licence step, with the repository as evidence.
func (p *program) takeLicences(ch workflow.ReceiveChannel, now time.Time) {
	if ch == nil {
		return
	}
	var ev activities.LicenceEvidence
	for ch.ReceiveAsync(&ev) {
		m, err := p.st.milestone(LicenceMilestone)
		if err != nil || (m.Status != StatusOpen && m.Status != StatusSubmitted) || !p.st.started() {
			continue
		}
		m.Status, m.EvidenceURL, m.ClosedAt = StatusCompleted, ev.Repo, now
		m.Note = "open licence found: " + ev.SPDX
		p.audit(now, actorSuivi, "licence-found", "", map[string]string{"milestone": m.ID, "repo": ev.Repo, "spdx": ev.SPDX})
		p.dirty = true
	}
}

// settle waits for running update handlers and projects until nothing is
// left to project, so no change is lost across continue-as-new or the end.
func (p *program) settle(ctx, actx workflow.Context) error {
	for {
		if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
			return err
		}
		if !p.dirty {
			return nil
		}
		if err := p.sync(ctx, actx); err != nil {
			return err
		}
	}
}

// finish ends a program that reached a terminal phase.
func (p *program) finish(ctx, actx workflow.Context) error {
	return p.settle(ctx, actx)
}

// advance moves the phase along the edition's calendar and turns an idle
// program dormant; it records each change for the audit log.
func (p *program) advance(now time.Time) {
	st, snap := p.st, p.snap
	move := func(to Phase, why string) {
		st.Phase = to
		p.audit(now, actorSuivi, "phase:"+string(to), "", map[string]string{"why": why})
		p.dirty = true
	}
	if st.Phase == PhaseSelected && !now.Before(snap.HackathonStart) {
		move(PhaseHackathon, "the hackathon weekend started")
	}
	if st.Phase == PhaseHackathon && !now.Before(snap.HackathonEnd) {
		move(PhaseDemo, "the hackathon weekend ended")
	}
	if st.Phase == PhaseDemo && (st.Score != nil || !now.Before(p.demoEnd())) {
		why := "the day after the demo"
		if st.Score != nil {
			why = "the jury's score was recorded"
		}
		move(PhaseAccompaniment, why)
		if st.LastActivity.Before(now) {
			st.LastActivity = now
		}
	}
	if st.Phase == PhaseAccompaniment && !st.Paused && !now.Before(st.LastActivity.Add(Dormancy)) {
		move(PhaseDormant, "no step, deliverable or attendance for 90 days")
		today := snap.Zone.DateOf(now)
		for _, addr := range snap.Coordinators {
			p.notes = append(p.notes, message(&p.in, "dormant", "", today, addr, nil))
		}
	}
}

// demoEnd is when a program without a jury score enters accompaniment.
func (p *program) demoEnd() time.Time { return p.snap.HackathonEnd.Add(24 * time.Hour) }

// nextWake is the next instant the calendar asks something of the program.
func (p *program) nextWake(now time.Time) (time.Time, bool) {
	st, snap := p.st, p.snap
	var best time.Time
	consider := func(t time.Time) {
		if t.After(now) && (best.IsZero() || t.Before(best)) {
			best = t
		}
	}
	switch st.Phase {
	case PhaseSelected:
		consider(snap.HackathonStart)
	case PhaseHackathon:
		consider(snap.HackathonEnd)
	case PhaseDemo:
		consider(p.demoEnd())
	case PhaseAccompaniment:
		if !st.Paused {
			consider(st.LastActivity.Add(Dormancy))
		}
	}
	if r, ok := st.nextReminder(snap, st.ReminderCursor); ok {
		consider(r.At)
	}
	return best, !best.IsZero()
}

// register installs the query and one update handler per action.
func (p *program) register(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryState, p.status); err != nil {
		return fmt.Errorf("register query: %w", err)
	}
	for _, action := range Actions {
		err := workflow.SetUpdateHandlerWithOptions(ctx, action,
			func(ctx workflow.Context, req ActionRequest) (ActionResult, error) {
				id := workflow.GetCurrentUpdateInfo(ctx).ID
				if r, ok := p.processed(id, action); ok {
					return r, nil
				}
				now := workflow.Now(ctx).UTC()
				res, detail := apply(action, &p.in.Program, p.st, req, now)
				p.audit(now, req.Actor, action, id, detail)
				p.remember(id, action, res)
				p.dirty = true
				return res, nil
			},
			workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req ActionRequest) error {
				// A retried request with a known ID returns its first result;
				// the same ID for another action is a caller's mistake.
				id := workflow.GetCurrentUpdateInfo(ctx).ID
				if _, ok := p.processed(id, action); ok {
					return nil
				}
				if prev, ok := p.processedAction(id); ok {
					return conflict("update ID %s was already used for %s; choose a new ID for %s", validate.Quote(id), prev, action)
				}
				return check(action, &p.in.Program, p.st, p.snap, req, p.snap.Zone.DateOf(workflow.Now(ctx)))
			}})
		if err != nil {
			return fmt.Errorf("register update %s: %w", action, err)
		}
	}
	// Resync projects the state again: after Postgres was restored from an
	// older backup than Temporal, `suivi dev` and `suivi serve` send it to
	// the programs Postgres lacks. It changes nothing in the state.
	err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateResync,
		func(ctx workflow.Context) (string, error) {
			p.dirty = true
			return "projection requested", nil
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context) error { return requireNotOver(p.st) }})
	if err != nil {
		return fmt.Errorf("register update %s: %w", UpdateResync, err)
	}
	return nil
}

// UpdateResync asks a program to project itself into Postgres again; it is
// not a human step (not in Actions) and leaves no audit entry.
const UpdateResync = "resync"

func (p *program) processed(id, action string) (ActionResult, bool) {
	for _, u := range p.st.Processed {
		if u.ID == id && u.Action == action {
			return u.Result, true
		}
	}
	return ActionResult{}, false
}

func (p *program) processedAction(id string) (string, bool) {
	for _, u := range p.st.Processed {
		if u.ID == id {
			return u.Action, true
		}
	}
	return "", false
}

func (p *program) remember(id, action string, r ActionResult) {
	// Only the gist of the result is kept: 500 copies of a step's note and
	// link would weigh megabytes in the state.
	if m := r.Milestone; m != nil {
		r.Milestone = &MilestoneState{MilestoneSpec: edition.MilestoneSpec{ID: m.ID, Due: m.Due}, Status: m.Status}
	}
	p.st.Processed = append(p.st.Processed, ProcessedUpdate{ID: id, Action: action, Result: r})
	if n := len(p.st.Processed); n > maxProcessed {
		p.st.Processed = p.st.Processed[n-maxProcessed:]
	}
}

// audit records a change; it is projected with the state at the next sync.
func (p *program) audit(at time.Time, actor, action, updateID string, detail map[string]string) {
	p.st.Seq++
	p.st.Pending = append(p.st.Pending, store.AuditEntry{
		Seq: p.st.Seq, At: at, Actor: actor, Action: action, UpdateID: updateID, Detail: detail,
	})
}

// sync projects the state into Postgres and refreshes the search attributes
// when something changed since the last sync.
func (p *program) sync(ctx, actx workflow.Context) error {
	if !p.dirty {
		return nil
	}
	p.dirty = false
	var a *activities.Activities
	// Handlers may run, and audit more, while the activity runs: keep what
	// they add for the next sync.
	n := len(p.st.Pending)
	if p.local {
		view := p.view().Clone()
		change := store.Diff(p.projected, view, slices.Clone(p.st.Pending))
		if err := workflow.ExecuteLocalActivity(localOptions(ctx), a.ApplyProgramChange, change).Get(ctx, nil); err != nil {
			return fmt.Errorf("program %s/%s: project: %w", p.in.Edition, p.in.Project, err)
		}
		p.projected = &view
	} else {
		proj := activities.Projection{Program: p.view(), Audit: slices.Clone(p.st.Pending)}
		if err := workflow.ExecuteActivity(actx, a.ProjectProgram, proj).Get(ctx, nil); err != nil {
			return fmt.Errorf("program %s/%s: project: %w", p.in.Edition, p.in.Project, err)
		}
	}
	p.st.Pending = slices.Delete(p.st.Pending, 0, n)
	var updates []temporal.SearchAttributeUpdate
	if p.st.SAPhase != p.st.Phase {
		updates = append(updates, SearchPhase.ValueSet(string(p.st.Phase)))
		p.st.SAPhase = p.st.Phase
	}
	if due := p.st.nextDue(p.snap.Zone); !due.Equal(p.st.SANextDue) {
		if due.IsZero() {
			updates = append(updates, SearchNextDue.ValueUnset())
		} else {
			updates = append(updates, SearchNextDue.ValueSet(due))
		}
		p.st.SANextDue = due
	}
	if len(updates) > 0 {
		if err := workflow.UpsertTypedSearchAttributes(ctx, updates...); err != nil {
			return fmt.Errorf("program %s/%s: search attributes: %w", p.in.Edition, p.in.Project, err)
		}
	}
	return nil
}

// localOptions are those of the local activities that write to Postgres:
// short, run inside the workflow task, retried while Postgres is away
// (beyond the workflow task timeout the SDK waits on a server timer between
// attempts, so a long outage costs a few events a minute, not a stuck
// task). Without ScheduleToCloseTimeout the SDK would stop retrying after
// the StartToCloseTimeout, and a ten-second outage would fail a program
// that lives for months.
func localOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		ScheduleToCloseTimeout: localRetryFor,
		StartToCloseTimeout:    10 * time.Second,
		RetryPolicy:            &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	})
}

// localRetryFor is how long a write to Postgres is retried: longer than
// any accompaniment.
const localRetryFor = 10 * 365 * 24 * time.Hour

// view is the program as Postgres holds it.
func (p *program) view() store.Program {
	st := p.st
	v := store.Program{
		Edition: p.in.Edition, Project: p.in.Project, Name: p.in.Name,
		Holders: p.in.Holders, Repositories: p.in.Repositories, City: p.in.City, Theme: p.in.Theme,
		Summary: p.in.Summary, LicenceIntent: p.in.LicenceIntent,
		Phase: string(st.Phase), Paused: st.Paused, Mentors: st.Mentors, Score: st.Score, JuryComment: st.JuryComment,
		LastActivityAt: st.LastActivity, StartedAt: st.StartedAt, Seq: st.Seq, Attendance: st.Attendance,
		WorkflowID: ProgramWorkflowID(p.in.Edition, p.in.Project), FirstRunID: p.firstRun,
	}
	if due := st.nextDue(p.snap.Zone); !due.IsZero() {
		v.NextDue = string(p.snap.Zone.DateOf(due))
	}
	if r, ok := st.nextReminder(p.snap, st.ReminderCursor); ok {
		v.NextReminderAt = r.At
	}
	for _, m := range st.Milestones {
		v.Milestones = append(v.Milestones, store.Milestone{
			ID: m.ID, TitleFR: m.Title.FR, TitleEN: m.Title.EN, Due: string(m.Due), Evidence: m.Evidence,
			Optional: m.Optional, Status: m.Status, EvidenceURL: m.EvidenceURL, Note: m.Note, ClosedAt: m.ClosedAt,
		})
	}
	return v
}

// status answers QueryState.
func (p *program) status() (ProgramStatus, error) {
	st := p.st
	s := ProgramStatus{
		Edition: p.in.Edition, Project: p.in.Project, Phase: st.Phase, StartedAt: st.StartedAt,
		Paused: st.Paused, Mentors: st.Mentors, Score: st.Score, JuryComment: st.JuryComment,
		Milestones: st.Milestones, Attendance: st.Attendance,
	}
	if r, ok := st.nextReminder(p.snap, st.ReminderCursor); ok {
		s.NextReminder = &r
	}
	return s, nil
}
