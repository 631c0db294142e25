package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/github"
)

// ReportScope chooses a report's programs: those a funder funds, or those
// of an edition (optionally of one city).
type ReportScope struct {
	Funder  string
	Edition string
	City    string
	// From is the reported month's start: a program whose funding ended
	// before it is left out. Zero means the instant of the facts.
	From time.Time
}

// ReportFacts is everything Suivi knew at AsOf about a report's programs.
// Every fact recorded at or after AsOf is left out, so the same scope and
// instant always give the same facts.
type ReportFacts struct {
	AsOf     time.Time
	Programs []ReportProgram
	// Repos by RepoKey.
	Repos map[string]*RepoFacts
	// Editions by id (their latest version).
	Editions map[string]*edition.Edition
}

// ReportProgram is one program: what it is now (name, repositories,
// milestones as defined), and its history before AsOf.
type ReportProgram struct {
	Edition, Project, Name, City, Theme string
	StartedAt                           time.Time
	Repositories                        []string
	Phases                              []PhaseAt
	// Milestones as they stand now; the audit log says how they stood
	// at AsOf (submissions, closures, extensions).
	Milestones []Milestone
	Audit      []AuditEntry
}

// PhaseAt is a phase and when it began.
type PhaseAt struct {
	Phase string
	Since time.Time
}

// RepoFacts is one repository's history before AsOf.
type RepoFacts struct {
	Name, CurrentName, RenamedFrom string
	Commits                        []github.Commit
	Issues                         []github.Issue
	Releases                       []github.Release
	// Licence is the last verdict before AsOf; nil when none was.
	Licence *LicenceAt
}

// LicenceAt is a licence verdict.
type LicenceAt struct {
	SPDX string
	Open bool
}

// reportActions are the audit entries a report reads.
var reportActions = []string{"submit", "complete", "waive", "extend", "attend", "pause", "resume"}

// ReportFacts loads the facts of a scope as of an instant.
func (s *Store) ReportFacts(ctx context.Context, scope ReportScope, asOf time.Time) (*ReportFacts, error) {
	f := &ReportFacts{AsOf: asOf, Repos: map[string]*RepoFacts{}, Editions: map[string]*edition.Edition{}}
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		return loadFacts(ctx, tx, scope, f)
	})
	if err != nil {
		return nil, fmt.Errorf("store: report facts: %w", err)
	}
	return f, nil
}

func loadFacts(ctx context.Context, tx pgx.Tx, scope ReportScope, f *ReportFacts) error {
	asOf := f.AsOf
	// The programs started before asOf, in a stable order.
	rows, err := tx.Query(ctx, `
select p.edition, p.project, p.name, p.city, p.theme, p.started_at, p.repositories from programs p
where p.started_at < $1
  and ($2 = '' or exists (select 1 from program_funders pf where pf.edition = p.edition and pf.project = p.project and pf.funder = $2
      and pf.funded_at < $1 and (pf.unfunded_at is null or pf.unfunded_at >= $5)))
  and ($3 = '' or p.edition = $3)
  and ($4 = '' or lower(p.city) = lower($4))
order by p.edition, p.project`, asOf, scope.Funder, scope.Edition, scope.City, cmp.Or(scope.From, asOf))
	if err != nil {
		return err
	}
	f.Programs, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (ReportProgram, error) {
		var p ReportProgram
		err := r.Scan(&p.Edition, &p.Project, &p.Name, &p.City, &p.Theme, &p.StartedAt, &p.Repositories)
		return p, err
	})
	if err != nil {
		return err
	}
	if len(f.Programs) == 0 {
		return nil
	}
	index := map[string]int{}
	var editions, projects []string
	var repoNames []string
	for i, p := range f.Programs {
		index[p.Edition+"/"+p.Project] = i
		editions, projects = append(editions, p.Edition), append(projects, p.Project)
		for _, r := range p.Repositories {
			k := RepoKey(r)
			if _, ok := f.Repos[k]; !ok {
				f.Repos[k] = &RepoFacts{Name: k}
				repoNames = append(repoNames, k)
			}
		}
		if _, ok := f.Editions[p.Edition]; !ok {
			f.Editions[p.Edition] = nil
		}
	}
	// Programs are matched by (edition, project) pairs.
	pairs := `(select * from unnest($1::text[], $2::text[]) as k(edition, project))`
	at := func(edition, project string) *ReportProgram {
		if i, ok := index[edition+"/"+project]; ok {
			return &f.Programs[i]
		}
		return nil
	}

	rows, err = tx.Query(ctx, `select x.edition, x.project, x.phase, x.since from program_phases x join `+pairs+` k using (edition, project)
where x.since < $3 order by x.edition, x.project, x.seq`, editions, projects, asOf)
	if err != nil {
		return err
	}
	var ed, pr string
	var ph PhaseAt
	if _, err := pgx.ForEachRow(rows, []any{&ed, &pr, &ph.Phase, &ph.Since}, func() error {
		if p := at(ed, pr); p != nil {
			p.Phases = append(p.Phases, ph)
		}
		return nil
	}); err != nil {
		return err
	}

	rows, err = tx.Query(ctx, `select m.edition, m.project, m.id, m.title_fr, m.title_en, to_char(m.due, 'YYYY-MM-DD'), m.evidence, m.optional
from milestones m join `+pairs+` k using (edition, project) order by m.edition, m.project, m.position`, editions, projects)
	if err != nil {
		return err
	}
	var m Milestone
	if _, err := pgx.ForEachRow(rows, []any{&ed, &pr, &m.ID, &m.TitleFR, &m.TitleEN, &m.Due, &m.Evidence, &m.Optional}, func() error {
		if p := at(ed, pr); p != nil {
			p.Milestones = append(p.Milestones, m)
		}
		return nil
	}); err != nil {
		return err
	}

	// Extensions after asOf are read too: they say what the due date was.
	rows, err = tx.Query(ctx, `select a.edition, a.project, a.seq, a.at, a.actor, a.action, a.detail from audit_log a join `+pairs+` k using (edition, project)
where a.action = any($4) and (a.at < $3 or a.action = 'extend') order by a.edition, a.project, a.seq`, editions, projects, asOf, reportActions)
	if err != nil {
		return err
	}
	var a AuditEntry
	if _, err := pgx.ForEachRow(rows, []any{&ed, &pr, &a.Seq, &a.At, &a.Actor, &a.Action, &a.Detail}, func() error {
		if p := at(ed, pr); p != nil {
			p.Audit = append(p.Audit, a)
		}
		a.Detail = nil
		return nil
	}); err != nil {
		return err
	}

	if err := loadRepoFacts(ctx, tx, repoNames, f); err != nil {
		return err
	}
	for id := range f.Editions {
		var spec []byte
		err := tx.QueryRow(ctx, `select spec from editions where id = $1 order by version desc limit 1`, id).Scan(&spec)
		if errors.Is(err, pgx.ErrNoRows) {
			delete(f.Editions, id)
			continue
		}
		if err != nil {
			return err
		}
		e, err := Edition{ID: id, Spec: spec}.Decode()
		if err != nil {
			return err
		}
		f.Editions[id] = e
	}
	return nil
}

