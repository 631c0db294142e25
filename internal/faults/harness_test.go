//go:build faults

// Package faults is issue 14's production-shaped fault harness: Temporal on
// PostgreSQL, Suivi's own PostgreSQL, two `suivi worker` and two
// `suivi serve`, a real SMTP relay and the fake GitHub, each its own
// process on loopback; the tests break them and read the outcome where a
// user would (the relay's mailbox, Postgres, the API, Temporal).
// Run with `make faults`.
package faults

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/mail"
	"github.com/codecitoyen/suivi/internal/pglocal"
	"github.com/codecitoyen/suivi/internal/store"
)

// The sender of every message; Message-IDs derive from its domain.
const smtpFrom = "Suivi <suivi@faults.example.org>"

// env is the running system every scenario shares.
type env struct {
	dir     string
	bin     map[string]string // name → path of the built binaries
	zoneDir string            // ZONEINFO: the scenarios' custom zones

	temporalPG, suiviPG *pglocal.Cluster
	suiviPort           int

	temporalAddr string
	temporal     *proc
	tc           client.Client

	mailSMTP, mailHTTP string
	mailbox            *proc
	githubURL          string
	githubCtl          string
	github             *proc

	secret string
	token  string
	// db, when set, is the Suivi database the checks read (the upgrade
	// scenario's); "" is the shared one.
	db        string
	workers   []*proc
	serves    []*proc
	serveURLs []string

	// prevDone closes once the previous release is built (bin
	// "suivi-prev"), or prevSkip says why it cannot be, or prevErr.
	prevDone chan struct{}
	prevSkip string
	prevErr  error

	mu   sync.Mutex
	rows []row
}

// row is one line of the final table.
type row struct {
	scenario                    string
	operations, faults          int
	lost, duplicated, uncertain int
	note                        string
}

var sys *env

func TestMain(m *testing.M) {
	began := time.Now()
	e, err := setup()
	if err != nil {
		fmt.Fprintln(os.Stderr, "faults: setup:", err)
		if e != nil {
			e.teardown()
		}
		os.Exit(1)
	}
	sys = e
	// Ctrl-C (or CI cancelling) still stops every process and cluster.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		fmt.Fprintln(os.Stderr, "faults: interrupted; stopping everything")
		e.teardown()
		os.Exit(1)
	}()
	e.prevDone = make(chan struct{})
	go e.buildPrevious()
	if err := e.prepareGitHub(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "faults: setup:", err)
		e.teardown()
		os.Exit(1)
	}
	fmt.Printf("faults: environment ready in %s\n", time.Since(began).Round(time.Second))
	code := m.Run()
	e.printTable()
	e.teardown()
	fmt.Printf("faults: total %s\n", time.Since(began).Round(time.Second))
	os.Exit(code)
}

func (e *env) record(r row) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.rows = append(e.rows, r)
}

func (e *env) printTable() {
	e.mu.Lock()
	defer e.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-28s %10s %7s %5s %10s %9s  %s\n", "scenario", "operations", "faults", "lost", "duplicated", "uncertain", "note")
	for _, r := range e.rows {
		fmt.Fprintf(&b, "%-28s %10d %7d %5d %10d %9d  %s\n", r.scenario, r.operations, r.faults, r.lost, r.duplicated, r.uncertain, r.note)
	}
	fmt.Print(b.String())
}

// repoRoot is the module's root (this package is internal/faults).
func repoRoot() string {
	wd, _ := os.Getwd()
	return filepath.Dir(filepath.Dir(wd))
}

