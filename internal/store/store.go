// Package store is Suivi's Postgres read model: programs as the workflows
// project them, and later outbox, snapshots and audit log. Plain SQL with $n
// parameters, one file per aggregate.
package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/puddle/v2"
)

// ErrNotFound is returned when a row asked for does not exist.
var ErrNotFound = errors.New("not found")

// ErrOtherRun is returned when a program's row belongs to another workflow
// run chain than the one writing: see programs.first_run_id.
var ErrOtherRun = errors.New("another run's record")

// Store is a pool of connections to Suivi's database.
type Store struct {
	pool *pgxpool.Pool
}

// Open connects to databaseURL and checks the connection, so a wrong URL or a
// stopped server is reported at start-up in one line.
func Open(ctx context.Context, databaseURL string) (*Store, error) {
	return OpenTraced(ctx, databaseURL, nil)
}

// OpenTraced is Open with a tracer told of every query (nil: none), for
// tests that count what a request asks of Postgres.
func OpenTraced(ctx context.Context, databaseURL string, tracer pgx.QueryTracer) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		// pgx's message may quote the URL; keep the password out of it.
		return nil, errors.New("postgres: DATABASE_URL is not a valid connection URL (postgres://USER:PASSWORD@HOST:PORT/DB)")
	}
	cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	// pgxpool's default (the number of CPUs, at least 4) queues concurrent
	// page loads on a small machine; Postgres allows 100 connections.
	if cfg.MaxConns < 16 {
		cfg.MaxConns = 16
	}
	cfg.ConnConfig.Tracer = tracer
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s := &Store{pool: pool}
	if err := s.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres at %s is unreachable (start it, or fix DATABASE_URL): %w",
			net.JoinHostPort(cfg.ConnConfig.Host, fmt.Sprint(cfg.ConnConfig.Port)), unwrapConnect(err))
	}
	return s, nil
}

// unwrapConnect keeps the cause a person can act on: the network error when
// there is one (pgx repeats it once per address tried), else pgx's message
// without its prefix, which repeats user and database.
func unwrapConnect(err error) error {
	var op *net.OpError
	if errors.As(err, &op) {
		return op
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) && ce.Unwrap() != nil {
		return ce.Unwrap()
	}
	return err
}

// Ping checks that Postgres answers within a short time.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	return s.pool.Ping(ctx)
}

// Close releases every connection.
func (s *Store) Close() { s.pool.Close() }

// Unavailable reports whether err means Postgres could not be reached or
// answered too late (as opposed to a bad query or a missing row): callers
// answer 503 "try again shortly" rather than 500.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &ce), errors.As(err, &ne), pgconn.Timeout(err), pgconn.SafeToRetry(err):
		return true
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, puddle.ErrClosedPool):
		return true
	case errors.As(err, &pe):
		// Class 08 is "connection exception"; 57P0x are shutdowns and
		// "cannot connect now" while the server starts.
		return strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "57P")
	}
	return false
}
