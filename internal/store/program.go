package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Program is one program's read model.
type Program struct {
	Edition      string    `json:"edition"`
	Project      string    `json:"project"`
	Name         string    `json:"name"`
	Holders      []string  `json:"holders"`
	Repositories []string  `json:"repositories"`
	City         string    `json:"city,omitempty"`
	Theme        string    `json:"theme,omitempty"`
	Phase        string    `json:"phase"`
	WorkflowID   string    `json:"workflow_id"`
	StartedAt    time.Time `json:"started_at"`
	Seq          int64     `json:"seq"`
	// UpdatedAt is set by the database; writers leave it zero.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// UpsertProgram writes p unless the row already holds a projection with the
// same or a higher Seq: replays and late retries are no-ops.
func (s *Store) UpsertProgram(ctx context.Context, p Program) error {
	_, err := s.pool.Exec(ctx, `
insert into programs (edition, project, name, holders, repositories, city, theme, phase, workflow_id, started_at, seq)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
on conflict (edition, project) do update set
    name = excluded.name, holders = excluded.holders, repositories = excluded.repositories,
    city = excluded.city, theme = excluded.theme, phase = excluded.phase,
    workflow_id = excluded.workflow_id, started_at = excluded.started_at,
    seq = excluded.seq, updated_at = now()
where programs.seq < excluded.seq`,
		p.Edition, p.Project, p.Name, nonNil(p.Holders), nonNil(p.Repositories), p.City, p.Theme, p.Phase,
		p.WorkflowID, p.StartedAt, p.Seq)
	if err != nil {
		return fmt.Errorf("store: program %s/%s: %w", p.Edition, p.Project, err)
	}
	return nil
}

const programColumns = `edition, project, name, holders, repositories, city, theme, phase, workflow_id, started_at, seq, updated_at`

func scanProgram(row pgx.Row) (Program, error) {
	var p Program
	err := row.Scan(&p.Edition, &p.Project, &p.Name, &p.Holders, &p.Repositories, &p.City, &p.Theme,
		&p.Phase, &p.WorkflowID, &p.StartedAt, &p.Seq, &p.UpdatedAt)
	p.StartedAt, p.UpdatedAt = p.StartedAt.UTC(), p.UpdatedAt.UTC()
	return p, err
}

// GetProgram returns one program, or ErrNotFound.
func (s *Store) GetProgram(ctx context.Context, edition, project string) (Program, error) {
	p, err := scanProgram(s.pool.QueryRow(ctx,
		`select `+programColumns+` from programs where edition = $1 and project = $2`, edition, project))
	if errors.Is(err, pgx.ErrNoRows) {
		return Program{}, fmt.Errorf("store: program %s/%s: %w", edition, project, ErrNotFound)
	}
	if err != nil {
		return Program{}, fmt.Errorf("store: program %s/%s: %w", edition, project, err)
	}
	return p, nil
}

// ProgramFilter narrows ListPrograms; empty fields match everything.
type ProgramFilter struct {
	Edition string
	Phase   string
}

// ListPrograms returns programs ordered by edition then project.
func (s *Store) ListPrograms(ctx context.Context, f ProgramFilter) ([]Program, error) {
	rows, err := s.pool.Query(ctx, `select `+programColumns+` from programs
where ($1 = '' or edition = $1) and ($2 = '' or phase = $2)
order by edition, project`, f.Edition, f.Phase)
	if err != nil {
		return nil, fmt.Errorf("store: list programs: %w", err)
	}
	out := []Program{}
	for rows.Next() {
		p, err := scanProgram(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: list programs: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list programs: %w", err)
	}
	return out, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
