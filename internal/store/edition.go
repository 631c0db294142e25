package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/codecitoyen/suivi/internal/edition"
)

// Edition is one stored version of an edition: its parsed content as JSON.
type Edition struct {
	ID        string          `json:"id"`
	Version   int             `json:"version"`
	Hash      string          `json:"hash"`
	Spec      json.RawMessage `json:"spec"`
	AppliedAt time.Time       `json:"applied_at"`
}

// Decode returns the edition the record's spec holds.
func (e Edition) Decode() (*edition.Edition, error) {
	var ed edition.Edition
	if err := json.Unmarshal(e.Spec, &ed); err != nil {
		return nil, fmt.Errorf("edition %s: %w", e.ID, err)
	}
	return &ed, nil
}

// ApplyEdition stores spec as a new version of edition id, unless the latest
// version has the same hash: re-applying an unchanged file is a no-op.
func (s *Store) ApplyEdition(ctx context.Context, id, hash string, spec []byte) (version int, changed bool, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// Serialise concurrent applies of one edition.
		if _, err := tx.Exec(ctx, `select pg_advisory_xact_lock(hashtext('edition:' || $1))`, id); err != nil {
			return err
		}
		var latest int
		var latestHash string
		err := tx.QueryRow(ctx, `select version, hash from editions where id = $1 order by version desc limit 1`, id).Scan(&latest, &latestHash)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if latestHash == hash {
			version = latest
			return nil
		}
		version, changed = latest+1, true
		_, err = tx.Exec(ctx, `insert into editions (id, version, hash, spec) values ($1, $2, $3, $4)`, id, version, hash, spec)
		return err
	})
	if err != nil {
		return 0, false, fmt.Errorf("store: edition %s: %w", id, err)
	}
	return version, changed, nil
}

// GetEdition returns the latest version of an edition, or ErrNotFound.
func (s *Store) GetEdition(ctx context.Context, id string) (Edition, error) {
	var e Edition
	err := s.pool.QueryRow(ctx, `
select id, version, hash, spec, applied_at from editions where id = $1 order by version desc limit 1`, id).
		Scan(&e.ID, &e.Version, &e.Hash, &e.Spec, &e.AppliedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Edition{}, fmt.Errorf("store: edition %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Edition{}, fmt.Errorf("store: edition %s: %w", id, err)
	}
	e.AppliedAt = e.AppliedAt.UTC()
	return e, nil
}

// EditionHeads returns the latest version of every edition, by id,
// without its file (Spec): what a page needs to know whether the file it
// decoded before is still the latest (EditionVersion reads a file).
func (s *Store) EditionHeads(ctx context.Context) ([]Edition, error) {
	var out []Edition
	var b Batch
	b.EditionHeads(&out)
	return out, s.Send(ctx, &b)
}

// EditionHeads queues Store.EditionHeads.
func (b *Batch) EditionHeads(out *[]Edition) {
	b.b.Queue(`select distinct on (id) id, version, hash, applied_at from editions order by id, version desc`).Query(func(rows pgx.Rows) error {
		list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Edition, error) {
			var e Edition
			err := r.Scan(&e.ID, &e.Version, &e.Hash, &e.AppliedAt)
			e.AppliedAt = e.AppliedAt.UTC()
			return e, err
		})
		if err != nil {
			return fmt.Errorf("store: editions: %w", err)
		}
		*out = list
		return nil
	})
}

// EditionVersion returns one version of an edition, with its file.
func (s *Store) EditionVersion(ctx context.Context, id string, version int) (Edition, error) {
	var e Edition
	err := s.pool.QueryRow(ctx, `select id, version, hash, spec, applied_at from editions where id = $1 and version = $2`, id, version).
		Scan(&e.ID, &e.Version, &e.Hash, &e.Spec, &e.AppliedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Edition{}, fmt.Errorf("store: edition %s version %d: %w", id, version, ErrNotFound)
	}
	if err != nil {
		return Edition{}, fmt.Errorf("store: edition %s: %w", id, err)
	}
	e.AppliedAt = e.AppliedAt.UTC()
	return e, nil
}

// LatestEditions returns the latest version of every edition, by id.
func (s *Store) LatestEditions(ctx context.Context) ([]Edition, error) {
	rows, err := s.pool.Query(ctx, `
select distinct on (id) id, version, hash, spec, applied_at from editions order by id, version desc`)
	if err != nil {
		return nil, fmt.Errorf("store: editions: %w", err)
	}
	recs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Edition])
	if err != nil {
		return nil, fmt.Errorf("store: editions: %w", err)
	}
	return recs, nil
}

// CurrentEditions returns the latest version of every edition whose
// accompaniment has not ended at now: those whose schedules must exist.
func (s *Store) CurrentEditions(ctx context.Context, now time.Time) ([]*edition.Edition, error) {
	recs, err := s.LatestEditions(ctx)
	if err != nil {
		return nil, err
	}
	var out []*edition.Edition
	for _, r := range recs {
		ed, err := r.Decode()
		if err != nil {
			return nil, err
		}
		if now.Before(ed.End()) {
			out = append(out, ed)
		}
	}
	return out, nil
}

// EditionHead is the newest version of an edition without its file (id,
// version, hash, applied), or ErrNotFound: a one-row index read, so a
// reader keeps the decoded file until a newer version is applied.
func (s *Store) EditionHead(ctx context.Context, id string) (Edition, error) {
	var e Edition
	err := s.pool.QueryRow(ctx, `select id, version, hash, applied_at from editions where id = $1 order by version desc limit 1`, id).
		Scan(&e.ID, &e.Version, &e.Hash, &e.AppliedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return Edition{}, fmt.Errorf("store: edition %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Edition{}, fmt.Errorf("store: edition %s: %w", id, err)
	}
	e.AppliedAt = e.AppliedAt.UTC()
	return e, nil
}
