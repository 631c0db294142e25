package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// ProgramRef names a program and where it stands, for comparing Postgres
// with Temporal.
type ProgramRef struct {
	Edition    string `json:"edition"`
	Project    string `json:"project"`
	WorkflowID string `json:"workflow_id"`
	Phase      string `json:"phase"`
}

// terminalPhases are the phases whose workflow has ended; Temporal forgets
// ended workflows after its retention period, so they are not compared.
var terminalPhases = []string{"rejected", "graduated", "withdrawn"}

// LivePrograms returns the programs whose workflow should be running: every
// program not in a terminal phase.
func (s *Store) LivePrograms(ctx context.Context) ([]ProgramRef, error) {
	rows, err := s.pool.Query(ctx, `select edition, project, workflow_id, phase from programs
where phase <> all($1) order by edition, project`, terminalPhases)
	if err != nil {
		return nil, fmt.Errorf("store: live programs: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[ProgramRef])
	if err != nil {
		return nil, fmt.Errorf("store: live programs: %w", err)
	}
	return out, nil
}

// ProgramRow returns a program's row without its children, or ErrNotFound.
func (s *Store) ProgramRow(ctx context.Context, edition, project string) (Program, error) {
	p, err := scanProgram(s.pool.QueryRow(ctx,
		`select `+programColumns+` from programs p where p.edition = $1 and p.project = $2`, edition, project))
	if errors.Is(err, pgx.ErrNoRows) {
		return Program{}, fmt.Errorf("store: program %s/%s: %w", edition, project, ErrNotFound)
	}
	if err != nil {
		return Program{}, fmt.Errorf("store: program %s/%s: %w", edition, project, err)
	}
	return p, nil
}

// ForgetProgram sets a program's whole record aside in archived_programs
// (row, milestones, attendance, audit log, as JSON) and removes it, in one
// transaction, so the project can be started afresh. Outbox rows stay: their
// keys keep a new run from sending again what the old one sent. It returns
// the archive's id, or ErrNotFound.
func (s *Store) ForgetProgram(ctx context.Context, edition, project, reason string) (int64, error) {
	var id int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
insert into archived_programs (edition, project, reason, record)
select p.edition, p.project, $3, jsonb_build_object(
    'program', to_jsonb(p),
    'milestones', coalesce((select jsonb_agg(to_jsonb(m) order by m.position) from milestones m where m.edition = p.edition and m.project = p.project), '[]'),
    'attendance', coalesce((select jsonb_agg(to_jsonb(a) order by a.meetup) from attendance a where a.edition = p.edition and a.project = p.project), '[]'),
    'audit', coalesce((select jsonb_agg(to_jsonb(l) order by l.seq) from audit_log l where l.edition = p.edition and l.project = p.project), '[]'))
from programs p where p.edition = $1 and p.project = $2
returning id`, edition, project, reason).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("store: program %s/%s: %w", edition, project, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `delete from audit_log where edition = $1 and project = $2`, edition, project); err != nil {
			return err
		}
		// Milestones and attendance go with the row (on delete cascade).
		_, err = tx.Exec(ctx, `delete from programs where edition = $1 and project = $2`, edition, project)
		return err
	})
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return 0, err
		}
		return 0, fmt.Errorf("store: forget program %s/%s: %w", edition, project, err)
	}
	return id, nil
}

// ArchivedRecord returns the record ForgetProgram set aside under id, as
// JSON: {"program", "milestones", "attendance", "audit"}.
func (s *Store) ArchivedRecord(ctx context.Context, id int64) ([]byte, error) {
	var raw []byte
	err := s.pool.QueryRow(ctx, `select record from archived_programs where id = $1`, id).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("store: archive %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: archive %d: %w", id, err)
	}
	return raw, nil
}

// ProgramWorkflowIDs returns the workflow ID of every program Postgres
// holds, whatever its phase.
func (s *Store) ProgramWorkflowIDs(ctx context.Context) (map[string]bool, error) {
	rows, err := s.pool.Query(ctx, `select workflow_id from programs`)
	if err != nil {
		return nil, fmt.Errorf("store: program workflow ids: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("store: program workflow ids: %w", err)
	}
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

func programKeys(programs []Program) (eds, projects []string) {
	eds, projects = make([]string, len(programs)), make([]string, len(programs))
	for i, p := range programs {
		eds[i], projects[i] = p.Edition, p.Project
	}
	return eds, projects
}
