package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/codecitoyen/suivi/internal/github"
)

// GetValidators returns the ETag and Last-Modified stored for a request.
func (s *Store) GetValidators(ctx context.Context, key string) (string, string, error) {
	var etag, lm string
	err := s.pool.QueryRow(ctx, `select etag, last_modified from http_validators where key = $1`, key).Scan(&etag, &lm)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("store: validators: %w", err)
	}
	return etag, lm, nil
}

// PutValidators stores the ETag and Last-Modified of a 200.
func (s *Store) PutValidators(ctx context.Context, key, etag, lm string) error {
	_, err := s.pool.Exec(ctx, `
insert into http_validators (key, etag, last_modified) values ($1, $2, $3)
on conflict (key) do update set etag = excluded.etag, last_modified = excluded.last_modified, updated_at = now()`, key, etag, lm)
	if err != nil {
		return fmt.Errorf("store: validators: %w", err)
	}
	return nil
}

// ActivePhases are the phases of a program under way: its repositories are
// watched, its licence and its activity followed.
var ActivePhases = []string{"selected", "hackathon", "demo", "accompaniment"}

// Active says whether the program is in one of ActivePhases.
func (p Program) Active() bool { return slices.Contains(ActivePhases, p.Phase) }

// activePhases is ActivePhases as an SQL list.
var activePhases = "('" + strings.Join(ActivePhases, "', '") + "')"

// SyncRepos adds to the watch list every repository of a program in an
// active phase, and returns how many are watched.
func (s *Store) SyncRepos(ctx context.Context) (int, error) {
	_, err := s.pool.Exec(ctx, `
insert into repos (name, current_name)
select distinct lower(`+repoPath+`), `+repoPath+`
from programs, unnest(repositories) as r
where phase in `+activePhases+` and r like 'https://github.com/%'
on conflict (name) do nothing`)
	if err != nil {
		return 0, fmt.Errorf("store: sync repos: %w", err)
	}
	var n int
	err = s.pool.QueryRow(ctx, `select count(*) from repos where name in (`+watchedNames+`)`).Scan(&n)
	return n, err
}

// repoPath is "owner/name" of a repository URL r, as programs hold it;
// repos are keyed by its lower case (RepoKey in Go).
const repoPath = `substr(r, length('https://github.com/') + 1)`

// watchedNames selects the repositories of programs in active phases.
var watchedNames = `select lower(` + repoPath + `) from programs, unnest(repositories) as r where phase in ` + activePhases

// programNames selects the repositories of one program ($1/$2).
const programNames = `select lower(` + repoPath + `) from programs, unnest(repositories) as r where edition = $1 and project = $2`

// Repo is a watched repository as last seen.
type Repo struct {
	Name          string    `json:"name"`
	CurrentName   string    `json:"current_name"`
	Status        string    `json:"status"`
	RenamedFrom   string    `json:"renamed_from,omitempty"`
	PushedAt      time.Time `json:"pushed_at,omitzero"`
	CreatedAt     time.Time `json:"created_at,omitzero"`
	DefaultBranch string    `json:"default_branch,omitempty"`
	Archived      bool      `json:"archived"`
	Stars         int       `json:"stars"`
	Forks         int       `json:"forks"`
	OpenIssues    int       `json:"open_issues"`
	License       string    `json:"license,omitempty"`
	LastPolledAt  time.Time `json:"last_polled_at,omitzero"`
	CommitsAt     time.Time `json:"commits_at,omitzero"`
	HeadSHA       string    `json:"head_sha,omitempty"`
	IssuesAt      time.Time `json:"issues_at,omitzero"`
	ReleasesAt    time.Time `json:"releases_at,omitzero"`
	CheckedAt     time.Time `json:"checked_at,omitzero"`
	LastError     string    `json:"last_error,omitempty"`
	// LicenceSPDX, LicenceOpen and LicenceReason are the last licence check.
	LicenceSPDX   string `json:"licence_spdx,omitempty"`
	LicenceOpen   bool   `json:"licence_open"`
	LicenceReason string `json:"licence_reason,omitempty"`
}

const repoColumns = `name, current_name, status, renamed_from, pushed_at, created_at, default_branch, archived,
    stars, forks, open_issues, license, last_polled_at, checked_at, last_error, commits_at, head_sha, issues_at, releases_at,
    licence_spdx, coalesce(licence_open, false), licence_reason`

