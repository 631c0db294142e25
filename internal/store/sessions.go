package store

import (
	"bytes"
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

// SessionTouch is how far behind a session's idle expiry may be left: a
// request that changes nothing in its session but moves the expiry by
// less does not write it again (see WithSessionMemo). Sessions so end at
// most this much before their idle timeout.
const SessionTouch = time.Minute

type sessionMemoKey struct{}

// sessionMemo is the session a request found, as stored.
type sessionMemo struct {
	token  string
	data   []byte
	expiry time.Time
}

// WithSessionMemo lets the Sessions of a request remember the session
// they find, so that committing it unchanged (scs commits every session
// on every request, for its idle timeout) is skipped while the stored
// expiry is within SessionTouch of the new one: a page view then costs
// one read, not a read and a write waiting for the disk.
func WithSessionMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, sessionMemoKey{}, &sessionMemo{})
}

// FindCtx returns a live session's data.
func (s Sessions) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var b []byte
	var expiry time.Time
	err := s.Store.pool.QueryRow(ctx, `select data, expiry from sessions where token = $1 and now() < expiry`, token).Scan(&b, &expiry)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("store: session: %w", err)
	}
	if m, ok := ctx.Value(sessionMemoKey{}).(*sessionMemo); ok {
		*m = sessionMemo{token: token, data: b, expiry: expiry}
	}
	return b, true, nil
}

// CommitCtx stores a session's data until expiry.
func (s Sessions) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	if m, ok := ctx.Value(sessionMemoKey{}).(*sessionMemo); ok && m.token == token && bytes.Equal(m.data, b) &&
		!expiry.Before(m.expiry) && expiry.Sub(m.expiry) < SessionTouch {
		return nil
	}
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
