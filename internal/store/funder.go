package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Funder is an organisation that funds programs and receives a monthly
// report on them.
type Funder struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
	Lang string `json:"lang"`
	// Contacts receive the report; each holds the funder role.
	Contacts []string `json:"contacts"`
	// Programs it funds, "edition/project" (filled by GetFunder).
	Programs []string `json:"programs,omitempty"`
	// Readers hold the funder role for it: its contacts and anyone given
	// the role by `suivi user add --role funder` (filled by GetFunder).
	Readers []string `json:"readers,omitempty"`
}

// ErrFunderExists is returned when adding a funder whose slug is taken.
var ErrFunderExists = errors.New("funder exists")

// ErrUnknownFunder is returned when a program is linked to a funder that
// was never added.
var ErrUnknownFunder = errors.New("unknown funder")

// AddFunder adds a funder and grants each contact the funder role, in one
// transaction.
func (s *Store) AddFunder(ctx context.Context, f Funder, by string) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `insert into funders (slug, name, lang) values ($1, $2, $3) on conflict do nothing`, f.Slug, f.Name, f.Lang)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrFunderExists
		}
		return setContacts(ctx, tx, f.Slug, f.Contacts, by)
	})
	if err != nil {
		return fmt.Errorf("store: funder %s: %w", f.Slug, err)
	}
	return nil
}

// SetFunder changes a funder's name, language and contacts; contacts no
// longer listed lose the funder role for it.
func (s *Store) SetFunder(ctx context.Context, f Funder, by string) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `update funders set name = $2, lang = $3 where slug = $1`, f.Slug, f.Name, f.Lang)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		if _, err := tx.Exec(ctx, `delete from grants where role = 'funder' and funder = $1 and email in
    (select email from funder_contacts where funder = $1 and email <> all($2))`, f.Slug, f.Contacts); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `delete from funder_contacts where funder = $1`, f.Slug); err != nil {
			return err
		}
		return setContacts(ctx, tx, f.Slug, f.Contacts, by)
	})
	if err != nil {
		return fmt.Errorf("store: funder %s: %w", f.Slug, err)
	}
	return nil
}

func setContacts(ctx context.Context, tx pgx.Tx, slug string, contacts []string, by string) error {
	if _, err := tx.Exec(ctx, `insert into funder_contacts (funder, email) select $1, lower(e) from unnest($2::text[]) e on conflict do nothing`,
		slug, contacts); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `insert into grants (email, role, funder, created_by) select lower(e), 'funder', $1, $3 from unnest($2::text[]) e
on conflict do nothing`, slug, contacts, by)
	return err
}

// GetFunder returns a funder with its contacts and programs.
func (s *Store) GetFunder(ctx context.Context, slug string) (Funder, error) {
	var f Funder
	err := s.pool.QueryRow(ctx, `select slug, name, lang,
    array(select email from funder_contacts where funder = f.slug order by email),
    array(select edition || '/' || project from program_funders where funder = f.slug and unfunded_at is null order by 1),
    array(select distinct email from grants where role = 'funder' and funder = f.slug order by 1)
from funders f where slug = $1`, slug).Scan(&f.Slug, &f.Name, &f.Lang, &f.Contacts, &f.Programs, &f.Readers)
	if errors.Is(err, pgx.ErrNoRows) {
		return Funder{}, fmt.Errorf("store: funder %s: %w", slug, ErrNotFound)
	}
	if err != nil {
		return Funder{}, fmt.Errorf("store: funder %s: %w", slug, err)
	}
	return f, nil
}

// ListFunders returns every funder with its contacts, by slug.
func (s *Store) ListFunders(ctx context.Context) ([]Funder, error) {
	rows, err := s.pool.Query(ctx, `select slug, name, lang,
    array(select email from funder_contacts where funder = f.slug order by email),
    array(select edition || '/' || project from program_funders where funder = f.slug and unfunded_at is null order by 1)
from funders f order by slug`)
	if err != nil {
		return nil, fmt.Errorf("store: funders: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Funder, error) {
		var f Funder
		err := r.Scan(&f.Slug, &f.Name, &f.Lang, &f.Contacts, &f.Programs)
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: funders: %w", err)
	}
	return out, nil
}

// isForeignKey reports a foreign key violation on the named constraint.
func isForeignKey(err error, constraint string) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23503" && pe.ConstraintName == constraint
}

// StoredReport is a report as generated: its figures and files.
type StoredReport struct {
	ID          int64
	Kind        string
	Subject     string
	City        string
	Month       string
	Lang        string
	GeneratedAt time.Time
	Data        []byte // the report's figures, JSON
	PDF, CSV    []byte
}

// SaveReport stores a report unless one for the same kind, subject, city,
// month and language exists: the first one stays, never rewritten. It
// returns the stored report's id and whether this call wrote it.
func (s *Store) SaveReport(ctx context.Context, r StoredReport) (int64, bool, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `insert into reports (kind, subject, city, month, lang, data, pdf, csv)
values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict do nothing returning id`,
		r.Kind, r.Subject, r.City, r.Month, r.Lang, r.Data, r.PDF, r.CSV).Scan(&id)
	if err == nil {
		return id, true, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return 0, false, fmt.Errorf("store: report %s %s %s: %w", r.Kind, r.Subject, r.Month, err)
	}
	old, err := s.FindReport(ctx, r.Kind, r.Subject, r.City, r.Month, r.Lang)
	if err != nil {
		return 0, false, err
	}
	return old.ID, false, nil
}

// FindReport returns the stored report for a kind, subject, city, month
// and language, or ErrNotFound.
func (s *Store) FindReport(ctx context.Context, kind, subject, city, month, lang string) (StoredReport, error) {
	return s.scanReport(ctx, `where kind = $1 and subject = $2 and city = $3 and month = $4 and lang = $5`, kind, subject, city, month, lang)
}

// GetReport returns a stored report by id.
func (s *Store) GetReport(ctx context.Context, id int64) (StoredReport, error) {
	return s.scanReport(ctx, `where id = $1`, id)
}

func (s *Store) scanReport(ctx context.Context, where string, args ...any) (StoredReport, error) {
	var r StoredReport
	err := s.pool.QueryRow(ctx, `select id, kind, subject, city, month, lang, generated_at, data, pdf, csv from reports `+where, args...).
		Scan(&r.ID, &r.Kind, &r.Subject, &r.City, &r.Month, &r.Lang, &r.GeneratedAt, &r.Data, &r.PDF, &r.CSV)
	if errors.Is(err, pgx.ErrNoRows) {
		return StoredReport{}, fmt.Errorf("store: report: %w", ErrNotFound)
	}
	if err != nil {
		return StoredReport{}, fmt.Errorf("store: report: %w", err)
	}
	return r, nil
}

// FunderReports lists the months of a funder's stored reports, newest first.
func (s *Store) FunderReports(ctx context.Context, slug string) ([]string, error) {
	rows, err := s.pool.Query(ctx, `select distinct month from reports where kind = 'funder' and subject = $1 order by month desc limit 120`, slug)
	if err != nil {
		return nil, fmt.Errorf("store: reports of %s: %w", slug, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("store: reports of %s: %w", slug, err)
	}
	return out, nil
}
