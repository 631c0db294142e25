package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/codecitoyen/suivi/internal/auth"
)

// Pool is the connection pool, for what keeps its own tables in Suivi's
// database (the web sessions of scs/pgxstore).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// ErrLinkInvalid is a magic link that is unknown, used or expired; the
// three are told apart to nobody.
var ErrLinkInvalid = errors.New("this sign-in link is not valid: it was used, it expired (links last 15 minutes), or it was altered; ask for a new one")

// Person loads who email is to Suivi: their grants, and whether programs
// list them as holder or mentor. Someone Suivi does not know is a Person
// with nothing: every decision on them is no.
func (s *Store) Person(ctx context.Context, email string) (*auth.Person, error) {
	p, _, err := s.person(ctx, email, false)
	return p, err
}

// SessionPerson is Person with SessionEpoch, in one round trip: what every
// request signed in with a session reads.
func (s *Store) SessionPerson(ctx context.Context, email string) (*auth.Person, int, error) {
	return s.person(ctx, email, true)
}

func (s *Store) person(ctx context.Context, email string, withEpoch bool) (*auth.Person, int, error) {
	email = strings.ToLower(email)
	p, epoch, err := scanPerson(s.pool.QueryRow(ctx, `select w.email, `+personColumns+`
from (select $1::text as email) w cross join lateral `+personGrants, email))
	if err != nil {
		return nil, 0, fmt.Errorf("store: person %s: %w", email, err)
	}
	return p, epoch, nil
}

// personColumns and personGrants read, in one statement, who w.email is:
// their grants (as arrays, in order), whether programs list them as
// holder or mentor, and their session epoch (scanPerson reads them).
const personColumns = `g.ids, g.roles, g.cities, g.editions, g.funders,
    exists (select 1 from program_people where email = w.email and role = 'holder'),
    exists (select 1 from program_people where email = w.email and role = 'mentor'),
    coalesce((select session_epoch from people where people.email = lower(w.email)), 0)`

const personGrants = `(select coalesce(array_agg(id order by role, city, edition, funder), '{}') as ids,
        coalesce(array_agg(role order by role, city, edition, funder), '{}') as roles,
        coalesce(array_agg(city order by role, city, edition, funder), '{}') as cities,
        coalesce(array_agg(edition order by role, city, edition, funder), '{}') as editions,
        coalesce(array_agg(funder order by role, city, edition, funder), '{}') as funders
    from grants where email = lower(w.email)) g`

// scanPerson reads an email then personColumns.
func scanPerson(row pgx.Row) (*auth.Person, int, error) {
	p := &auth.Person{Grants: []auth.Grant{}}
	var ids []int64
	var roles, cities, editions, funders []string
	var holder, mentor bool
	var epoch int
	if err := row.Scan(&p.Email, &ids, &roles, &cities, &editions, &funders, &holder, &mentor, &epoch); err != nil {
		return nil, 0, err
	}
	for i := range ids {
		p.Grants = append(p.Grants, auth.Grant{ID: ids[i], Email: p.Email, Role: auth.Role(roles[i]), City: cities[i], Edition: editions[i], Funder: funders[i]})
	}
	if holder {
		p.Member = append(p.Member, auth.Holder)
	}
	if mentor {
		p.Member = append(p.Member, auth.Mentor)
	}
	return p, epoch, nil
}

// TokenPerson is TokenOwner and Person in one statement: who the API
// token of hash belongs to, or ErrNotFound for one unknown or revoked.
// Its last use is recorded as TokenOwner does.
func (s *Store) TokenPerson(ctx context.Context, hash []byte, now time.Time) (*auth.Person, error) {
	var used *time.Time
	p, _, err := scanPersonUsed(s.pool.QueryRow(ctx, `select w.email, w.last_used_at, `+personColumns+`
from (select email, last_used_at from api_tokens where hash = $1 and revoked_at is null) w cross join lateral `+personGrants, hash), &used)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("store: token: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: token: %w", err)
	}
	if used == nil || now.Sub(*used) > time.Minute {
		if _, err := s.pool.Exec(ctx, `update api_tokens set last_used_at = $2 where hash = $1`, hash, now); err != nil {
			return nil, fmt.Errorf("store: token: %w", err)
		}
	}
	return p, nil
}

