package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/codecitoyen/suivi/internal/auth"
)

// Program is one program's read model: what its workflow projects.
type Program struct {
	Edition       string   `json:"edition"`
	Project       string   `json:"project"`
	Name          string   `json:"name"`
	Holders       []string `json:"holders"`
	Repositories  []string `json:"repositories"`
	City          string   `json:"city,omitempty"`
	Theme         string   `json:"theme,omitempty"`
	Summary       string   `json:"summary,omitempty"`
	LicenceIntent string   `json:"licence_intent,omitempty"`
	// Public is the holders' opt-in to the public board (read model only).
	Public         bool      `json:"public,omitempty"`
	Phase          string    `json:"phase"`
	Paused         bool      `json:"paused,omitempty"`
	Mentors        []string  `json:"mentors"`
	Score          *int      `json:"score,omitempty"`
	JuryComment    string    `json:"jury_comment,omitempty"`
	NextDue        string    `json:"next_due,omitempty"`
	NextReminderAt time.Time `json:"next_reminder_at,omitzero"`
	LastActivityAt time.Time `json:"last_activity_at,omitzero"`
	WorkflowID     string    `json:"workflow_id"`
	// FirstRunID is the first run of the workflow chain that writes this
	// row; another chain's writes are refused (ErrOtherRun).
	FirstRunID string      `json:"first_run_id,omitempty"`
	StartedAt  time.Time   `json:"started_at"`
	Seq        int64       `json:"seq"`
	Milestones []Milestone `json:"milestones,omitempty"`
	// Licence sums up the repositories' licence checks: open, not open or
	// unchecked (read model only, never written by the workflow).
	Licence    string       `json:"licence,omitempty"`
	Attendance []Attendance `json:"attendance,omitempty"`
	// UpdatedAt is set by the database; writers leave it zero.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// Milestone is one step of a program, with its status and evidence.
type Milestone struct {
	ID          string    `json:"id"`
	TitleFR     string    `json:"title_fr"`
	TitleEN     string    `json:"title_en"`
	Due         string    `json:"due"` // YYYY-MM-DD in the program's city
	Evidence    string    `json:"evidence"`
	Optional    bool      `json:"optional,omitempty"`
	Status      string    `json:"status"`
	EvidenceURL string    `json:"evidence_url,omitempty"`
	Note        string    `json:"note,omitempty"`
	ClosedAt    time.Time `json:"closed_at,omitzero"`
}

// Attendance records a program at one monthly meetup (YYYY-MM).
type Attendance struct {
	Meetup     string    `json:"meetup"`
	RecordedBy string    `json:"recorded_by"`
	Note       string    `json:"note,omitempty"`
	RecordedAt time.Time `json:"recorded_at"`
}

// AuditEntry is one change of a program: who, what, when, through which
// Update ID. Seq is the program's sequence number after the change.
type AuditEntry struct {
	Seq      int64             `json:"seq"`
	At       time.Time         `json:"at"`
	Actor    string            `json:"actor"`
	Action   string            `json:"action"`
	UpdateID string            `json:"update_id,omitempty"`
	Detail   map[string]string `json:"detail,omitempty"`
}

// UpsertProgram writes p unless the row already holds a projection with the
// same or a higher Seq: replays and late retries are no-ops.
func (s *Store) UpsertProgram(ctx context.Context, p Program) error {
	return s.SaveProgram(ctx, p, nil)
}

// SaveProgram projects a program's whole state and appends its audit
// entries, in one transaction: ApplyChange with a Whole change (the row,
// milestones, attendance, people and phase line written only when p.Seq is
// newer than what the row holds; audit entries keyed by seq, inserted
// once). Programs started before the local projection use it.
func (s *Store) SaveProgram(ctx context.Context, p Program, audit []AuditEntry) error {
	return s.ApplyChange(ctx, ProgramChange{Program: p, Whole: true, People: true, Phase: true, Audit: audit})
}

const programColumns = `p.edition, p.project, p.name, p.holders, p.repositories, p.city, p.theme, p.phase, p.paused, p.mentors, p.score,
    p.jury_comment, coalesce(to_char(p.next_due, 'YYYY-MM-DD'), ''), p.next_reminder_at, p.last_activity_at,
    p.workflow_id, p.started_at, p.seq, p.updated_at, p.first_run_id, p.summary, p.licence_intent, p.public,
    ` + licenceColumn

// licenceColumn sums up a program's licence compliance for lists: the
// open-licence step closed by a person wins (completed by hand, waived);
// otherwise, even when the watcher completed the step, the repositories'
// latest checks say: unchecked until every repository has been checked
// (none in the watch list yet is unchecked, not "not open"), open when all
// are. Both read an index: the step by its key, the repositories by name.
const licenceColumn = `coalesce((select case when m.status = 'waived' then 'waived'
            when m.status = 'completed' and m.note not like 'open licence found:%' then 'completed by hand' end
        from milestones m where m.edition = p.edition and m.project = p.project and m.id = 'open-licence'),
    (select case when count(*) = 0 or count(*) filter (where licence_checked_at is null or licence_spdx = '') > 0 then 'unchecked'
        when bool_and(licence_open) then 'open' else 'not open' end
        from repos where name = any(array(select lower(` + repoPath + `) from unnest(p.repositories) as r))),
    'unchecked')`

// programScan scans programColumns into a Program: dest, Scan, done.
type programScan struct{ next, last *time.Time }

func (sc *programScan) dest(p *Program) []any {
	return []any{&p.Edition, &p.Project, &p.Name, &p.Holders, &p.Repositories, &p.City, &p.Theme,
		&p.Phase, &p.Paused, &p.Mentors, &p.Score, &p.JuryComment, &p.NextDue, &sc.next, &sc.last,
		&p.WorkflowID, &p.StartedAt, &p.Seq, &p.UpdatedAt, &p.FirstRunID, &p.Summary, &p.LicenceIntent, &p.Public, &p.Licence}
}

// done puts the program's instants in UTC.
func (sc *programScan) done(p *Program) {
	if sc.next != nil {
		p.NextReminderAt = sc.next.UTC()
	}
	if sc.last != nil {
		p.LastActivityAt = sc.last.UTC()
	}
	p.StartedAt, p.UpdatedAt = p.StartedAt.UTC(), p.UpdatedAt.UTC()
}

func scanProgram(row pgx.Row) (Program, error) {
	var p Program
	var sc programScan
	err := row.Scan(sc.dest(&p)...)
	sc.done(&p)
	return p, err
}

// GetProgram returns one program with its milestones and attendance, or
// ErrNotFound.
func (s *Store) GetProgram(ctx context.Context, edition, project string) (Program, error) {
	p, err := s.ProgramRow(ctx, edition, project)
	if err != nil {
		return Program{}, err
	}
	rows, err := s.pool.Query(ctx, `
select id, title_fr, title_en, to_char(due, 'YYYY-MM-DD'), evidence, optional, status, evidence_url, note, closed_at
from milestones where edition = $1 and project = $2 order by position`, edition, project)
	if err != nil {
		return Program{}, fmt.Errorf("store: milestones of %s/%s: %w", edition, project, err)
	}
	p.Milestones, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Milestone, error) {
		var m Milestone
		var closed *time.Time
		err := r.Scan(&m.ID, &m.TitleFR, &m.TitleEN, &m.Due, &m.Evidence, &m.Optional, &m.Status, &m.EvidenceURL, &m.Note, &closed)
		if closed != nil {
			m.ClosedAt = closed.UTC()
		}
		return m, err
	})
	if err != nil {
		return Program{}, fmt.Errorf("store: milestones of %s/%s: %w", edition, project, err)
	}
	rows, err = s.pool.Query(ctx, `
select meetup, recorded_by, note, recorded_at from attendance where edition = $1 and project = $2 order by meetup`, edition, project)
	if err != nil {
		return Program{}, fmt.Errorf("store: attendance of %s/%s: %w", edition, project, err)
	}
	p.Attendance, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Attendance, error) {
		var a Attendance
		err := r.Scan(&a.Meetup, &a.RecordedBy, &a.Note, &a.RecordedAt)
		a.RecordedAt = a.RecordedAt.UTC()
		return a, err
	})
	if err != nil {
		return Program{}, fmt.Errorf("store: attendance of %s/%s: %w", edition, project, err)
	}
	return p, nil
}

