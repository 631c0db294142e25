// Package activities holds Suivi's side effects: everything a workflow asks
// of the outside world. Each activity is idempotent with a business key, so a
// retry or a replayed history never acts twice.
package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/codecitoyen/suivi/internal/store"
)

// Activities holds the dependencies activities use. Workflow code refers to
// its methods through a nil *Activities, never by string name.
type Activities struct {
	Store *store.Store
}

// ProgramRecord is a program as the workflow projects it into Postgres.
type ProgramRecord struct {
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
}

// RecordProgram writes the program's read model. Keyed by (edition, project)
// and guarded by Seq, so running it twice, or late, changes nothing.
func (a *Activities) RecordProgram(ctx context.Context, r ProgramRecord) error {
	err := a.Store.UpsertProgram(ctx, store.Program{
		Edition:      r.Edition,
		Project:      r.Project,
		Name:         r.Name,
		Holders:      r.Holders,
		Repositories: r.Repositories,
		City:         r.City,
		Theme:        r.Theme,
		Phase:        r.Phase,
		WorkflowID:   r.WorkflowID,
		StartedAt:    r.StartedAt,
		Seq:          r.Seq,
	})
	if err != nil {
		return fmt.Errorf("record program %s/%s: %w", r.Edition, r.Project, err)
	}
	return nil
}