// scanPersonUsed is scanPerson with a token's last use after the email.
func scanPersonUsed(row pgx.Row, used **time.Time) (*auth.Person, int, error) {
	return scanPerson(rowWith{row, used})
}

// rowWith scans its extra destination second, after the email.
type rowWith struct {
	pgx.Row
	extra any
}

func (r rowWith) Scan(dest ...any) error {
	return r.Row.Scan(append([]any{dest[0], r.extra}, dest[1:]...)...)
}

// Known reports whether Suivi knows email: granted a role, or listed on a
// program. Only known people are sent a sign-in link.
func (s *Store) Known(ctx context.Context, email string) (bool, error) {
	p, err := s.Person(ctx, email)
	if err != nil {
		return false, err
	}
	return len(p.Grants) > 0 || len(p.Member) > 0, nil
}

// Grants returns the grants of email, or of everyone when email is "".
func (s *Store) Grants(ctx context.Context, email string) ([]auth.Grant, error) {
	rows, err := s.pool.Query(ctx, `select id, email, role, city, edition, funder from grants
where $1 = '' or email = lower($1) order by email, role, city, edition, funder`, email)
	if err != nil {
		return nil, fmt.Errorf("store: grants: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (auth.Grant, error) {
		var g auth.Grant
		err := r.Scan(&g.ID, &g.Email, &g.Role, &g.City, &g.Edition, &g.Funder)
		return g, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: grants: %w", err)
	}
	return out, nil
}

// AddGrant gives a role; giving it again changes nothing. It returns
// whether the grant is new.
func (s *Store) AddGrant(ctx context.Context, g auth.Grant, by string) (bool, error) {
	// A funder's role names a funder that exists: a grant for a slug
	// added later would be an unseen reader of its reports.
	tag, err := s.pool.Exec(ctx, `insert into grants (email, role, city, edition, funder, created_by)
select lower($1), $2, $3, $4, $5, $6
where $2::text <> 'funder' or exists (select 1 from funders where slug = $5)
on conflict do nothing`, g.Email, g.Role, g.City, g.Edition, g.Funder, by)
	if err == nil && tag.RowsAffected() == 0 && g.Role == auth.Funder {
		var known bool
		if err := s.pool.QueryRow(ctx, `select exists (select 1 from funders where slug = $1)`, g.Funder).Scan(&known); err != nil {
			return false, fmt.Errorf("store: grant %s to %s: %w", g.Role, g.Email, err)
		}
		if !known {
			return false, fmt.Errorf("store: grant %s to %s: %w", g.Role, g.Email, ErrUnknownFunder)
		}
	}
	if err != nil {
		return false, fmt.Errorf("store: grant %s to %s: %w", g.Role, g.Email, err)
	}
	return tag.RowsAffected() == 1, nil
}

// RemoveGrant takes a role back; ErrNotFound when it was not given.
func (s *Store) RemoveGrant(ctx context.Context, g auth.Grant) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `delete from grants where email = lower($1) and role = $2 and city = $3 and edition = $4 and funder = $5`,
			g.Email, g.Role, g.City, g.Edition, g.Funder)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		// Who may no longer read a funder's reports no longer gets them.
		if g.Role == auth.Funder {
			_, err = tx.Exec(ctx, `delete from funder_contacts where funder = $1 and email = lower($2)`, g.Funder, g.Email)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: grant %s of %s: %w", g.Role, g.Email, err)
	}
	return nil
}