func loadRepoFacts(ctx context.Context, tx pgx.Tx, names []string, f *ReportFacts) error {
	asOf := f.AsOf
	rows, err := tx.Query(ctx, `select name, current_name, renamed_from from repos where name = any($1)`, names)
	if err != nil {
		return err
	}
	var name, cur, from string
	if _, err := pgx.ForEachRow(rows, []any{&name, &cur, &from}, func() error {
		f.Repos[name].CurrentName, f.Repos[name].RenamedFrom = cur, from
		return nil
	}); err != nil {
		return err
	}
	// In no order: a report's figures do not depend on it, and sorting a
	// few hundred thousand rows is most of the query's time.
	var c github.Commit
	rows, err = tx.Query(ctx, `select repo, sha, author, committed_at from repo_commits
where repo = any($1) and seen_at < $2 and committed_at < $2`, names, asOf)
	if err != nil {
		return err
	}
	if _, err := pgx.ForEachRow(rows, []any{&name, &c.SHA, &c.Author, &c.Date}, func() error {
		f.Repos[name].Commits = append(f.Repos[name].Commits, c)
		return nil
	}); err != nil {
		return err
	}
	rows, err = tx.Query(ctx, `select repo, number, is_pr, author, created_at,
    case when closed_seen_at < $2 and closed_at < $2 then closed_at end,
    case when first_response_seen_at < $2 and first_response_at < $2 then first_response_at end
from repo_issues where repo = any($1) and seen_at < $2 and created_at < $2 order by repo, number`, names, asOf)
	if err != nil {
		return err
	}
	var i github.Issue
	var closed, first *time.Time
	if _, err := pgx.ForEachRow(rows, []any{&name, &i.Number, &i.PR, &i.Author, &i.Created, &closed, &first}, func() error {
		i.Closed, i.FirstResponse = time.Time{}, time.Time{}
		if closed != nil {
			i.Closed = *closed
		}
		if first != nil {
			i.FirstResponse = *first
		}
		f.Repos[name].Issues = append(f.Repos[name].Issues, i)
		return nil
	}); err != nil {
		return err
	}
	var rel github.Release
	rows, err = tx.Query(ctx, `select repo, tag, published_at from repo_releases
where repo = any($1) and seen_at < $2 and published_at < $2 order by repo, published_at, tag`, names, asOf)
	if err != nil {
		return err
	}
	if _, err := pgx.ForEachRow(rows, []any{&name, &rel.Tag, &rel.Published}, func() error {
		f.Repos[name].Releases = append(f.Repos[name].Releases, rel)
		return nil
	}); err != nil {
		return err
	}
	var l LicenceAt
	var open *bool
	rows, err = tx.Query(ctx, `select distinct on (repo) repo, spdx, open from repo_licences
where repo = any($1) and checked_at < $2 order by repo, checked_at desc`, names, asOf)
	if err != nil {
		return err
	}
	_, err = pgx.ForEachRow(rows, []any{&name, &l.SPDX, &open}, func() error {
		v := l
		v.Open = open != nil && *open
		f.Repos[name].Licence = &v
		return nil
	})
	return err
}
