package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/codecitoyen/suivi/internal/auth"
)

// ProgramAccess is what an authorization decision needs of one program
// (auth.Program), in one indexed read: its city, phase, holders, mentors and
// current funders, without the columns pages show. Actions ask it before
// every Update. ErrNotFound when there is no such program.
func (s *Store) ProgramAccess(ctx context.Context, edition, project string) (*auth.Program, error) {
	p := &auth.Program{Edition: edition, Project: project}
	err := s.pool.QueryRow(ctx, `
select city, phase, holders, mentors,
    array(select funder from program_funders pf where pf.edition = p.edition and pf.project = p.project
          and pf.unfunded_at is null order by funder)
from programs p where edition = $1 and project = $2`, edition, project).
		Scan(&p.City, &p.Phase, &p.Holders, &p.Mentors, &p.Funders)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("store: program %s/%s: %w", edition, project, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: program %s/%s: %w", edition, project, err)
	}
	return p, nil
}