// Members returns, for listing people, who programs name as holder or
// mentor: email → "holder of E/P, mentor of E/P…".
func (s *Store) Members(ctx context.Context) (map[string][]string, error) {
	rows, err := s.pool.Query(ctx, `
select lower(h), 'holder of ' || edition || '/' || project from programs, unnest(holders) h
union all
select lower(m), 'mentor of ' || edition || '/' || project from programs, unnest(mentors) m
order by 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("store: members: %w", err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var email, what string
		if err := rows.Scan(&email, &what); err != nil {
			return nil, fmt.Errorf("store: members: %w", err)
		}
		out[email] = append(out[email], what)
	}
	return out, rows.Err()
}

// ProgramFunders returns the slugs of the funders of a program.
func (s *Store) ProgramFunders(ctx context.Context, edition, project string) ([]string, error) {
	rows, err := s.pool.Query(ctx, `select funder from program_funders where edition = $1 and project = $2 and unfunded_at is null order by funder`, edition, project)
	if err != nil {
		return nil, fmt.Errorf("store: funders of %s/%s: %w", edition, project, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("store: funders of %s/%s: %w", edition, project, err)
	}
	return out, nil
}

// AllProgramFunders returns every program's funders, keyed "edition/project".
func (s *Store) AllProgramFunders(ctx context.Context) (map[string][]string, error) {
	rows, err := s.pool.Query(ctx, `select edition || '/' || project, funder from program_funders where unfunded_at is null order by 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("store: program funders: %w", err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var key, f string
		if err := rows.Scan(&key, &f); err != nil {
			return nil, fmt.Errorf("store: program funders: %w", err)
		}
		out[key] = append(out[key], f)
	}
	return out, rows.Err()
}

// Fund links a funder to a program; linking again changes nothing.
func (s *Store) Fund(ctx context.Context, edition, project, funder string) error {
	return s.FundSince(ctx, edition, project, funder, time.Time{})
}

// FundSince links a funder to a program from a date (zero: now), which
// reports of earlier months respect. Funding again after it was undone
// carries on from the earlier start.
func (s *Store) FundSince(ctx context.Context, edition, project, funder string, since time.Time) error {
	_, err := s.pool.Exec(ctx, `insert into program_funders (edition, project, funder, funded_at)
values ($1, $2, $3, coalesce($4, now()))
on conflict (edition, project, funder) do update set unfunded_at = null,
    funded_at = least(program_funders.funded_at, excluded.funded_at)`, edition, project, funder, nullTime(since))
	if isForeignKey(err, "program_funders_funder_fkey") {
		return fmt.Errorf("store: fund %s/%s: %w", edition, project, ErrUnknownFunder)
	}
	if isForeignKey(err, "program_funders_edition_project_fkey") {
		return fmt.Errorf("store: fund %s/%s: %w", edition, project, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("store: fund %s/%s: %w", edition, project, err)
	}
	return nil
}

// Unfund ends a funder's funding of a program: its people no longer see
// the program, and reports for the months after leave it out (those of the
// months it was funded keep it). It reports whether the funder funded it;
// ErrUnknownFunder for a funder never added.
func (s *Store) Unfund(ctx context.Context, edition, project, funder string, now time.Time) (bool, error) {
	var known bool
	if err := s.pool.QueryRow(ctx, `select exists (select 1 from funders where slug = $1)`, funder).Scan(&known); err != nil {
		return false, fmt.Errorf("store: unfund %s/%s: %w", edition, project, err)
	}
	if !known {
		return false, fmt.Errorf("store: unfund %s/%s: %w", edition, project, ErrUnknownFunder)
	}
	tag, err := s.pool.Exec(ctx, `update program_funders set unfunded_at = $4
where edition = $1 and project = $2 and funder = $3 and unfunded_at is null`, edition, project, funder, now)
	if err != nil {
		return false, fmt.Errorf("store: unfund %s/%s: %w", edition, project, err)
	}
	return tag.RowsAffected() == 1, nil
}

// SetPublic opts a program in or out of the public board.
func (s *Store) SetPublic(ctx context.Context, edition, project string, public bool) error {
	tag, err := s.pool.Exec(ctx, `update programs set public = $3 where edition = $1 and project = $2`, edition, project, public)
	if err != nil {
		return fmt.Errorf("store: program %s/%s: %w", edition, project, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("store: program %s/%s: %w", edition, project, ErrNotFound)
	}
	return nil
}

// CreateMagicLink keeps the hash of a new sign-in link for email.
func (s *Store) CreateMagicLink(ctx context.Context, hash []byte, email, next string, expires time.Time) error {
	_, err := s.pool.Exec(ctx, `insert into magic_links (hash, email, next, expires_at) values ($1, lower($2), $3, $4)`, hash, email, next, expires)
	if err != nil {
		return fmt.Errorf("store: sign-in link: %w", err)
	}
	return nil
}

// ConsumeMagicLink uses a link once: it returns the address and the page
// to go to, or ErrLinkInvalid. Two clicks racing: one wins.
func (s *Store) ConsumeMagicLink(ctx context.Context, hash []byte, now time.Time) (email, next string, err error) {
	err = s.pool.QueryRow(ctx, `update magic_links set used_at = $2
where hash = $1 and used_at is null and expires_at > $2 returning email, next`, hash, now).Scan(&email, &next)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", "", ErrLinkInvalid
	}
	if err != nil {
		return "", "", fmt.Errorf("store: sign-in link: %w", err)
	}
	return email, next, nil
}

// MagicLinkFor says, without using it, whether a link could still be used
// and for which address: the confirm page says whom it signs in.
func (s *Store) MagicLinkFor(ctx context.Context, hash []byte, now time.Time) (email string, ok bool, err error) {
	err = s.pool.QueryRow(ctx, `select email from magic_links where hash = $1 and used_at is null and expires_at > $2`, hash, now).Scan(&email)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: sign-in link: %w", err)
	}
	return email, true, nil
}

// RecordSigninRequest notes a request for a link and returns how many
// came for that address and from that IP within window (this one included).
func (s *Store) RecordSigninRequest(ctx context.Context, email, ip string, now time.Time, window time.Duration) (forEmail, fromIP int, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `delete from signin_requests where at < $1`, now.Add(-24*time.Hour)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `insert into signin_requests (email, ip, at) values (lower($1), $2, $3)`, email, ip, now); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `select count(*) filter (where email = lower($1)), count(*) filter (where ip = $2)
from signin_requests where at > $3`, email, ip, now.Add(-window)).Scan(&forEmail, &fromIP)
	})
	if err != nil {
		return 0, 0, fmt.Errorf("store: sign-in requests: %w", err)
	}
	return forEmail, fromIP, nil
}