func setup() (*env, error) {
	dir, err := os.MkdirTemp("", "suivi-faults-")
	if err != nil {
		return nil, err
	}
	// The private clusters' user must be able to reach their directories.
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}
	e := &env{dir: dir, bin: map[string]string{}, zoneDir: filepath.Join(dir, "zoneinfo")}
	fmt.Println("faults: work dir", dir)
	if err := os.MkdirAll(filepath.Join(e.zoneDir, "Faults"), 0o755); err != nil {
		return e, err
	}
	began := time.Now()
	for name, pkg := range map[string]string{
		"suivi": "./cmd/suivi", "temporalpg": "./internal/faults/cmd/temporalpg",
		"mailbox": "./internal/faults/cmd/mailbox", "fakegithub": "./internal/faults/cmd/fakegithub",
	} {
		out := filepath.Join(dir, "bin", name)
		cmd := exec.Command("go", "build", "-o", out, pkg)
		cmd.Dir = repoRoot()
		if b, err := cmd.CombinedOutput(); err != nil {
			return e, fmt.Errorf("go build %s: %w\n%s", pkg, err, b)
		}
		e.bin[name] = out
	}
	fmt.Printf("faults: built suivi, temporalpg, mailbox, fakegithub in %s\n", time.Since(began).Round(time.Second))

	ctx := context.Background()
	if e.temporalPG, err = pglocal.Start(ctx, pglocal.Options{Dir: filepath.Join(dir, "pg-temporal"), Database: "postgres"}); err != nil {
		return e, fmt.Errorf("temporal's postgres: %w", err)
	}
	if e.suiviPG, err = pglocal.Start(ctx, pglocal.Options{Dir: filepath.Join(dir, "pg-suivi"), Database: "suivi"}); err != nil {
		return e, fmt.Errorf("suivi's postgres: %w", err)
	}
	e.suiviPort = e.suiviPG.Port()

	e.temporalAddr = freeAddr()
	if err := e.startTemporal(true); err != nil {
		return e, err
	}
	if e.tc, err = client.Dial(client.Options{HostPort: e.temporalAddr, Namespace: "default", Logger: quiet{}}); err != nil {
		return e, err
	}

	e.mailbox = newProc("mailbox", e.bin["mailbox"], nil, nil, "mailbox ready")
	if err := e.mailbox.start(dir); err != nil {
		return e, err
	}
	for _, f := range strings.Fields(e.mailbox.readyLine()) {
		if v, ok := strings.CutPrefix(f, "SMTP="); ok {
			e.mailSMTP = v
		}
		if v, ok := strings.CutPrefix(f, "HTTP="); ok {
			e.mailHTTP = "http://" + v
		}
	}
	e.github = newProc("fakegithub", e.bin["fakegithub"], nil, nil, "fakegithub ready")
	if err := e.github.start(dir); err != nil {
		return e, err
	}
	for _, f := range strings.Fields(e.github.readyLine()) {
		if v, ok := strings.CutPrefix(f, "API="); ok {
			e.githubURL = v
		}
		if v, ok := strings.CutPrefix(f, "CONTROL="); ok {
			e.githubCtl = v
		}
	}

	e.secret = "faults-0123456789abcdef0123456789abcdef"
	mig := exec.Command(e.bin["suivi"], "migrate", "up")
	mig.Env = e.suiviEnv(nil)
	if b, err := mig.CombinedOutput(); err != nil {
		return e, fmt.Errorf("suivi migrate up: %w\n%s", err, b)
	}
	if e.token, err = coordinatorToken(ctx, e.suiviURL()); err != nil {
		return e, err
	}

	for i := range 2 {
		w := newProc(fmt.Sprintf("worker-%d", i+1), e.bin["suivi"], []string{"worker"}, e.suiviEnv(nil), "worker polling")
		if err := w.start(dir); err != nil {
			return e, err
		}
		e.workers = append(e.workers, w)
	}
	for i := range 2 {
		addr := freeAddr()
		s := newProc(fmt.Sprintf("serve-%d", i+1), e.bin["suivi"], []string{"serve"},
			e.suiviEnv(map[string]string{"SUIVI_HTTP_ADDR": addr}), "serving")
		if err := s.start(dir); err != nil {
			return e, err
		}
		e.serves = append(e.serves, s)
		e.serveURLs = append(e.serveURLs, "http://"+addr)
	}
	return e, nil
}

