package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/pglocal"
	"github.com/codecitoyen/suivi/worker"
)

// syncBuffer is written by the command's goroutine and read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// devProcess is one `suivi dev` run inside the test process.
type devProcess struct {
	cancel         context.CancelFunc
	done           chan int
	stdout, stderr *syncBuffer
}

func startDev(t *testing.T, args ...string) *devProcess {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &devProcess{cancel: cancel, done: make(chan int, 1), stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	// The private cluster, not whatever DATABASE_URL the tests run with:
	// this is what a newcomer's `make dev` does.
	getenv := func(k string) string {
		if k == "SUIVI_PG_BINDIR" {
			return os.Getenv(k)
		}
		return ""
	}
	go func() { p.done <- run(ctx, append([]string{"dev"}, args...), p.stdout, p.stderr, getenv) }()
	return p
}

// stop sends the equivalent of Ctrl-C and waits for a clean exit.
func (p *devProcess) stop(t *testing.T) {
	t.Helper()
	p.cancel()
	select {
	case code := <-p.done:
		if code != 0 {
			t.Fatalf("suivi dev exited %d after Ctrl-C; stderr:\n%s", code, p.stderr.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("suivi dev did not stop within 60s of Ctrl-C")
	}
}

func (p *devProcess) waitHealthy(t *testing.T, httpAddr string) time.Duration {
	t.Helper()
	return waitHealthy(t, httpAddr, p.done, p.stderr)
}

// waitHealthy polls /healthz until it answers 200, failing early when the
// process behind it exits (done may be nil).
func waitHealthy(t *testing.T, httpAddr string, done <-chan int, stderr fmt.Stringer) time.Duration {
	t.Helper()
	logs := func() string {
		if stderr == nil {
			return ""
		}
		return stderr.String()
	}
	start := time.Now()
	for time.Since(start) < 90*time.Second {
		select {
		case code := <-done:
			t.Fatalf("exited %d before becoming healthy; stderr:\n%s", code, logs())
		case <-time.After(200 * time.Millisecond):
		}
		resp, err := http.Get("http://" + httpAddr + "/healthz")
		if err != nil {
			continue
		}
		var h api.Health
		_ = json.NewDecoder(resp.Body).Decode(&h)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK && h.Status == "ok" {
			return time.Since(start)
		}
	}
	t.Fatalf("/healthz not 200 within 90s; stderr:\n%s", logs())
	return 0
}

// TestDevSurvivesRestart is the newcomer's path: `suivi dev`, start a
// program, Ctrl-C, `suivi dev` again on the same data dir, and the program
// is still there, in Temporal and in Postgres.
func TestDevSurvivesRestart(t *testing.T) {
	if _, err := pglocal.FindBinDir(os.Getenv("SUIVI_PG_BINDIR")); err != nil && os.Getenv("CI") != "true" {
		t.Skip("no PostgreSQL server binaries for the private cluster:", err)
	}
	dir := t.TempDir()
	// When tests run as root, Postgres runs as another user who must be able
	// to reach the data dir.
	_ = os.Chmod(filepath.Dir(dir), 0o755)
	_ = os.Chmod(dir, 0o755)
	dataDir := filepath.Join(dir, "data")
	// As an older Suivi left it: open to all, to be tightened.
	if err := os.Mkdir(dataDir, 0o755); err != nil {
		t.Fatal(err)
	}
	httpAddr, temporalAddr, uiAddr := freeAddr(t), freeAddr(t), freeAddr(t)
	args := []string{"--data-dir", dataDir, "--http", httpAddr, "--temporal", temporalAddr, "--ui", uiAddr, "--log-level", "warn"}
	url := "http://" + httpAddr

	first := startDev(t, args...)
	took := first.waitHealthy(t, httpAddr)
	useDevToken(t, url, dataDir)
	t.Logf("first start healthy after %s", took)
	for _, want := range []string{"http://" + httpAddr, temporalAddr, "http://" + uiAddr, "private cluster"} {
		if !strings.Contains(first.stdout.String(), want) {
			t.Errorf("dev output does not show %q:\n%s", want, first.stdout.String())
		}
	}
	resp, err := http.Get("http://" + uiAddr + "/")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("Temporal UI at %s: %v %v", uiAddr, err, resp)
	}
	resp.Body.Close()

	applyEdition(t, url)
	if code, out, errOut := cli(t, url, startArgs...); code != 0 {
		t.Fatalf("program start = %d %q %q", code, out, errOut)
	}

	// Without SMTP_URL, mail is written as .eml files and listed at /dev/mail.
	var mout, merr bytes.Buffer
	code := run(context.Background(), []string{"mail", "test", "--to", "someone@example.org", "--mail-dir", filepath.Join(dataDir, "mail")},
		&mout, &merr, func(string) string { return "" })
	if code != 0 || !strings.Contains(mout.String(), "written to") {
		t.Fatalf("mail test = %d %q %q", code, mout.String(), merr.String())
	}
	resp, err = http.Get(url + "/dev/mail")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "someone@example.org") || !strings.Contains(string(page), "Message de test") {
		t.Fatalf("/dev/mail = %d:\n%s", resp.StatusCode, page)
	}
	wantPrivate(t, dataDir)

	// A second `suivi dev` on the same data dir is refused, touching nothing.
	second := startDev(t, "--data-dir", dataDir, "--http", freeAddr(t), "--temporal", freeAddr(t), "--ui", "off")
	select {
	case code := <-second.done:
		if code != 1 || !strings.Contains(second.stderr.String(), "in use by another `suivi dev`") {
			t.Fatalf("second dev on the same data dir = %d %q", code, second.stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("second dev on the same data dir did not refuse")
	}
	first.stop(t)

	// A taken port is refused up front with the setting to change.
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	clash := startDev(t, "--data-dir", dataDir, "--http", taken.Addr().String(), "--temporal", freeAddr(t), "--ui", "off")
	select {
	case code := <-clash.done:
		if errOut := clash.stderr.String(); code != 1 || !strings.Contains(errOut, "--http or SUIVI_HTTP_ADDR") || strings.Count(errOut, "\n") != 1 {
			t.Fatalf("dev on a taken port = %d %q", code, errOut)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("dev on a taken port did not refuse")
	}
	taken.Close()

	again := startDev(t, args...)
	took = again.waitHealthy(t, httpAddr)
	t.Logf("restart healthy after %s", took)
	waitFor(t, "the end of the banner", func() bool { return strings.Contains(again.stdout.String(), "Press Ctrl-C") })
	if strings.Contains(again.stdout.String(), "Warning") {
		t.Errorf("a consistent restart warns:\n%s", again.stdout.String())
	}
	// The first query after a restart may wait on the old worker's sticky
	// queue, then on a replay, longer than a loaded machine allows the
	// status's query; a person asks again, so does the test.
	var d api.ProgramDetail
	waitFor(t, "the workflow's answer after the restart", func() bool {
		code, out, errOut := cli(t, url, "program", "status", "ncc-2027/demoscampi", "--json")
		if code != 0 {
			t.Fatalf("status after restart = %d %q", code, errOut)
		}
		d = api.ProgramDetail{}
		if err := json.Unmarshal([]byte(out), &d); err != nil {
			t.Fatal(err)
		}
		return d.Workflow.Error == ""
	})
	if d.Workflow.Phase != "applied" || d.Program == nil || d.Program.Name != "Démocratie et crustacés" {
		t.Fatalf("status after restart = %+v", d)
	}
	if code, _, errOut := cli(t, url, startArgs...); code != 1 || !strings.Contains(errOut, "already exists") {
		t.Fatalf("start after restart = %d %q, want the duplicate refused", code, errOut)
	}
	again.stop(t)

	// Temporal's database lost, Postgres kept: said at start, and a new
	// start of the program refused until someone decides. On a copy of the
	// data dir (as the README's backup does it), because Temporal's SQLite
	// plugin keeps its connections to a path open for the process's life.
	lostDir := filepath.Join(dir, "restored")
	if out, err := exec.Command("cp", "-a", dataDir, lostDir).CombinedOutput(); err != nil {
		t.Fatalf("cp -a: %v %s", err, out)
	}
	for _, f := range []string{"temporal.db", "temporal.db-wal", "temporal.db-shm"} {
		if err := os.Remove(filepath.Join(lostDir, f)); err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
	}
	dataDir = lostDir
	args[1] = lostDir
	lost := startDev(t, args...)
	lost.waitHealthy(t, httpAddr)
	useDevToken(t, url, dataDir)
	defer lost.stop(t)
	waitFor(t, "the end of the banner", func() bool { return strings.Contains(lost.stdout.String(), "Press Ctrl-C") })
	if o := lost.stdout.String(); !strings.Contains(o, "Warning: Postgres holds 1 program(s)") || !strings.Contains(o, filepath.Join(dataDir, "temporal.db")) ||
		!strings.Contains(o, "suivi program forget") {
		t.Errorf("dev over a lost temporal.db does not say so:\n%s\nstderr:\n%s", o, lost.stderr.String())
	}
	if code, _, errOut := cli(t, url, startArgs...); code != 1 || !strings.Contains(errOut, "Temporal has no workflow for it") {
		t.Fatalf("start over the lost record = %d %q", code, errOut)
	}
	// The meetup Schedules lived in the lost database: they are back,
	// without anyone applying the edition again.
	tc, err := client.Dial(client.Options{HostPort: temporalAddr, Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	if _, err := tc.ScheduleClient().GetHandle(context.Background(), worker.MeetupScheduleID("ncc-2027", "Lyon")).Describe(context.Background()); err != nil {
		t.Errorf("Lyon's meetup schedule after the loss: %v", err)
	}
}

func TestDevWithoutPostgres(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	getenv := func(k string) string {
		if k == "SUIVI_PG_BINDIR" {
			return dir // holds no initdb
		}
		return ""
	}
	code := run(context.Background(), []string{"dev", "--data-dir", filepath.Join(dir, "data"), "--http", freeAddr(t),
		"--temporal", freeAddr(t), "--ui", "off"}, &out, &errb, getenv)
	if code != 1 || !strings.Contains(errb.String(), "SUIVI_PG_BINDIR") {
		t.Fatalf("dev with an empty SUIVI_PG_BINDIR = %d %q", code, errb.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "temporal.db")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("temporal.db was created although dev refused to start (%v)", err)
	}
}

// wantPrivate checks that nothing `suivi dev` keeps is open to group or
// others: secrets, histories, personal data, sign-in links in emails. The
// one exception is the private Postgres's own group traversing the data
// dir when the tests run as root (Postgres then runs as another user).
func wantPrivate(t *testing.T, dataDir string) {
	t.Helper()
	for _, name := range []string{".", "lock", "secret", "temporal.db", "temporal.db-wal", "temporal.db-shm", "mail",
		"postgres", "postgres/password", "postgres/postgres.log", "postgres/data"} {
		path := filepath.Join(dataDir, name)
		fi, err := os.Stat(path)
		if err != nil {
			t.Errorf("data dir: %v", err)
			continue
		}
		open := fi.Mode().Perm() & 0o077
		if gid, ok, _ := pglocal.ServerGroup(); name == "." && ok && open == 0o010 && int(fi.Sys().(*syscall.Stat_t).Gid) == gid {
			open = 0
		}
		if open != 0 {
			t.Errorf("%s is %v: open to group or others", path, fi.Mode().Perm())
		}
	}
}

// TestDevRestartsDeadPostgres kills the private Postgres under a running
// `suivi dev`: it comes back by itself and /healthz with it; when it
// cannot come back, `suivi dev` exits saying why rather than answering 503
// forever.
func TestDevRestartsDeadPostgres(t *testing.T) {
	if _, err := pglocal.FindBinDir(os.Getenv("SUIVI_PG_BINDIR")); err != nil && os.Getenv("CI") != "true" {
		t.Skip("no PostgreSQL server binaries for the private cluster:", err)
	}
	dir := t.TempDir()
	_ = os.Chmod(filepath.Dir(dir), 0o755)
	_ = os.Chmod(dir, 0o755)
	dataDir := filepath.Join(dir, "data")
	httpAddr := freeAddr(t)
	url := "http://" + httpAddr
	p := startDev(t, "--data-dir", dataDir, "--http", httpAddr, "--temporal", freeAddr(t), "--ui", "off", "--log-level", "warn")
	exited := false
	defer func() {
		if !exited {
			p.stop(t)
		}
	}()
	p.waitHealthy(t, httpAddr)
	useDevToken(t, "http://"+httpAddr, dataDir)
	applyEdition(t, url)
	if code, out, errOut := cli(t, url, startArgs...); code != 0 {
		t.Fatalf("program start = %d %q %q", code, out, errOut)
	}

	pidFile := filepath.Join(dataDir, "postgres", "data", "postmaster.pid")
	old := killFromPIDFile(t, pidFile)
	// Back means a new server in the lock file, then healthy again.
	deadline := time.Now().Add(90 * time.Second)
	for pid := old; pid == old; pid = readPID(pidFile) {
		select {
		case code := <-p.done:
			exited = true
			t.Fatalf("suivi dev exited %d after Postgres was killed; stderr:\n%s", code, p.stderr.String())
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("Postgres was not restarted within 90s; stderr:\n%s", p.stderr.String())
		}
	}
	p.waitHealthy(t, httpAddr)
	if !strings.Contains(p.stderr.String(), "restarted") {
		t.Errorf("no warning that Postgres was restarted; stderr:\n%s", p.stderr.String())
	}
	// The read model answers through the same pool.
	code, out, errOut := cli(t, url, "program", "status", "ncc-2027/demoscampi", "--json")
	var d api.ProgramDetail
	if code != 0 || json.Unmarshal([]byte(out), &d) != nil || d.Program == nil {
		t.Fatalf("status after the restart = %d %q %q", code, out, errOut)
	}

	// A data directory Postgres refuses to start in: give up, and say so.
	version := filepath.Join(dataDir, "postgres", "data", "PG_VERSION")
	if err := os.Rename(version, version+".away"); err != nil {
		t.Fatal(err)
	}
	defer os.Rename(version+".away", version)
	killFromPIDFile(t, pidFile)
	select {
	case code := <-p.done:
		exited = true
		errOut := p.stderr.String()
		last := errOut[strings.LastIndex(strings.TrimSuffix(errOut, "\n"), "\n")+1:]
		for _, want := range []string{"suivi: the private Postgres in " + filepath.Join(dataDir, "postgres") + " died and could not be restarted: ",
			"; see " + filepath.Join(dataDir, "postgres", "postgres.log")} {
			if code != 1 || !strings.Contains(last, want) {
				t.Errorf("exit %d, last line %q: want %q", code, last, want)
			}
		}
	case <-time.After(2 * time.Minute):
		t.Fatalf("suivi dev neither restarted Postgres nor exited; stderr:\n%s", p.stderr.String())
	}
}

// killFromPIDFile kills the server named in a postmaster.pid as a crash
// would, and returns its PID.
func killFromPIDFile(t *testing.T, pidFile string) int {
	t.Helper()
	pid := readPID(pidFile)
	if pid <= 0 {
		t.Fatalf("no PID in %s", pidFile)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	return pid
}

func readPID(pidFile string) int {
	b, err := os.ReadFile(pidFile)
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0]))
	return pid
}

// useDevToken makes cli send the token `suivi dev` wrote in its data dir,
// as the CLI does when SUIVI_URL is on this machine.
func useDevToken(t *testing.T, url, dataDir string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dataDir, devTokenFile))
	if err != nil {
		t.Fatalf("suivi dev wrote no token: %v", err)
	}
	cliTokens.Store(url, strings.TrimSpace(string(b)))
	if fi, err := os.Stat(filepath.Join(dataDir, devTokenFile)); err != nil || fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("the dev token file is readable by others: %v", fi.Mode())
	}
}