func scanRepo(row pgx.Row) (Repo, error) {
	var r Repo
	var pushed, created, polled, checked, commits, issues, releases *time.Time
	err := row.Scan(&r.Name, &r.CurrentName, &r.Status, &r.RenamedFrom, &pushed, &created, &r.DefaultBranch, &r.Archived,
		&r.Stars, &r.Forks, &r.OpenIssues, &r.License, &polled, &checked, &r.LastError, &commits, &r.HeadSHA, &issues, &releases,
		&r.LicenceSPDX, &r.LicenceOpen, &r.LicenceReason)
	for _, p := range []struct {
		src *time.Time
		dst *time.Time
	}{{pushed, &r.PushedAt}, {created, &r.CreatedAt}, {polled, &r.LastPolledAt}, {checked, &r.CheckedAt}, {commits, &r.CommitsAt},
		{issues, &r.IssuesAt}, {releases, &r.ReleasesAt}} {
		if p.src != nil {
			*p.dst = p.src.UTC()
		}
	}
	return r, err
}

// WatchedRepos returns up to limit watched repositories named after
// `after`, in name order: a cursor over the watch list.
func (s *Store) WatchedRepos(ctx context.Context, after string, limit int) ([]Repo, error) {
	return s.queryRepos(ctx, "watched repos", `select `+repoColumns+` from repos
where name > $1 and name in (`+watchedNames+`) order by name limit $2`, after, limit)
}

// queryRepos runs a select of repoColumns; what names it in errors.
func (s *Store) queryRepos(ctx context.Context, what, sql string, args ...any) ([]Repo, error) {
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Repo, error) { return scanRepo(r) })
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}

// ProgramRepos returns the watched state of a program's repositories.
func (s *Store) ProgramRepos(ctx context.Context, edition, project string) ([]Repo, error) {
	return s.queryRepos(ctx, "repos of "+edition+"/"+project,
		`select `+repoColumns+` from repos where name in (`+programNames+`) order by name`, edition, project)
}

// RepoError records why a repository could not be polled.
func (s *Store) RepoError(ctx context.Context, name, msg string) error {
	_, err := s.pool.Exec(ctx, `update repos set last_error = $2 where name = $1`, name, msg)
	return err
}