// coordinatorToken makes the harness's coordinator of every city in the
// database at dbURL and an API token for it, as `suivi user add` and
// `suivi token create` would.
func coordinatorToken(ctx context.Context, dbURL string) (string, error) {
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		return "", err
	}
	defer st.Close()
	const who = "coordination@faults.example.org"
	if _, err := st.AddGrant(ctx, auth.Grant{Email: who, Role: auth.Coordinator}, "faults"); err != nil {
		return "", err
	}
	tok, hash := auth.NewSecret(auth.TokenPrefix)
	if _, err := st.CreateToken(ctx, who, "faults", hash); err != nil {
		return "", err
	}
	return tok, nil
}

func (e *env) startTemporal(setup bool) error {
	u, _ := url.Parse(e.temporalPG.URL())
	pw, _ := u.User.Password()
	// "upgrade" holds the upgrade scenario's programs, whose workers run
	// another build on the same task queue name.
	args := []string{"-pg-port", u.Port(), "-pg-user", u.User.Username(), "-addr", e.temporalAddr, "-namespace", "default,upgrade"}
	if setup {
		args = append(args, "-setup")
	}
	e.temporal = newProc("temporalpg", e.bin["temporalpg"], args,
		append(os.Environ(), "TEMPORALPG_PASSWORD="+pw, "ZONEINFO="+e.zoneDir), "temporalpg ready")
	return e.temporal.start(e.dir)
}

func (e *env) suiviURL() string {
	return e.suiviDB("suivi")
}

// suiviDB is the URL of a database of Suivi's cluster.
func (e *env) suiviDB(name string) string {
	u, _ := url.Parse(e.suiviPG.URL())
	u.Path = "/" + name
	u.Host = net.JoinHostPort("127.0.0.1", fmt.Sprint(e.suiviPort))
	return u.String()
}

// suiviEnv is what an operator sets for `suivi worker` and `suivi serve`.
func (e *env) suiviEnv(extra map[string]string) []string {
	m := map[string]string{
		"DATABASE_URL":       e.suiviURL(),
		"TEMPORAL_ADDRESS":   e.temporalAddr,
		"TEMPORAL_NAMESPACE": "default",
		"SUIVI_SECRET":       e.secret,
		"SMTP_URL":           "smtp://" + e.mailSMTP + "?tls=none",
		"SMTP_FROM":          smtpFrom,
		"SMTP_TIMEOUT":       "10s",
		"SUIVI_PUBLIC_URL":   "http://127.0.0.1:8080",
		"SUIVI_MAIL_RATE":    "5",
		"GITHUB_API_URL":     e.githubURL,
		"GITHUB_TOKEN":       "faults-token",
		// The watcher polls every 30 s, so the GitHub scenario sees it
		// pause and resume (the interval is the watcher's from its start).
		"GITHUB_POLL_INTERVAL": "30s",
		"SUIVI_LOG_LEVEL":      "info",
		// The scenarios' cities are in zones of their own (see zone).
		"ZONEINFO": e.zoneDir,
	}
	for k, v := range extra {
		m[k] = v
	}
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if _, set := m[k]; !set && !strings.HasPrefix(k, "SUIVI_") && !strings.HasPrefix(k, "GITHUB_") && k != "DATABASE_URL" && k != "SMTP_URL" {
			out = append(out, kv)
		}
	}
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	return out
}

func (e *env) teardown() {
	for _, p := range append(append([]*proc{}, e.workers...), e.serves...) {
		p.kill()
	}
	for _, p := range []*proc{e.github, e.mailbox, e.temporal} {
		if p != nil {
			p.kill()
		}
	}
	if e.tc != nil {
		e.tc.Close()
	}
	for _, c := range []*pglocal.Cluster{e.suiviPG, e.temporalPG} {
		if c != nil {
			_ = c.Stop()
		}
	}
	if os.Getenv("SUIVI_FAULTS_KEEP") == "" {
		_ = os.RemoveAll(e.dir)
	}
}