// SessionEpoch is the person's current session epoch: a session begun in
// an older one was signed out everywhere.
func (s *Store) SessionEpoch(ctx context.Context, email string) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `select session_epoch from people where email = lower($1)`, email).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: person %s: %w", email, err)
	}
	return n, nil
}

// SignOutEverywhere ends every session of email, and returns the new epoch.
func (s *Store) SignOutEverywhere(ctx context.Context, email string) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `insert into people (email, session_epoch) values (lower($1), 1)
on conflict (email) do update set session_epoch = people.session_epoch + 1, updated_at = now()
returning session_epoch`, email).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: person %s: %w", email, err)
	}
	return n, nil
}

// Token is an API token as its owner sees it: never its secret.
type Token struct {
	ID         int64     `json:"id"`
	Email      string    `json:"email"`
	Name       string    `json:"name"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
	RevokedAt  time.Time `json:"revoked_at,omitzero"`
}

// CreateToken keeps the hash of a new API token.
func (s *Store) CreateToken(ctx context.Context, email, name string, hash []byte) (Token, error) {
	t := Token{Email: strings.ToLower(email), Name: name}
	err := s.pool.QueryRow(ctx, `insert into api_tokens (email, name, hash) values ($1, $2, $3) returning id, created_at`,
		t.Email, name, hash).Scan(&t.ID, &t.CreatedAt)
	if err != nil {
		return Token{}, fmt.Errorf("store: token: %w", err)
	}
	return t, nil
}

// TokenOwner returns whose live token hash is; ErrNotFound for an unknown
// or revoked one. It marks the token used, at most once a minute: a write
// on every request would cost every request.
func (s *Store) TokenOwner(ctx context.Context, hash []byte, now time.Time) (string, error) {
	var email string
	var used *time.Time
	err := s.pool.QueryRow(ctx, `select email, last_used_at from api_tokens where hash = $1 and revoked_at is null`, hash).Scan(&email, &used)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("store: token: %w", ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("store: token: %w", err)
	}
	if used == nil || now.Sub(*used) > time.Minute {
		if _, err := s.pool.Exec(ctx, `update api_tokens set last_used_at = $2 where hash = $1`, hash, now); err != nil {
			return "", fmt.Errorf("store: token: %w", err)
		}
	}
	return email, nil
}

// Tokens lists a person's tokens, newest first.
func (s *Store) Tokens(ctx context.Context, email string) ([]Token, error) {
	rows, err := s.pool.Query(ctx, `select id, email, name, created_at, last_used_at, revoked_at from api_tokens
where email = lower($1) order by id desc`, email)
	if err != nil {
		return nil, fmt.Errorf("store: tokens: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Token, error) {
		var t Token
		var used, revoked *time.Time
		err := r.Scan(&t.ID, &t.Email, &t.Name, &t.CreatedAt, &used, &revoked)
		if used != nil {
			t.LastUsedAt = *used
		}
		if revoked != nil {
			t.RevokedAt = *revoked
		}
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: tokens: %w", err)
	}
	return out, nil
}

// RevokeToken revokes one of email's tokens; ErrNotFound when email has no
// live token with that id (another person's token is not found either).
func (s *Store) RevokeToken(ctx context.Context, email string, id int64, now time.Time) error {
	tag, err := s.pool.Exec(ctx, `update api_tokens set revoked_at = $3 where id = $2 and email = lower($1) and revoked_at is null`, email, id, now)
	if err != nil {
		return fmt.Errorf("store: token %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("store: token %d: %w", id, ErrNotFound)
	}
	return nil
}

// SetCalendarFeed gives email a new private feed (its secret's hash), which
// ends the previous one.
func (s *Store) SetCalendarFeed(ctx context.Context, email string, hash []byte) error {
	_, err := s.pool.Exec(ctx, `insert into calendar_feeds (email, hash) values (lower($1), $2)
on conflict (email) do update set hash = excluded.hash, created_at = now()`, email, hash)
	if err != nil {
		return fmt.Errorf("store: calendar feed: %w", err)
	}
	return nil
}

// RevokeCalendarFeed ends email's feed.
func (s *Store) RevokeCalendarFeed(ctx context.Context, email string) error {
	if _, err := s.pool.Exec(ctx, `delete from calendar_feeds where email = lower($1)`, email); err != nil {
		return fmt.Errorf("store: calendar feed: %w", err)
	}
	return nil
}

// CalendarFeedOwner returns whose feed hash is, or ErrNotFound.
func (s *Store) CalendarFeedOwner(ctx context.Context, hash []byte) (string, error) {
	var email string
	err := s.pool.QueryRow(ctx, `select email from calendar_feeds where hash = $1`, hash).Scan(&email)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("store: calendar feed: %w", ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("store: calendar feed: %w", err)
	}
	return email, nil
}

// HasCalendarFeed reports whether email has a live feed.
func (s *Store) HasCalendarFeed(ctx context.Context, email string) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `select exists (select 1 from calendar_feeds where email = lower($1))`, email).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("store: calendar feed: %w", err)
	}
	return ok, nil
}
