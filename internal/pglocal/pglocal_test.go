package pglocal

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestFindBinDirHint(t *testing.T) {
	dir := t.TempDir()
	if _, err := FindBinDir(dir); !errors.Is(err, ErrNoPostgres) {
		t.Fatalf("FindBinDir(empty dir) = %v, want ErrNoPostgres", err)
	}
	for _, b := range []string{"initdb", "pg_ctl", "postgres"} {
		if err := os.WriteFile(filepath.Join(dir, b), nil, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := FindBinDir(dir); err != nil || got != dir {
		t.Fatalf("FindBinDir(dir with binaries) = %q, %v", got, err)
	}
}

func TestReachable(t *testing.T) {
	dir := t.TempDir()
	open := filepath.Join(dir, "open")
	closed := filepath.Join(dir, "closed")
	for _, d := range []string{open, closed} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	_ = os.Chmod(dir, 0o755)
	_ = os.Chmod(filepath.Dir(dir), 0o755)
	if err := os.Chmod(closed, 0o700); err != nil {
		t.Fatal(err)
	}
	const other = 65534 // nobody
	if !reachable(open, other, other) {
		t.Errorf("%s (0755) should be reachable by another user", open)
	}
	if reachable(filepath.Join(closed, "sub"), other, other) {
		t.Errorf("a path under a 0700 directory of another owner should not be reachable")
	}
}

// A cluster keeps its data across a stop and a start, on a new port.
func TestStartStopStartKeepsData(t *testing.T) {
	if _, err := FindBinDir(os.Getenv("SUIVI_PG_BINDIR")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	dir := t.TempDir()
	_ = os.Chmod(dir, 0o755)
	_ = os.Chmod(filepath.Dir(dir), 0o755)
	ctx := context.Background()
	o := Options{Dir: filepath.Join(dir, "pg"), BinDir: os.Getenv("SUIVI_PG_BINDIR")}
	c, err := Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, c.URL(), "create table kept (v text); insert into kept values ('yes')")
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	c, err = Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	conn, err := pgx.Connect(ctx, c.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var v string
	if err := conn.QueryRow(ctx, "select v from kept").Scan(&v); err != nil || v != "yes" {
		t.Fatalf("after restart: %q, %v", v, err)
	}
}

func mustExec(t *testing.T, url, sql string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatal(err)
	}
}
