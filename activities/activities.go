// Package activities holds Suivi's side effects: everything a workflow asks
// of the outside world. Each activity is idempotent with a business key, so a
// retry or a replayed history never acts twice.
package activities

import (
	"context"
	"fmt"

	"github.com/codecitoyen/suivi/internal/store"
)

// Activities holds the dependencies activities use. Workflow code refers to
// its methods through a nil *Activities, never by string name.
type Activities struct {
	Store *store.Store
}

// RecordProgram writes the program's read model. Keyed by (edition, project)
// and guarded by Seq, so running it twice, or late, changes nothing.
func (a *Activities) RecordProgram(ctx context.Context, p store.Program) error {
	if err := a.Store.UpsertProgram(ctx, p); err != nil {
		return fmt.Errorf("record program %s/%s: %w", p.Edition, p.Project, err)
	}
	return nil
}
