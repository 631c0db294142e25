package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// ProgramChange is what one projection of a program writes: the program's
// row as it stands (a few hundred bytes), and of its lists only what changed
// since the previous projection of the same workflow run. The first
// projection of a run is Whole: it rewrites the lists entirely, so a run
// never depends on what another run wrote.
//
// Writing what changed keeps an Update's cost the same on the hundredth
// step as on the first; the whole program was rewritten before (every
// milestone deleted and inserted again at each change).
type ProgramChange struct {
	// Program is the row; its Milestones and Attendance are read only when
	// Whole is set.
	Program Program `json:"program"`
	Whole   bool    `json:"whole,omitempty"`
	// Milestones are the milestones that changed, with their place.
	Milestones []PlacedMilestone `json:"milestones,omitempty"`
	// Attendance are the meetups recorded since the previous projection.
	Attendance []Attendance `json:"attendance,omitempty"`
	// People is set when the holders or the mentors changed: the
	// program's people (who may see it) are written again.
	People bool `json:"people,omitempty"`
	// Phase is set when the phase changed: its history gets a line.
	Phase bool         `json:"phase,omitempty"`
	Audit []AuditEntry `json:"audit,omitempty"`
}

// PlacedMilestone is a milestone and its position in the program's list.
type PlacedMilestone struct {
	Position int `json:"position"`
	Milestone
}

// Diff is the change that brings a read model holding prev to cur, with
// the audit entries of the changes between them. A nil prev makes a Whole
// change. Diff is pure and deterministic: workflow code calls it.
func Diff(prev *Program, cur Program, audit []AuditEntry) ProgramChange {
	c := ProgramChange{Program: cur, Audit: audit}
	if prev == nil || len(prev.Milestones) != len(cur.Milestones) || len(prev.Attendance) > len(cur.Attendance) {
		c.Whole, c.People, c.Phase = true, true, true
		return c
	}
	c.Program.Milestones, c.Program.Attendance = nil, nil
	for i, m := range cur.Milestones {
		if !sameMilestone(prev.Milestones[i], m) {
			c.Milestones = append(c.Milestones, PlacedMilestone{Position: i, Milestone: m})
		}
	}
	for i, a := range cur.Attendance {
		if i >= len(prev.Attendance) || !sameAttendance(prev.Attendance[i], a) {
			c.Attendance = append(c.Attendance, a)
		}
	}
	c.People = !slices.Equal(prev.Holders, cur.Holders) || !slices.Equal(prev.Mentors, cur.Mentors)
	c.Phase = prev.Phase != cur.Phase
	return c
}

func sameMilestone(a, b Milestone) bool {
	return a.ID == b.ID && a.TitleFR == b.TitleFR && a.TitleEN == b.TitleEN && a.Due == b.Due &&
		a.Evidence == b.Evidence && a.Optional == b.Optional && a.Status == b.Status &&
		a.EvidenceURL == b.EvidenceURL && a.Note == b.Note && a.ClosedAt.Equal(b.ClosedAt)
}

func sameAttendance(a, b Attendance) bool {
	return a.Meetup == b.Meetup && a.RecordedBy == b.RecordedBy && a.Note == b.Note && a.RecordedAt.Equal(b.RecordedAt)
}

// Apply brings a read model up to the change, as ApplyChange does in
// Postgres; tests compare both.
func (c ProgramChange) Apply(p *Program) {
	if c.Whole {
		*p = c.Program
		p.Milestones = slices.Clone(c.Program.Milestones)
		p.Attendance = slices.Clone(c.Program.Attendance)
		return
	}
	ms, att := p.Milestones, p.Attendance
	*p = c.Program
	p.Milestones, p.Attendance = slices.Clone(ms), slices.Clone(att)
	for _, m := range c.Milestones {
		if m.Position < len(p.Milestones) {
			p.Milestones[m.Position] = m.Milestone
		}
	}
	for _, a := range c.Attendance {
		i := slices.IndexFunc(p.Attendance, func(x Attendance) bool { return x.Meetup == a.Meetup })
		if i < 0 {
			p.Attendance = append(p.Attendance, a)
		} else {
			p.Attendance[i] = a
		}
	}
}

