package pglocal

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

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

// needPostgres skips t without server binaries (fails under CI) and
// returns the options of a cluster in a fresh directory.
func needPostgres(t *testing.T) Options {
	t.Helper()
	if _, err := FindBinDir(os.Getenv("SUIVI_PG_BINDIR")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	dir := t.TempDir()
	// When tests run as root the server runs as another user.
	_ = os.Chmod(dir, 0o755)
	_ = os.Chmod(filepath.Dir(dir), 0o755)
	return Options{Dir: filepath.Join(dir, "pg"), BinDir: os.Getenv("SUIVI_PG_BINDIR")}
}

// A cluster keeps its data across a stop and a start, on a new port.
func TestStartStopStartKeepsData(t *testing.T) {
	o := needPostgres(t)
	ctx := context.Background()
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

// fastWatch notices and retries quickly, to keep the tests short.
var fastWatch = WatchOptions{Interval: 100 * time.Millisecond, Backoff: 200 * time.Millisecond}

// killPostmaster kills the server as a crash or the OOM killer would, and
// waits until it is gone.
func killPostmaster(t *testing.T, c *Cluster) int {
	t.Helper()
	pid := c.postmasterPID()
	if !alive(pid) {
		t.Fatalf("no live postmaster before the kill (pid %d)", pid)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	return pid
}

// A killed server comes back on its port with its data, and Stop then
// stops it for good.
func TestWatchRestartsKilledServer(t *testing.T) {
	c, err := Start(context.Background(), needPostgres(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	failed := c.Watch(fastWatch)
	mustExec(t, c.URL(), "create table kept (v text); insert into kept values ('yes')")
	url, port := c.URL(), c.Port()

	old := killPostmaster(t, c)
	var v string
	deadline := time.Now().Add(2 * time.Minute)
	for {
		select {
		case err := <-failed:
			t.Fatalf("watchdog gave up: %v", err)
		case <-time.After(200 * time.Millisecond):
		}
		if pid := c.postmasterPID(); pid != old && alive(pid) && query(url, "select v from kept", &v) == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server did not come back on port %d; log:\n%s", port, readLog(c))
		}
	}
	if v != "yes" || c.Port() != port || c.URL() != url {
		t.Fatalf("after the restart: %q on port %d (was %d)", v, c.Port(), port)
	}

	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	// Stopped on purpose, it must stay stopped: give a watchdog that
	// survived Stop several intervals to show itself.
	time.Sleep(10 * fastWatch.Interval)
	if pid := c.postmasterPID(); pid != 0 || dial(port) == nil {
		t.Fatalf("the server runs again after Stop (pid %d)", pid)
	}
}

// A server that cannot start again is reported once, with its log.
func TestWatchGivesUp(t *testing.T) {
	c, err := Start(context.Background(), needPostgres(t))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	failed := c.Watch(fastWatch)
	// A running server no longer reads PG_VERSION; a starting one refuses
	// a data directory without it.
	version := filepath.Join(c.dataDir(), "PG_VERSION")
	if err := os.Rename(version, version+".away"); err != nil {
		t.Fatal(err)
	}
	defer os.Rename(version+".away", version)
	killPostmaster(t, c)
	select {
	case err := <-failed:
		for _, want := range []string{"the private Postgres in " + c.Dir() + " died and could not be restarted", "3 attempts", "see " + c.logFile()} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("watchdog error %q does not say %q", err, want)
			}
		}
	case <-time.After(2 * time.Minute):
		t.Fatalf("the watchdog neither restarted the server nor gave up; log:\n%s", readLog(c))
	}
	if err := c.Stop(); err != nil {
		t.Errorf("Stop after the watchdog gave up: %v", err)
	}
}

func TestRunningPostgres(t *testing.T) {
	for stat, want := range map[string]bool{
		"4242 (postgres) S 1 4242 4242 0 -1":   true,
		"4242 (postgres) Z 1 4242 4242 0 -1":   false,
		"4242 (sleep) S 1 4242 4242 0 -1":      false,
		"4242 (post) gres) R 1 4242 4242 0 -1": false,
		"garbage":                              true,
	} {
		if got := runningPostgres([]byte(stat)); got != want {
			t.Errorf("runningPostgres(%q) = %v, want %v", stat, got, want)
		}
	}
}

func query(url, sql string, dest ...any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	return conn.QueryRow(ctx, sql).Scan(dest...)
}

func dial(port int) error {
	conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second)
	if err == nil {
		conn.Close()
	}
	return err
}

func readLog(c *Cluster) string {
	b, _ := os.ReadFile(c.logFile())
	return lastLines(string(b), 20)
}