// ProgramFilter narrows ListPrograms; empty fields match everything.
type ProgramFilter struct {
	Edition string
	Phase   string
	// City matches whatever its case (in Postgres's lower()); Cities, when
	// not nil, are the exact cities to keep (none: no program).
	City   string
	Cities []string
	Theme  string
	// Public keeps the programs on the public board (never a rejected one).
	Public bool
	// Scope, when set, keeps exactly the programs a person may view
	// (auth.ViewScope builds it with auth.Can).
	Scope *auth.Scope
	// After and Before page through the list in (edition, project) order:
	// the rows after After ("edition/project"), or the last ones before
	// Before; at most Limit (0: all), skipping Offset first.
	After, Before string
	Limit, Offset int
	// Brief reads only what pages' lists show (briefColumns), and the
	// licence summary only with Licence.
	Brief, Licence bool
	// Few says the filters keep few programs, fewer than about half the
	// square root of Limit times all programs: they are then read first,
	// by the indexes their filters use, and put in order, rather than by
	// walking every program in order until Limit of them match.
	Few bool
}

// ListPrograms returns programs (without milestones) ordered by edition
// then project.
func (s *Store) ListPrograms(ctx context.Context, f ProgramFilter) ([]Program, error) {
	out, _, err := s.listPrograms(ctx, f, false)
	return out, err
}

// ListAudit returns a program's audit log, oldest first.
func (s *Store) ListAudit(ctx context.Context, edition, project string) ([]AuditEntry, error) {
	rows, err := s.pool.Query(ctx, `
select seq, at, actor, action, update_id, detail from audit_log where edition = $1 and project = $2 order by seq`, edition, project)
	if err != nil {
		return nil, fmt.Errorf("store: audit of %s/%s: %w", edition, project, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AuditEntry, error) {
		var a AuditEntry
		err := r.Scan(&a.Seq, &a.At, &a.Actor, &a.Action, &a.UpdateID, &a.Detail)
		a.At = a.At.UTC()
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: audit of %s/%s: %w", edition, project, err)
	}
	return out, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