// proc is one child process, in a process group of its own so that a
// kill reaches everything it started.
type proc struct {
	name, path string
	args, env  []string
	mark       string

	mu      sync.Mutex
	cmd     *exec.Cmd
	done    chan struct{}
	ready   chan struct{}
	isReady bool
	line    string
	tail    []string
	starts  int
}

func newProc(name, path string, args, env []string, mark string) *proc {
	return &proc{name: name, path: path, args: args, env: env, mark: mark}
}

// start runs the process and waits for its ready line.
func (p *proc) start(dir string) error {
	p.mu.Lock()
	p.starts++
	cmd := exec.Command(p.path, p.args...)
	cmd.Env = p.env
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	logf, err := os.OpenFile(filepath.Join(dir, p.name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		p.mu.Unlock()
		return err
	}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = io.MultiWriter(logf, pw), io.MultiWriter(logf, pw)
	p.cmd, p.done, p.ready, p.isReady = cmd, make(chan struct{}), make(chan struct{}), false
	if err := cmd.Start(); err != nil {
		p.mu.Unlock()
		return fmt.Errorf("%s: %w", p.name, err)
	}
	done, ready := p.done, p.ready
	p.mu.Unlock()
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			l := sc.Text()
			p.mu.Lock()
			p.tail = append(p.tail, l)
			if len(p.tail) > 30 {
				p.tail = p.tail[1:]
			}
			if !p.isReady && p.cmd == cmd && strings.Contains(l, p.mark) {
				p.isReady, p.line = true, l
				close(ready)
			}
			p.mu.Unlock()
		}
	}()
	go func() {
		_ = cmd.Wait()
		logf.Close()
		pw.Close()
		close(done)
	}()
	select {
	case <-ready:
		return nil
	case <-done:
		return fmt.Errorf("%s exited before it was ready:\n%s", p.name, p.lastLines())
	case <-time.After(3 * time.Minute):
		return fmt.Errorf("%s not ready after 3 minutes:\n%s", p.name, p.lastLines())
	}
}

func (p *proc) readyLine() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.line
}

func (p *proc) lastLines() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.tail, "\n")
}

func (p *proc) running() bool {
	p.mu.Lock()
	done := p.done
	p.mu.Unlock()
	if done == nil {
		return false
	}
	select {
	case <-done:
		return false
	default:
		return true
	}
}

// kill9 is kill -9 of the process group, and waits for the exit.
func (p *proc) kill9() {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	<-done
}

// stop is SIGTERM, as an operator's service manager sends, then SIGKILL
// after 30 s.
func (p *proc) stop() {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		p.kill9()
	}
}

func (p *proc) kill() {
	if p.running() {
		p.kill9()
	}
}

func freeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// zone writes a time zone of a fixed offset into ZONEINFO, as a TZif file
// of the IANA database's own format, and returns its name. The scenarios
// use it to put 09:00 in a city a few seconds ahead, so the workflows'
// reminders fall due while the test runs: every other zone has 09:00 on a
// quarter hour.
func (e *env) zone(name string, offset time.Duration) (string, error) {
	secs := int32(offset / time.Second)
	var b bytes.Buffer
	header := func() {
		b.WriteString("TZif2")
		b.Write(make([]byte, 15))
		for _, n := range []uint32{0, 0, 0, 0, 1, 4} { // isut, isstd, leap, time, type, char
			_ = binary.Write(&b, binary.BigEndian, n)
		}
		_ = binary.Write(&b, binary.BigEndian, secs)
		b.Write([]byte{0, 0})
		b.WriteString("FLT\x00")
	}
	header() // version 1 data
	header() // version 2 data (no transitions: the same)
	// The footer: a POSIX TZ string, whose sign is west of UTC.
	s := -secs
	sign := ""
	if s < 0 {
		sign, s = "-", -s
	}
	fmt.Fprintf(&b, "\n<FLT>%s%d:%02d:%02d\n", sign, s/3600, s/60%60, s%60)
	zname := "Faults/" + name
	if err := os.WriteFile(filepath.Join(e.zoneDir, zname), b.Bytes(), 0o644); err != nil {
		return "", err
	}
	return zname, nil
}

