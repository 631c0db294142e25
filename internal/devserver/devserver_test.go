package devserver

import (
	"context"
	"database/sql"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startOn starts a server on file, expecting it to refuse.
func startOn(t *testing.T, file string) error {
	t.Helper()
	s, err := Start(context.Background(), Options{DBFile: file, FrontendAddr: freeAddr(t), Namespace: "default"})
	if err == nil {
		s.Stop()
		t.Fatalf("Start on %s succeeded", file)
	}
	return err
}

func wantUnreadable(t *testing.T, err error, file, cause string) {
	t.Helper()
	for _, want := range []string{
		"Temporal's database " + file + " is unreadable (" + cause + ")",
		"copied without its temporal.db-wal file",
		"restore the whole data dir from one backup",
		"move the file away",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

func TestStartOnGarbage(t *testing.T) {
	file := filepath.Join(t.TempDir(), "temporal.db")
	if err := os.WriteFile(file, []byte(strings.Repeat("not a database, ", 512)), 0o600); err != nil {
		t.Fatal(err)
	}
	wantUnreadable(t, startOn(t, file), file, "file is not a database")
}

// A copy of a live database without its -wal file lacks whatever was not
// yet checkpointed into the main file; here, the schema itself.
func TestStartOnCopyWithoutWAL(t *testing.T) {
	dir := t.TempDir()
	live := filepath.Join(dir, "live", "temporal.db")
	// The server's connection stays open (its pool never closes), so the
	// schema stays in the -wal file, as while `suivi dev` runs.
	if _, err := sqliteConfig(Options{DBFile: live, Namespace: "default", Logger: slog.New(slog.DiscardHandler)}); err != nil {
		t.Fatal(err)
	}
	main, err := os.ReadFile(live)
	if err != nil {
		t.Fatal(err)
	}
	copied := filepath.Join(dir, "copy", "temporal.db")
	if err := os.MkdirAll(filepath.Dir(copied), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(copied, main, 0o600); err != nil {
		t.Fatal(err)
	}
	if n := tables(t, copied); n > 0 {
		t.Skipf("SQLite checkpointed the schema (%d tables) into the main file: this copy is complete", n)
	}
	wantUnreadable(t, startOn(t, copied), copied, "it holds no Temporal tables")
}

// After a checkpoint (Stop does one), the database file is complete
// without its -wal file.
func TestCheckpointCompletesMainFile(t *testing.T) {
	dir := t.TempDir()
	live := filepath.Join(dir, "live", "temporal.db")
	if _, err := sqliteConfig(Options{DBFile: live, Namespace: "default", Logger: slog.New(slog.DiscardHandler)}); err != nil {
		t.Fatal(err)
	}
	if err := checkpoint(live); err != nil {
		t.Fatal(err)
	}
	main, err := os.ReadFile(live)
	if err != nil {
		t.Fatal(err)
	}
	copied := filepath.Join(dir, "copy.db")
	if err := os.WriteFile(copied, main, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := checkDB(copied); err != nil {
		t.Fatalf("a copy of the main file alone after a checkpoint: %v", err)
	}
	if fi, err := os.Stat(live + "-wal"); err == nil && fi.Size() != 0 {
		t.Errorf("the -wal file still holds %d bytes after a checkpoint", fi.Size())
	}
}

// Workflow histories hold names and emails: the database and the files
// SQLite keeps beside it are for their owner only, new or inherited.
func TestDBFilesPrivate(t *testing.T) {
	dir := t.TempDir()
	o := Options{DBFile: filepath.Join(dir, "new", "temporal.db"), Namespace: "default", Logger: slog.New(slog.DiscardHandler)}
	if _, err := sqliteConfig(o); err != nil {
		t.Fatal(err)
	}
	wantPrivate(t, o.DBFile)

	// An older Suivi let SQLite create them 0644.
	for _, f := range []string{o.DBFile, o.DBFile + "-wal", o.DBFile + "-shm"} {
		if err := os.Chmod(f, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := sqliteConfig(o); err != nil {
		t.Fatal(err)
	}
	wantPrivate(t, o.DBFile)
}

// tables counts the tables in file, read without the server's help.
func tables(t *testing.T, file string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+file+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("select count(*) from sqlite_master where type = 'table'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func wantPrivate(t *testing.T, file string) {
	t.Helper()
	for _, f := range []string{file, file + "-wal", file + "-shm"} {
		fi, err := os.Stat(f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if m := fi.Mode().Perm(); m&0o077 != 0 {
			t.Errorf("%s is %v, want no group or other permissions", f, m)
		}
	}
}
