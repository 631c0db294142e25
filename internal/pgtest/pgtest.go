// Package pgtest gives tests a real PostgreSQL: DATABASE_URL when set,
// otherwise a private cluster started once per test binary with the
// machine's initdb. Each test gets a fresh database of its own.
//
// Under CI=true a missing PostgreSQL fails the run instead of skipping.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/codecitoyen/suivi/internal/pglocal"
)

var (
	serverURL string // a database on the server to run CREATE DATABASE from
	why       string // why there is no server, when serverURL is empty
)

// Main runs the package's tests with a PostgreSQL server available; call it
// from TestMain.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if u := os.Getenv("DATABASE_URL"); u != "" {
		serverURL = u
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "suivi-pgtest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	// The server may run as another user (when tests run as root).
	_ = os.Chmod(dir, 0o755)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	c, err := pglocal.Start(ctx, pglocal.Options{Dir: dir + "/pg", BinDir: os.Getenv("SUIVI_PG_BINDIR"), Database: "postgres"})
	cancel()
	if err != nil {
		why = fmt.Sprintf("no PostgreSQL for tests: set DATABASE_URL or install postgresql (initdb): %v", err)
		if os.Getenv("CI") == "true" {
			fmt.Fprintln(os.Stderr, "pgtest:", why)
			return 1
		}
		return m.Run()
	}
	defer c.Stop()
	serverURL = c.URL()
	return m.Run()
}

// NewDatabase creates an empty database for t, dropped when t ends, and
// returns its URL. It skips t when no PostgreSQL is available (outside CI).
func NewDatabase(t testing.TB) string {
	t.Helper()
	if serverURL == "" {
		if why == "" {
			t.Fatal("pgtest: call pgtest.Main from TestMain")
		}
		t.Skip(why)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "suivi_test_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		t.Fatalf("pgtest: connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "create database "+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, serverURL)
		if err != nil {
			t.Errorf("pgtest: connect: %v", err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "drop database if exists "+name+" with (force)"); err != nil {
			t.Errorf("pgtest: drop database: %v", err)
		}
	})
	u, err := url.Parse(serverURL)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}