// SaveObservation records one poll: the repository's state, a snapshot
// when it changed, and the commits, issues and releases seen (idempotent).
func (s *Store) SaveObservation(ctx context.Context, name string, obs github.Observation, at time.Time) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		switch obs.Status {
		case "skipped":
			return nil
		case "unchanged":
			// A repository back after a 404 with the same content answers
			// 304: it is found again.
			if _, err := tx.Exec(ctx, `update repos set last_polled_at = $2, checked_at = $2, last_error = '',
    status = case when status = 'not_found' then 'ok' else status end,
    not_found_since = null where name = $1`, name, at); err != nil {
				return err
			}
			return saveLists(ctx, tx, name, obs, at)
		case "not_found":
			_, err := tx.Exec(ctx, `update repos set status = 'not_found', checked_at = $2, last_error = '',
    not_found_since = coalesce(not_found_since, $2) where name = $1`, name, at)
			return err
		}
		if _, err := tx.Exec(ctx, `
update repos set status = 'ok', changed_at = $12, current_name = $2, renamed_from = case when $3 <> '' then $3 else renamed_from end,
    pushed_at = $4, created_at = $5, default_branch = $6, archived = $7, stars = $8, forks = $9, open_issues = $10,
    license = $11, last_polled_at = $12, checked_at = $12, not_found_since = null, last_error = ''
where name = $1`, name, obs.Name, obs.RenamedFrom, nullTime(obs.PushedAt), nullTime(obs.CreatedAt), obs.DefaultBranch,
			obs.Archived, obs.Stars, obs.Forks, obs.OpenIssues, obs.License, at); err != nil {
			return err
		}
		if err := saveLists(ctx, tx, name, obs, at); err != nil {
			return err
		}
		authors := map[string]bool{}
		for _, c := range obs.Commits {
			authors[c.Author] = true
		}
		var io, ic, po, pc, fr int
		for _, i := range obs.Issues {
			if i.PR {
				po, pc = po+count(!i.Created.IsZero()), pc+count(!i.Closed.IsZero())
			} else {
				io, ic = io+count(!i.Created.IsZero()), ic+count(!i.Closed.IsZero())
			}
			fr += count(!i.FirstResponse.IsZero())
		}
		names := make([]string, 0, len(authors))
		for a := range authors {
			names = append(names, a)
		}
		_, err := tx.Exec(ctx, `
insert into repo_snapshots (repo, polled_at, pushed_at, default_branch, archived, stars, forks, open_issues, commits, authors,
    issues_opened, issues_closed, prs_opened, prs_closed, first_responses, releases, license)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
			name, at, nullTime(obs.PushedAt), obs.DefaultBranch, obs.Archived, obs.Stars, obs.Forks, obs.OpenIssues,
			len(obs.Commits), names, io, ic, po, pc, fr, len(obs.Releases), obs.License)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: observation of %s: %w", name, err)
	}
	return nil
}

// saveLists records the commits, issues and releases a poll read, and
// moves the marks of the lists it read.
func saveLists(ctx context.Context, tx pgx.Tx, name string, obs github.Observation, at time.Time) error {
	if obs.CommitsFetched {
		for _, c := range obs.Commits {
			if _, err := tx.Exec(ctx, `insert into repo_commits (repo, sha, author, committed_at, seen_at) values ($1, $2, $3, $4, $5)
on conflict do nothing`, name, c.SHA, c.Author, c.Date, at); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `update repos set commits_at = $2, head_sha = $3 where name = $1`, name, at, obs.HeadSHA); err != nil {
			return err
		}
	}
	for _, i := range obs.Issues {
		if _, err := tx.Exec(ctx, `
insert into repo_issues (repo, number, is_pr, author, created_at, closed_at, first_response_at,
    seen_at, closed_seen_at, first_response_seen_at)
values ($1, $2, $3, $4, $5, $6, $7, $8, case when $6::timestamptz is not null then $8 end, case when $7::timestamptz is not null then $8 end)
on conflict (repo, number) do update set closed_at = excluded.closed_at,
    closed_seen_at = case when excluded.closed_at is null then null
        when repo_issues.closed_at is not distinct from excluded.closed_at then repo_issues.closed_seen_at
        else excluded.closed_seen_at end,
    first_response_at = coalesce(repo_issues.first_response_at, excluded.first_response_at),
    first_response_seen_at = coalesce(repo_issues.first_response_seen_at, excluded.first_response_seen_at)`,
			name, i.Number, i.PR, i.Author, i.Created, nullTime(i.Closed), nullTime(i.FirstResponse), at); err != nil {
			return err
		}
	}
	for _, r := range obs.Releases {
		if _, err := tx.Exec(ctx, `insert into repo_releases (repo, tag, published_at, seen_at) values ($1, $2, $3, $4) on conflict do nothing`,
			name, r.Tag, r.Published, at); err != nil {
			return err
		}
	}
	_, err := tx.Exec(ctx, `update repos set
    issues_at = case when $2 then $4 else issues_at end,
    releases_at = case when $3 then $4 else releases_at end
where name = $1`, name, obs.IssuesFetched, obs.ReleasesFetched, at)
	return err
}

func count(b bool) int {
	if b {
		return 1
	}
	return 0
}

// RepoHistory returns the commits, issues and releases of some repositories
// since a time.
func (s *Store) RepoHistory(ctx context.Context, names []string, since time.Time) (github.Histories, error) {
	h := github.Histories{FirstCommit: map[string]time.Time{}}
	rows, err := s.pool.Query(ctx, `select sha, author, committed_at from repo_commits where repo = any($1) and committed_at >= $2 order by committed_at`, names, since)
	if err != nil {
		return h, fmt.Errorf("store: history: %w", err)
	}
	if h.Commits, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (github.Commit, error) {
		var c github.Commit
		err := r.Scan(&c.SHA, &c.Author, &c.Date)
		return c, err
	}); err != nil {
		return h, fmt.Errorf("store: history: %w", err)
	}
	rows, err = s.pool.Query(ctx, `select author, min(committed_at) from repo_commits where repo = any($1) group by author`, names)
	if err != nil {
		return h, fmt.Errorf("store: history: %w", err)
	}
	var a string
	var t time.Time
	if _, err := pgx.ForEachRow(rows, []any{&a, &t}, func() error {
		h.FirstCommit[a] = t
		return nil
	}); err != nil {
		return h, fmt.Errorf("store: history: %w", err)
	}
	rows, err = s.pool.Query(ctx, `select number, is_pr, author, created_at, closed_at, first_response_at from repo_issues
where repo = any($1) and (created_at >= $2 or closed_at >= $2)`, names, since)
	if err != nil {
		return h, fmt.Errorf("store: history: %w", err)
	}
	if h.Issues, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (github.Issue, error) {
		var i github.Issue
		var closed, first *time.Time
		err := r.Scan(&i.Number, &i.PR, &i.Author, &i.Created, &closed, &first)
		if closed != nil {
			i.Closed = *closed
		}
		if first != nil {
			i.FirstResponse = *first
		}
		return i, err
	}); err != nil {
		return h, fmt.Errorf("store: history: %w", err)
	}
	rows, err = s.pool.Query(ctx, `select tag, published_at from repo_releases where repo = any($1) and published_at >= $2`, names, since)
	if err != nil {
		return h, fmt.Errorf("store: history: %w", err)
	}
	if h.Releases, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (github.Release, error) {
		var rel github.Release
		err := r.Scan(&rel.Tag, &rel.Published)
		return rel, err
	}); err != nil {
		return h, fmt.Errorf("store: history: %w", err)
	}
	return h, nil
}

// RepoKey is the watch-list name of a canonical repository URL.
func RepoKey(url string) string {
	return strings.ToLower(strings.TrimPrefix(url, "https://github.com/"))
}

// LastCommit is the most recent activity of some repositories: their
// latest recorded commit, else their latest push; zero when never polled.
func (s *Store) LastCommit(ctx context.Context, names []string) (time.Time, error) {
	var t *time.Time
	err := s.pool.QueryRow(ctx, `select greatest(
    (select max(committed_at) from repo_commits where repo = any($1)),
    (select max(pushed_at) from repos where name = any($1)))`, names).Scan(&t)
	if err != nil || t == nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// Licence is what the licence check found for a repository.
type Licence struct {
	SPDX       string          `json:"spdx"`
	Open       bool            `json:"open"`
	Category   string          `json:"category"`
	Confidence float64         `json:"confidence"`
	Reason     string          `json:"reason"`
	Files      json.RawMessage `json:"files"`
	CheckedAt  time.Time       `json:"checked_at"`
}

// ReposToCheck returns watched repositories whose licence was never
// checked, or not since they last changed, or not for a week.
func (s *Store) ReposToCheck(ctx context.Context, limit int, now time.Time) ([]Repo, error) {
	return s.queryRepos(ctx, "repos to check", `select `+repoColumns+` from repos
where status = 'ok' and name in (`+watchedNames+`)
  and (licence_checked_at is null or licence_checked_at < pushed_at or licence_checked_at < $2::timestamptz - interval '7 days')
order by licence_checked_at nulls first, name limit $1`, limit, now)
}

// SaveLicence records a licence check.
func (s *Store) SaveLicence(ctx context.Context, name string, l Licence) error {
	files := l.Files
	if len(files) == 0 {
		files = json.RawMessage("[]")
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// The history keeps a verdict only when it differs from the last.
		if _, err := tx.Exec(ctx, `insert into repo_licences (repo, checked_at, spdx, open)
select $1, $2, $3, $4 where not exists (
    select 1 from repos where name = $1 and licence_checked_at is not null
      and licence_spdx = $3 and licence_open is not distinct from $4)
on conflict do nothing`, name, l.CheckedAt, l.SPDX, l.Open); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `update repos set licence_spdx = $2, licence_open = $3, licence_category = $4,
    licence_confidence = $5, licence_reason = $6, licence_files = $7, licence_checked_at = $8 where name = $1`,
			name, l.SPDX, l.Open, l.Category, l.Confidence, l.Reason, files, l.CheckedAt)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: licence of %s: %w", name, err)
	}
	return nil
}

// LicenceError records a failed licence check: tried again after the next
// push or in a week, not at once (a check that always fails must not spin).
func (s *Store) LicenceError(ctx context.Context, name, msg string, at time.Time) error {
	_, err := s.pool.Exec(ctx, `update repos set licence_checked_at = $2, licence_reason = $3 where name = $1`, name, at, "the check failed: "+msg)
	if err != nil {
		return fmt.Errorf("store: licence of %s: %w", name, err)
	}
	return nil
}

// ProgramLicences returns the licence check of each of a program's
// repositories that was checked, by repository.
func (s *Store) ProgramLicences(ctx context.Context, edition, project string) (map[string]Licence, error) {
	rows, err := s.pool.Query(ctx, `select name, licence_spdx, coalesce(licence_open, false), licence_category, licence_confidence,
    licence_reason, licence_files, licence_checked_at from repos
where licence_checked_at is not null and name in (`+programNames+`)`, edition, project)
	if err != nil {
		return nil, fmt.Errorf("store: licences of %s/%s: %w", edition, project, err)
	}
	defer rows.Close()
	out := map[string]Licence{}
	for rows.Next() {
		var name string
		var l Licence
		if err := rows.Scan(&name, &l.SPDX, &l.Open, &l.Category, &l.Confidence, &l.Reason, &l.Files, &l.CheckedAt); err != nil {
			return nil, err
		}
		l.CheckedAt = l.CheckedAt.UTC()
		out[name] = l
	}
	return out, rows.Err()
}
