package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Sessions keeps the web sessions of github.com/alexedwards/scs in the
// sessions table (the layout of its pgxstore), with contexts: a request's
// deadline bounds its session lookup too, so a Postgres that hangs gives a
// 503 rather than a page that never comes. Expired rows are removed by
// DeleteExpiredSessions, which the worker runs.
type Sessions struct{ Store *Store }

// FindCtx returns a live session's data.
func (s Sessions) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var b []byte
	err := s.Store.pool.QueryRow(ctx, `select data from sessions where token = $1 and now() < expiry`, token).Scan(&b)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("store: session: %w", err)
	}
	return b, true, nil
}

// CommitCtx stores a session's data until expiry.
func (s Sessions) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	_, err := s.Store.pool.Exec(ctx, `insert into sessions (token, data, expiry) values ($1, $2, $3)
on conflict (token) do update set data = excluded.data, expiry = excluded.expiry`, token, b, expiry)
	if err != nil {
		return fmt.Errorf("store: session: %w", err)
	}
	return nil
}

// DeleteCtx ends a session.
func (s Sessions) DeleteCtx(ctx context.Context, token string) error {
	if _, err := s.Store.pool.Exec(ctx, `delete from sessions where token = $1`, token); err != nil {
		return fmt.Errorf("store: session: %w", err)
	}
	return nil
}

// Find, Commit and Delete are scs.Store's context-free forms; scs calls the
// Ctx ones.
func (s Sessions) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit is CommitCtx without a deadline.
func (s Sessions) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete is DeleteCtx without a deadline.
func (s Sessions) Delete(token string) error {
	return s.DeleteCtx(context.Background(), token)
}

// DeleteExpired removes sessions past their expiry and sign-in links past
// theirs, and returns how many rows went.
func (s *Store) DeleteExpired(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	for _, q := range []string{
		`delete from sessions where expiry < $1`,
		// Typed: Postgres reads "$1 - interval" as interval minus interval.
		`delete from magic_links where expires_at < $1::timestamptz - interval '1 day'`,
		// The rate limits look back 15 minutes; a day is plenty.
		`delete from signin_requests where at < $1::timestamptz - interval '1 day'`,
	} {
		tag, err := s.pool.Exec(ctx, q, now)
		if err != nil {
			return n, fmt.Errorf("store: delete expired: %w", err)
		}
		n += tag.RowsAffected()
	}
	return n, nil
}