// quiet silences the SDK client.
type quiet struct{}

func (quiet) Debug(string, ...any) {}
func (quiet) Info(string, ...any)  {}
func (quiet) Warn(string, ...any)  {}
func (quiet) Error(string, ...any) {}

// api calls a serve with the harness's coordinator token; i picks the serve.
func (e *env) api(ctx context.Context, i int, method, path, contentType string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, e.serveURLs[i%len(e.serveURLs)]+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	return resp.StatusCode, data, nil
}

// post sends until the answer is not a 503 (a serve or Postgres away) or a
// transport error, trying the serves in turn, for up to two minutes.
func (e *env) post(ctx context.Context, path, contentType string, body []byte) ([]byte, error) {
	return e.postAt(ctx, 0, path, contentType, body)
}

// postAt is post starting with serve first.
func (e *env) postAt(ctx context.Context, first int, path, contentType string, body []byte) ([]byte, error) {
	deadline := time.Now().Add(2 * time.Minute)
	for i := first; ; i++ {
		code, data, err := e.api(ctx, i, http.MethodPost, path, contentType, body)
		if err == nil && code < 300 {
			return data, nil
		}
		if time.Now().After(deadline) || (err == nil && code != http.StatusServiceUnavailable && code != http.StatusBadGateway) {
			return data, fmt.Errorf("POST %s: %d %v %s", path, code, err, bytes.TrimSpace(data))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// mailboxIDs counts the relay's messages by Message-ID.
func (e *env) mailboxIDs() (map[string]int, error) {
	resp, err := http.Get(e.mailHTTP + "/messages")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var msgs []struct {
		MessageID string `json:"message_id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&msgs); err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, m := range msgs {
		out[strings.Trim(m.MessageID, "<>")]++
	}
	return out, nil
}

// early counts the edition's messages that reached the relay before the
// reminders' instant.
func (r *run) early() (int, error) {
	resp, err := http.Get(r.e.mailHTTP + "/messages")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var msgs []struct {
		MessageID string    `json:"message_id"`
		At        time.Time `json:"at"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&msgs); err != nil {
		return 0, err
	}
	ids := map[string]bool{}
	rows, err := r.e.outbox(context.Background(), r.edition)
	if err != nil {
		return 0, err
	}
	for _, row := range rows {
		ids[mail.MessageID(row.key, smtpFrom)] = true
	}
	n := 0
	for _, m := range msgs {
		if ids[strings.Trim(m.MessageID, "<>")] && m.At.Before(r.fire) {
			n++
		}
	}
	return n, nil
}

// mailMode switches the relay (see cmd/mailbox).
func (e *env) mailMode(t *testing.T, query string) {
	t.Helper()
	resp, err := http.Post(e.mailHTTP+"/mode?"+query, "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("mailbox mode %s: %d", query, resp.StatusCode)
	}
}

// outboxRow is one message as Postgres holds it.
type outboxRow struct {
	key, kind, status, errMsg string
	// started: handed to the relay (a "sending" message not started is
	// only claimed, and goes back if its batch died).
	started bool
}

func (e *env) checkDB() string {
	if e.db != "" {
		return e.suiviDB(e.db)
	}
	return e.suiviURL()
}

func (e *env) outbox(ctx context.Context, edition string) ([]outboxRow, error) {
	conn, err := pgx.Connect(ctx, e.checkDB())
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(ctx, `select key, kind, status, coalesce(error, ''), started_at is not null from outbox where edition = $1 order by key`, edition)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (outboxRow, error) {
		var o outboxRow
		err := r.Scan(&o.key, &o.kind, &o.status, &o.errMsg, &o.started)
		return o, err
	})
}

// edition is a scenario's edition: one city whose zone puts 09:00 at fire,
// its hackathon over (so a selected program is in accompaniment), and two
// milestones due on the city's today and tomorrow, whose "due today" and
// "due tomorrow" reminders both go out at fire.
func (e *env) edition(id string, fire time.Time) ([]byte, error) {
	fire = fire.UTC()
	// 09:00 local at fire: offset = 09:00 − fire's time of day, in (−12h, +12h].
	tod := fire.Sub(fire.Truncate(24 * time.Hour))
	off := 9*time.Hour - tod
	for off <= -12*time.Hour {
		off += 24 * time.Hour
	}
	for off > 12*time.Hour {
		off -= 24 * time.Hour
	}
	zname, err := e.zone(id, off)
	if err != nil {
		return nil, err
	}
	today := fire.Add(off)
	day := func(d int) string { return today.AddDate(0, 0, d).Format("2006-01-02") }
	var y strings.Builder
	fmt.Fprintf(&y, "id: %s\nname: {fr: Pannes %s, en: Faults %s}\ntime_zone: Europe/Paris\n", id, id, id)
	fmt.Fprintf(&y, "call_for_projects: {opens: %s, closes: %s}\n", day(-60), day(-12))
	fmt.Fprintf(&y, "hackathon: {starts: \"%s 18:00\", ends: \"%s 18:00\"}\naccompaniment_months: 12\n", day(-11), day(-9))
	y.WriteString("themes:\n  - {id: pannes, title: {fr: Pannes, en: Faults}}\n")
	fmt.Fprintf(&y, "cities:\n  - {name: Pannes, time_zone: %s, meetup: \"first tuesday 19:00\", coordinators: [coordination@faults.example.org]}\n", zname)
	fmt.Fprintf(&y, "milestones:\n  - {id: today, title: {fr: Aujourd'hui, en: Today}, due: \"%s\", evidence: url}\n", day(0))
	fmt.Fprintf(&y, "  - {id: tomorrow, title: {fr: Demain, en: Tomorrow}, due: \"%s\", evidence: url}\n", day(1))
	fmt.Fprintf(&y, "  - {id: later, title: {fr: Plus tard, en: Later}, due: \"%s\", evidence: none}\n", day(60))
	return []byte(y.String()), nil
}

// run is one scenario's programs.
type run struct {
	e        *env
	edition  string
	programs int
	fire     time.Time
}

// holders of program i: two, so 2 milestones × 2 holders = 4 reminders each.
func holders(edition string, i int) []string {
	return []string{fmt.Sprintf("h1-%s-p%03d@faults.example.org", edition, i), fmt.Sprintf("h2-%s-p%03d@faults.example.org", edition, i)}
}

// startPrograms applies an edition whose reminders fall due at fire and
// starts and selects n programs through the API (both serves in turn).
func (e *env) startPrograms(t *testing.T, ctx context.Context, id string, n int, lead time.Duration) *run {
	t.Helper()
	r, err := e.start(ctx, id, n, lead)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d programs started and selected; reminders due at %s (in %s)", id, n, r.fire.Format(time.TimeOnly), time.Until(r.fire).Round(time.Second))
	return r
}

func (e *env) start(ctx context.Context, id string, n int, lead time.Duration) (*run, error) {
	fire := time.Now().Add(lead).Truncate(time.Second)
	ed, err := e.edition(id, fire)
	if err != nil {
		return nil, err
	}
	if _, err := e.post(ctx, "/api/v1/editions", "application/yaml", ed); err != nil {
		return nil, err
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, 6)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			p := fmt.Sprintf("p%03d", i)
			body, _ := json.Marshal(map[string]any{"edition": id, "project": p, "name": "Projet " + p, "city": "Pannes", "theme": "pannes",
				"holders": holders(id, i), "repositories": []string{fmt.Sprintf("https://github.com/faults/%s-%s", id, p)}})
			if _, err := e.post(ctx, "/api/v1/programs", "application/json", body); err != nil {
				errs <- err
				return
			}
			if _, err := e.post(ctx, "/api/v1/programs/"+id+"/"+p+"/actions/select", "application/json", []byte(`{"update_id":"select-`+p+`"}`)); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		return nil, err
	}
	if time.Now().After(fire) {
		return nil, fmt.Errorf("starting %d programs took past their reminders' instant %s: the machine is too slow for a %s lead", n, fire.Format(time.TimeOnly), lead)
	}
	return &run{e: e, edition: id, programs: n, fire: fire}, nil
}

// expectedReminders are the keys the workflows must queue.
func (r *run) expectedReminders() map[string]bool {
	today, tomorrow := r.localDay(0), r.localDay(1)
	want := map[string]bool{}
	for i := range r.programs {
		for _, h := range holders(r.edition, i) {
			p := fmt.Sprintf("%s/p%03d", r.edition, i)
			want[fmt.Sprintf("%s|due-today|today|%s|%s", p, today, h)] = true
			want[fmt.Sprintf("%s|due-tomorrow|tomorrow|%s|%s", p, tomorrow, h)] = true
		}
	}
	return want
}

func (r *run) localDay(d int) string {
	tod := r.fire.UTC().Sub(r.fire.UTC().Truncate(24 * time.Hour))
	off := 9*time.Hour - tod
	for off <= -12*time.Hour {
		off += 24 * time.Hour
	}
	for off > 12*time.Hour {
		off -= 24 * time.Hour
	}
	return r.fire.UTC().Add(off).AddDate(0, 0, d).Format("2006-01-02")
}

// outcome is what a scenario's messages became.
type outcome struct {
	messages, lost, duplicated, uncertain int
	details                               []string
}

// settle waits until every expected reminder is queued and every message
// of the edition is settled (sent, failed or uncertain) and in the
// mailbox, or until the deadline, then counts.
func (r *run) settle(t *testing.T, ctx context.Context, deadline time.Duration) outcome {
	t.Helper()
	want := r.expectedReminders()
	end := time.Now().Add(deadline)
	stable := 0
	var last string
	for {
		o, done, err := r.count(ctx, want)
		if err != nil {
			t.Logf("counting: %v", err)
		}
		// Done twice, 3 s apart, with the same messages left "sending":
		// those are not a batch in progress.
		sig := strings.Join(o.details, "\n")
		if err == nil && done && (stable == 0 || sig == last) {
			stable++
		} else {
			stable = 0
		}
		last = sig
		if stable >= 2 || time.Now().After(end) {
			return o
		}
		time.Sleep(3 * time.Second)
	}
}

func (r *run) count(ctx context.Context, want map[string]bool) (outcome, bool, error) {
	rows, err := r.e.outbox(ctx, r.edition)
	if err != nil {
		return outcome{}, false, err
	}
	ids, err := r.e.mailboxIDs()
	if err != nil {
		return outcome{}, false, err
	}
	var o outcome
	done := true
	seen := map[string]bool{}
	for _, row := range rows {
		seen[row.key] = true
		o.messages++
		n := ids[mail.MessageID(row.key, smtpFrom)]
		switch {
		case n > 1:
			o.duplicated += n - 1
			o.details = append(o.details, fmt.Sprintf("duplicated ×%d: %s (%s)", n, row.key, row.status))
		case row.status == "sending" && !row.started && n == 0:
			done = false
			o.lost++
			o.details = append(o.details, "claimed, never handed to the relay: "+row.key)
		case row.status == "uncertain" || row.status == "sending":
			// "sending" for good is a message whose sender died: Suivi
			// declares it uncertain after 10 minutes (README, Email).
			o.uncertain++
			o.details = append(o.details, fmt.Sprintf("uncertain (%s, in the mailbox: %v): %s: %s", row.status, n == 1, row.key, row.errMsg))
		case n == 0:
			done = false
			o.lost++
			o.details = append(o.details, fmt.Sprintf("not in the mailbox (%s %s): %s", row.status, row.errMsg, row.key))
		}
	}
	for k := range want {
		if !seen[k] {
			done = false
			o.lost++
			o.details = append(o.details, "never queued: "+k)
		}
	}
	return o, done, nil
}

// failedWorkflows counts workflows Temporal reports failed or terminated.
func (e *env) failedWorkflows(ctx context.Context) (int, error) {
	resp, err := e.tc.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: "ExecutionStatus='Failed' OR ExecutionStatus='Terminated' OR ExecutionStatus='TimedOut'"})
	if err != nil {
		return 0, err
	}
	return int(resp.Count), nil
}