// Clone is a copy of p that shares no slice with it, so a projection kept
// for the next Diff is not changed by the state it was taken from.
func (p Program) Clone() Program {
	p.Holders, p.Repositories, p.Mentors = slices.Clone(p.Holders), slices.Clone(p.Repositories), slices.Clone(p.Mentors)
	p.Milestones, p.Attendance = slices.Clone(p.Milestones), slices.Clone(p.Attendance)
	if p.Score != nil {
		s := *p.Score
		p.Score = &s
	}
	return p
}

// ApplyChange writes a change in one round trip to Postgres: every
// statement goes in one batch, which Postgres runs as one implicit
// transaction. The row is written only when its Seq is newer than the
// stored one; the lists, the phase line and the audit entries only when the
// stored row is this change's (same Seq, same run chain), so a retry, a late
// duplicate or another run's change writes nothing twice and nothing under
// someone else's record. Another run chain's row is ErrOtherRun.
func (s *Store) ApplyChange(ctx context.Context, c ProgramChange) error {
	p := c.Program
	b := &pgx.Batch{}
	b.Queue(`
insert into programs (edition, project, name, holders, repositories, city, theme, phase, paused, mentors,
    score, jury_comment, next_due, next_reminder_at, last_activity_at, workflow_id, started_at, seq, first_run_id,
    summary, licence_intent)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, nullif($13, '')::date, $14, $15, $16, $17, $18, $19, $20, $21)
on conflict (edition, project) do update set
    first_run_id = coalesce(nullif(programs.first_run_id, ''), excluded.first_run_id),
    name = excluded.name, holders = excluded.holders, repositories = excluded.repositories,
    summary = excluded.summary, licence_intent = excluded.licence_intent,
    city = excluded.city, theme = excluded.theme, phase = excluded.phase, paused = excluded.paused,
    mentors = excluded.mentors, score = excluded.score, jury_comment = excluded.jury_comment,
    next_due = excluded.next_due, next_reminder_at = excluded.next_reminder_at,
    last_activity_at = excluded.last_activity_at,
    workflow_id = excluded.workflow_id, started_at = excluded.started_at,
    seq = excluded.seq, updated_at = now()
where programs.seq < excluded.seq
  and (programs.first_run_id = '' or excluded.first_run_id = '' or programs.first_run_id = excluded.first_run_id)`,
		p.Edition, p.Project, p.Name, nonNil(p.Holders), nonNil(p.Repositories), p.City, p.Theme, p.Phase,
		p.Paused, nonNil(p.Mentors), p.Score, p.JuryComment, p.NextDue, nullTime(p.NextReminderAt),
		nullTime(p.LastActivityAt), p.WorkflowID, p.StartedAt, p.Seq, p.FirstRunID, p.Summary, p.LicenceIntent)
	// ours holds when the stored row is this change's: the statements
	// below write nothing otherwise. $1 edition, $2 project, $3 seq, $4
	// first run.
	const ours = `exists (select 1 from programs where edition = $1::text and project = $2::text and seq = $3::bigint
    and (first_run_id = '' or $4::text = '' or first_run_id = $4::text))`
	key := []any{p.Edition, p.Project, p.Seq, p.FirstRunID}
	with := func(args ...any) []any { return append(slices.Clip(key), args...) }
	if c.People {
		b.Queue(`delete from program_people where edition = $1 and project = $2 and `+ours, key...)
		b.Queue(`
insert into program_people (edition, project, email, role)
select $1::text, $2::text, lower(e), 'holder' from unnest($5::text[]) e where `+ours+`
union select $1::text, $2::text, lower(e), 'mentor' from unnest($6::text[]) e where `+ours+`
on conflict do nothing`, with(nonNil(p.Holders), nonNil(p.Mentors))...)
	}
	if c.Whole {
		b.Queue(`delete from milestones where edition = $1 and project = $2 and `+ours, key...)
		b.Queue(`delete from attendance where edition = $1 and project = $2 and `+ours, key...)
		for i, m := range p.Milestones {
			queueMilestone(b, ours, with, PlacedMilestone{Position: i, Milestone: m})
		}
		for _, a := range p.Attendance {
			queueAttendance(b, ours, with, a)
		}
	} else {
		for _, m := range c.Milestones {
			queueMilestone(b, ours, with, m)
		}
		for _, a := range c.Attendance {
			queueAttendance(b, ours, with, a)
		}
	}
	if c.Phase {
		since := p.StartedAt
		for _, a := range c.Audit {
			if a.At.After(since) {
				since = a.At
			}
		}
		b.Queue(`
insert into program_phases (edition, project, seq, phase, since)
select $1::text, $2::text, $3::bigint, $5::text, $6::timestamptz
where `+ours+`
  and $5::text is distinct from (select phase from program_phases where edition = $1 and project = $2 order by seq desc limit 1)
on conflict do nothing`, with(p.Phase, since)...)
	}
	if len(c.Audit) > 0 {
		entries, err := json.Marshal(c.Audit)
		if err != nil {
			return fmt.Errorf("store: program %s/%s: audit: %w", p.Edition, p.Project, err)
		}
		// Audit entries are keyed by seq: a retry inserts none twice. They
		// are written when the row is this run's, even if a newer change
		// already landed (seq ≥ ours), never under another run's row.
		b.Queue(`
insert into audit_log (edition, project, seq, at, actor, action, update_id, detail)
select $1::text, $2::text, a.seq, a.at, a.actor, a.action, coalesce(a.update_id, ''), coalesce(a.detail, '{}')
from jsonb_to_recordset($5::jsonb) as a(seq bigint, at timestamptz, actor text, action text, update_id text, detail jsonb)
where exists (select 1 from programs where edition = $1 and project = $2 and seq >= $3
    and (first_run_id = '' or $4 = '' or first_run_id = $4))
on conflict do nothing`, with(string(entries))...)
	}
	br := s.pool.SendBatch(ctx, b)
	tag, err := br.Exec()
	for i := 1; err == nil && i < b.Len(); i++ {
		_, err = br.Exec()
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err == nil && tag.RowsAffected() == 0 && p.FirstRunID != "" {
		err = s.checkOwner(ctx, p)
	}
	if err != nil {
		return fmt.Errorf("store: program %s/%s: %w", p.Edition, p.Project, err)
	}
	return nil
}

func queueMilestone(b *pgx.Batch, ours string, with func(...any) []any, m PlacedMilestone) {
	b.Queue(`
insert into milestones (edition, project, id, position, title_fr, title_en, due, evidence, optional, status, evidence_url, note, closed_at)
select $1::text, $2::text, $5::text, $6::int, $7::text, $8::text, $9::date, $10::text, $11::bool, $12::text, $13::text, $14::text, $15::timestamptz where `+ours+`
on conflict (edition, project, id) do update set position = excluded.position, title_fr = excluded.title_fr,
    title_en = excluded.title_en, due = excluded.due, evidence = excluded.evidence, optional = excluded.optional,
    status = excluded.status, evidence_url = excluded.evidence_url, note = excluded.note, closed_at = excluded.closed_at`,
		with(m.ID, m.Position, m.TitleFR, m.TitleEN, m.Due, m.Evidence, m.Optional, m.Status, m.EvidenceURL, m.Note, nullTime(m.ClosedAt))...)
}

func queueAttendance(b *pgx.Batch, ours string, with func(...any) []any, a Attendance) {
	b.Queue(`
insert into attendance (edition, project, meetup, recorded_by, note, recorded_at)
select $1::text, $2::text, $5::text, $6::text, $7::text, $8::timestamptz where `+ours+`
on conflict (edition, project, meetup) do update set recorded_by = excluded.recorded_by, note = excluded.note,
    recorded_at = excluded.recorded_at`, with(a.Meetup, a.RecordedBy, a.Note, a.RecordedAt)...)
}

// checkOwner explains a row write that wrote nothing: an older seq (a
// retry: fine), or another run chain's row, which must not be written
// under nor hidden.
func (s *Store) checkOwner(ctx context.Context, p Program) error {
	var owner string
	var started time.Time
	err := s.pool.QueryRow(ctx, `select first_run_id, started_at from programs where edition = $1 and project = $2`,
		p.Edition, p.Project).Scan(&owner, &started)
	if errors.Is(err, pgx.ErrNoRows) {
		// Forgotten between the batch and now: nothing was written.
		return nil
	}
	if err != nil {
		return err
	}
	if owner != "" && owner != p.FirstRunID {
		return fmt.Errorf("%w: Postgres holds the record of another run of this program (started %s, first run %s); this run (%s) will not write under it. Temporal's state was probably lost: restore both databases from one backup, or set the old record aside with `suivi program forget %s/%s`",
			ErrOtherRun, started.UTC().Format(time.RFC3339), owner, p.FirstRunID, p.Edition, p.Project)
	}
	return nil
}
