package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/tern/v2/migrate"

	"github.com/codecitoyen/suivi/migrations"
)

const versionTable = "public.suivi_schema_version"

// ErrSchemaNewer means the database was migrated by a newer Suivi; running
// older code on it could corrupt data, so Suivi refuses.
var ErrSchemaNewer = errors.New("database schema is newer than this suivi")

// ErrSchemaOlder means migrations are pending.
var ErrSchemaOlder = errors.New("database schema is older than this suivi")

// SchemaStatus tells where the database stands against the embedded migrations.
type SchemaStatus struct {
	Current int32    `json:"current"`
	Latest  int32    `json:"latest"`
	Pending []string `json:"pending"`
}

// Migrate applies pending migrations. tern takes a Postgres advisory lock, so
// two processes starting together apply each migration once. onStart, when
// not nil, is told of each migration as it begins.
func (s *Store) Migrate(ctx context.Context, onStart func(seq int32, name string)) (SchemaStatus, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return SchemaStatus{}, fmt.Errorf("migrate: %w", err)
	}
	defer conn.Release()
	m, err := newMigrator(ctx, conn.Conn())
	if err != nil {
		return SchemaStatus{}, err
	}
	st, err := status(ctx, m)
	if err != nil {
		return st, err
	}
	if st.Current > st.Latest {
		return st, schemaNewer(st)
	}
	if onStart != nil {
		m.OnStart = func(seq int32, name, _, _ string) { onStart(seq, name) }
	}
	// Migrate re-reads the version under the lock, so a concurrent run that
	// finished first leaves nothing to do here.
	if err := m.MigrateTo(ctx, st.Latest); err != nil {
		return st, fmt.Errorf("migrate: %w", err)
	}
	return status(ctx, m)
}

// Schema reports the schema's status without changing anything.
func (s *Store) Schema(ctx context.Context) (SchemaStatus, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return SchemaStatus{}, fmt.Errorf("schema: %w", err)
	}
	defer conn.Release()
	m, err := newMigrator(ctx, conn.Conn())
	if err != nil {
		return SchemaStatus{}, err
	}
	return status(ctx, m)
}

// CheckSchema fails fast when the database is not exactly at the schema this
// binary knows: newer is refused, older asks for `suivi migrate up`.
func (s *Store) CheckSchema(ctx context.Context) error {
	st, err := s.Schema(ctx)
	if err != nil {
		return err
	}
	switch {
	case st.Current > st.Latest:
		return schemaNewer(st)
	case st.Current < st.Latest:
		return fmt.Errorf("%w: at version %d, this suivi needs %d; run `suivi migrate up`", ErrSchemaOlder, st.Current, st.Latest)
	}
	return nil
}

func schemaNewer(st SchemaStatus) error {
	return fmt.Errorf("%w: the database is at version %d but this suivi knows only %d; upgrade suivi before running it on this database",
		ErrSchemaNewer, st.Current, st.Latest)
}

func newMigrator(ctx context.Context, conn *pgx.Conn) (*migrate.Migrator, error) {
	m, err := migrate.NewMigrator(ctx, conn, versionTable)
	if err != nil {
		return nil, fmt.Errorf("migrate: version table: %w", err)
	}
	if err := m.LoadMigrations(migrations.FS); err != nil {
		return nil, fmt.Errorf("migrate: load embedded migrations: %w", err)
	}
	return m, nil
}

func status(ctx context.Context, m *migrate.Migrator) (SchemaStatus, error) {
	cur, err := m.GetCurrentVersion(ctx)
	if err != nil {
		return SchemaStatus{}, fmt.Errorf("migrate: current version: %w", err)
	}
	st := SchemaStatus{Current: cur, Latest: int32(len(m.Migrations)), Pending: []string{}}
	for _, mig := range m.Migrations {
		if mig.Sequence > cur {
			st.Pending = append(st.Pending, mig.Name)
		}
	}
	return st, nil
}