// check records the scenario's row and fails the test on a loss or a
// duplicate (and logs why each uncertain message is).
func (e *env) check(t *testing.T, name string, faults int, o outcome, allowUncertain bool, note string) {
	t.Helper()
	for _, d := range o.details {
		t.Log(d)
	}
	ctx := context.Background()
	if n, err := e.failedWorkflows(ctx); err != nil {
		t.Errorf("count failed workflows: %v", err)
	} else if n > 0 {
		t.Errorf("%d workflows failed", n)
		note = strings.TrimSpace(note + fmt.Sprintf(" %d workflows failed", n))
	}
	e.record(row{scenario: name, operations: o.messages, faults: faults, lost: o.lost, duplicated: o.duplicated, uncertain: o.uncertain, note: note})
	if o.lost > 0 || o.duplicated > 0 {
		t.Errorf("%s: %d lost, %d duplicated of %d messages", name, o.lost, o.duplicated, o.messages)
	}
	if o.uncertain > 0 && !allowUncertain {
		t.Errorf("%s: %d uncertain where the README allows none", name, o.uncertain)
	}
}

// behind counts the programs whose Postgres record (through the API) does
// not show the workflow's own next reminder (its live query): the read
// model has not caught up.
func (r *run) behind(ctx context.Context) (int, error) {
	n := 0
	for i := range r.programs {
		code, data, err := r.e.api(ctx, i, http.MethodGet, fmt.Sprintf("/api/v1/programs/%s/p%03d", r.edition, i), "", nil)
		if err != nil || code != 200 {
			return r.programs, fmt.Errorf("GET program: %d %v", code, err)
		}
		var d struct {
			Program *struct {
				Seq            int64     `json:"seq"`
				NextReminderAt time.Time `json:"next_reminder_at"`
			} `json:"program"`
			Workflow struct {
				NextReminder *struct {
					At time.Time `json:"at"`
				} `json:"next_reminder"`
			} `json:"workflow"`
		}
		if err := json.Unmarshal(data, &d); err != nil {
			return r.programs, err
		}
		var want time.Time
		if d.Workflow.NextReminder != nil {
			want = d.Workflow.NextReminder.At
		}
		if d.Program == nil || !d.Program.NextReminderAt.Equal(want) {
			n++
		}
	}
	return n, nil
}

// duplicateRows counts rows of an edition's read model held twice where
// each should be once: programs, milestones, audit entries (by Update ID).
func (e *env) duplicateRows(ctx context.Context, edition string) (int, error) {
	conn, err := pgx.Connect(ctx, e.checkDB())
	if err != nil {
		return 0, err
	}
	defer conn.Close(context.Background())
	var n int
	err = conn.QueryRow(ctx, `
select (select count(*) - count(distinct project) from programs where edition = $1)
     + (select count(*) - count(distinct (project, id)) from milestones where edition = $1)
     + (select count(*) - count(distinct (project, update_id)) from audit_log where edition = $1 and update_id <> '')`, edition).Scan(&n)
	return n, err
}
