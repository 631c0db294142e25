// Package activities holds Suivi's side effects: everything a workflow asks
// of the outside world. Each activity is idempotent with a business key, so a
// retry or a replayed history never acts twice.
package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/codecitoyen/suivi/internal/github"
	"github.com/codecitoyen/suivi/internal/licence"
	"github.com/codecitoyen/suivi/internal/store"
)

// Activities holds the dependencies activities use. Workflow code refers to
// its methods through a nil *Activities, never by string name.
type Activities struct {
	Store *store.Store
	// Mail delivers the outbox; nil in processes that do not send.
	Mail *Mailer
	// Wake tells the outbox dispatcher there is something to send; nil
	// when nothing listens (tests).
	Wake func(ctx context.Context) error
	// GitHub polls the programs' repositories.
	GitHub *github.Client
	// GitHubWorkers is how many repositories are polled at once.
	GitHubWorkers int
	// Licences classifies licence texts; its corpus loads on first use.
	Licences *licence.Classifier
	// Signal sends a signal to a workflow (a program's); nil in tests that
	// do not look.
	Signal func(ctx context.Context, workflowID, name string, arg any) error
	// Now is the clock; nil means time.Now. Tests set it.
	Now func() time.Time
}

// RecordProgram writes the program's read model. Keyed by (edition, project)
// and guarded by Seq, so running it twice, or late, changes nothing.
func (a *Activities) RecordProgram(ctx context.Context, p store.Program) error {
	if err := a.Store.UpsertProgram(ctx, p); err != nil {
		return fmt.Errorf("record program %s/%s: %w", p.Edition, p.Project, err)
	}
	return nil
}

// Projection is a program's whole state and the audit entries of the
// changes that led to it.
type Projection struct {
	Program store.Program      `json:"program"`
	Audit   []store.AuditEntry `json:"audit,omitempty"`
}

// ProjectProgram writes a program's read model and audit log; idempotent
// (seq-guarded state, seq-keyed audit entries).
func (a *Activities) ProjectProgram(ctx context.Context, p Projection) error {
	if err := a.Store.SaveProgram(ctx, p.Program, p.Audit); err != nil {
		return fmt.Errorf("project program %s/%s: %w", p.Program.Edition, p.Program.Project, err)
	}
	return nil
}

// ApplyProgramChange writes what changed in a program since its previous
// projection (store.ApplyChange). Workflows run it as a local activity,
// inside the workflow task of the change: the caller's Update is answered
// once Postgres shows it, and neither the change nor the program's size
// reaches the workflow's history (a local activity's input is not
// recorded). Idempotent like ProjectProgram.
func (a *Activities) ApplyProgramChange(ctx context.Context, c store.ProgramChange) error {
	if err := a.Store.ApplyChange(ctx, c); err != nil {
		return fmt.Errorf("project program %s/%s: %w", c.Program.Edition, c.Program.Project, err)
	}
	return nil
}

// Notify queues messages in the outbox. Each message carries its business
// idempotency key, so a retry or a replay queues nothing twice.
func (a *Activities) Notify(ctx context.Context, msgs []store.Message) (int, error) {
	n, err := a.Store.Enqueue(ctx, msgs)
	if err != nil {
		return 0, fmt.Errorf("notify: %w", err)
	}
	if n > 0 {
		// Best effort: the dispatcher also looks every minute.
		if err := a.wake(ctx); err != nil {
			a.logger().Warn("cannot wake the outbox dispatcher", "error", err)
		}
	}
	return n, nil
}

func (a *Activities) wake(ctx context.Context) error {
	if a.Wake == nil {
		return nil
	}
	if err := a.Wake(ctx); err != nil {
		return fmt.Errorf("wake the outbox dispatcher: %w", err)
	}
	return nil
}
