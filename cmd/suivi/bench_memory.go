package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/config"
	"github.com/codecitoyen/suivi/internal/mail"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/web"
	"github.com/codecitoyen/suivi/workflows"
)

// memRow is one measurement of `suivi bench memory`: a child process (a
// worker, or `suivi dev`) before and after N programs reached
// accompaniment.
type memRow struct {
	mode            string // "worker" or "dev"
	cache, programs int
	took            time.Duration // starting and selecting them, until Postgres showed them all in accompaniment
	start, end      procStatus    // before the first program, after the last one
	// At the child's last GC (gctrace), MiB, -1 unknown: the live heap,
	// the next GC's goal, goroutine stacks.
	heapLive, heapGoal, stacks int64
	gcs                        int
}

func (r memRow) perProgram() float64 {
	return float64(r.end.rss-r.start.rss) / 1024 / float64(r.programs)
}

// perCached is the growth per workflow the cache can hold: with more
// programs than the cache, only cache-many stay in memory.
func (r memRow) perCached() float64 {
	return float64(r.end.rss-r.start.rss) / 1024 / float64(min(r.programs, r.cache))
}

// benchMemory runs `suivi bench memory`.
func benchMemory(ctx context.Context, e env, args []string) error {
	var o struct {
		programs, c   int
		caches, modes string
		settle        time.Duration
	}
	fs := newFlags("bench memory", e, nil)
	fs.IntVar(&o.programs, "programs", 10000, "programs to start and move into accompaniment, for each measurement")
	fs.IntVar(&o.c, "c", 20, "concurrent API clients starting and selecting programs")
	fs.StringVar(&o.caches, "caches", config.Default().WorkflowCache, "workflow cache sizes (SUIVI_WORKFLOW_CACHE) to measure, comma-separated; a fresh child per value")
	fs.DurationVar(&o.settle, "settle", 5*time.Second, "wait this long after a child is ready and after the last program, before reading its memory")
	fs.StringVar(&o.modes, "modes", "worker,dev", "what to measure: worker (`suivi worker` as a child process), dev (`suivi dev` as a child process), or both")
	if err := noArgs("bench memory", e, fs, "suivi bench memory [--programs 10000] [--caches 1000,10000] [-c 20] [--modes worker,dev]\n\n"+
		"Measures resident memory (VmRSS, VmHWM from /proc) per program.\n\n"+
		"worker: starts a private Postgres, an embedded Temporal and the web server in\n"+
		"this process, and `suivi worker` as a child process, so that its memory is the\n"+
		"worker's alone. Starts N programs through the API in an edition whose hackathon\n"+
		"is over and selects each, so that it goes straight to accompaniment, having run\n"+
		"its workflow tasks on that worker; waits until Postgres shows all N in\n"+
		"accompaniment, then reads the worker's memory.\n\n"+
		"dev: the same against `suivi dev` as a child process (embedded Temporal, worker\n"+
		"and web server in one process; its Postgres is a database of the private one).\n\n"+
		"Each cache size gets a fresh child and its own N programs. The children run\n"+
		"with GODEBUG=gctrace=1, read for the Go heap at their last GC, and get GOGC\n"+
		"and GOMEMLIMIT when set (this process keeps Go's defaults). GitHub is a closed\n"+
		"port on loopback and the watcher's next cycle a year away: nothing leaves this\n"+
		"machine. Progress goes to stderr. The last line is worker_rss_mib=<number>,\n"+
		"the worker's RSS with N programs and the default cache ("+config.Default().WorkflowCache+"; the first of\n"+
		"--caches when it is not listed).", args); err != nil {
		return err
	}
	var caches []int
	for _, s := range strings.Split(o.caches, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > 1_000_000 {
			return &usageError{"bench memory", fmt.Sprintf("--caches: %q is not a cache size between 1 and 1000000", s)}
		}
		caches = append(caches, n)
	}
	var modes []string
	for _, m := range strings.Split(o.modes, ",") {
		m = strings.TrimSpace(m)
		if m != "worker" && m != "dev" {
			return &usageError{"bench memory", fmt.Sprintf("--modes: %q is neither worker nor dev", m)}
		}
		if !slices.Contains(modes, m) {
			modes = append(modes, m)
		}
	}
	if o.programs < 1 || o.programs > 100_000 || o.c < 1 || o.c > 200 || o.settle < 0 || o.settle > time.Hour {
		return &usageError{"bench memory", "--programs 1..100000, -c 1..200, --settle 0s..1h"}
	}
	if _, err := procMemory(os.Getpid()); err != nil {
		return fmt.Errorf("suivi bench memory reads /proc/PID/status (Linux): %w", err)
	}
	// GOGC and GOMEMLIMIT are for the children, which inherit them: this
	// process, which holds the Temporal server, keeps Go's defaults.
	if os.Getenv("GOMEMLIMIT") != "" {
		debug.SetMemoryLimit(math.MaxInt64)
	}
	if os.Getenv("GOGC") != "" {
		debug.SetGCPercent(100)
	}
	// The children are this very binary.
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	log := slog.New(slog.DiscardHandler)
	dir, pg, stopPG, err := benchPostgres(ctx, e, "bench memory")
	if err != nil {
		return err
	}
	defer stopPG()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	secretKey := hex.EncodeToString(key)
	// GitHub is a closed port on loopback, and the watcher's next cycle a
	// year away: nothing leaves this machine, and polling is not measured.
	closed, err := freeLoopbackAddr()
	if err != nil {
		return err
	}
	common := map[string]string{
		"TEMPORAL_NAMESPACE":   "default",
		"GITHUB_API_URL":       "http://" + closed + "/",
		"GITHUB_POLL_INTERVAL": "8760h",
		"SUIVI_LOG_FORMAT":     "text",
		"GODEBUG":              strings.TrimPrefix(os.Getenv("GODEBUG")+",gctrace=1", ","),
	}
	fmt.Fprintf(e.stdout, "programs=%d clients=%d caches=%s modes=%s", o.programs, o.c, joinInts(caches), strings.Join(modes, ","))
	for _, k := range []string{"GOGC", "GOMEMLIMIT"} {
		if v := os.Getenv(k); v != "" {
			fmt.Fprintf(e.stdout, " %s=%s", k, v)
		}
	}
	fmt.Fprintln(e.stdout)

	var rows []memRow
	b := &memBench{e: e, n: o.programs, c: o.c, settle: o.settle}
	if slices.Contains(modes, "worker") {
		st, err := store.Open(ctx, pg.URL())
		if err != nil {
			return err
		}
		defer st.Close()
		if _, err := st.Migrate(ctx, nil); err != nil {
			return err
		}
		fmt.Fprintln(e.stderr, "starting an embedded Temporal and the web server…")
		addr, tc, stopTemporal, err := benchTemporal(ctx, dir, log)
		if err != nil {
			return err
		}
		defer stopTemporal()
		const who = "bench-memory@example.org"
		if _, err := st.AddGrant(ctx, auth.Grant{Email: who, Role: auth.Coordinator}, "bench"); err != nil {
			return err
		}
		token, hash := auth.NewSecret(auth.TokenPrefix)
		if _, err := st.CreateToken(ctx, who, "bench", hash); err != nil {
			return err
		}
		srv, err := serveLoopback(web.NewHandler(web.Deps{Temporal: tc, Store: st, Logger: log,
			Tokens: mail.Tokens{Secret: []byte(secretKey)}, RequestTimeout: time.Minute}))
		if err != nil {
			return err
		}
		defer srv.Close()
		for _, cache := range caches {
			env := map[string]string{
				"DATABASE_URL":         pg.URL(),
				"TEMPORAL_ADDRESS":     addr,
				"SUIVI_SECRET":         secretKey,
				"SUIVI_MAIL_DIR":       filepath.Join(dir, "mail"),
				"SUIVI_WORKFLOW_CACHE": strconv.Itoa(cache),
				"SUIVI_LOG_LEVEL":      "info",
			}
			fmt.Fprintf(e.stderr, "worker, cache %d: starting `suivi worker`…\n", cache)
			ch, err := startChild(ctx, exe, []string{"worker"}, childEnv(common, env), "worker polling")
			if err != nil {
				return err
			}
			row, err := func() (memRow, error) {
				defer ch.stop()
				if err := ch.waitReady(2 * time.Minute); err != nil {
					return memRow{}, err
				}
				return b.measure(ctx, "worker", cache, ch, srv.url, token, pg.URL())
			}()
			if err != nil {
				return err
			}
			rows = append(rows, row)
		}
	}
	if slices.Contains(modes, "dev") {
		for i, cache := range caches {
			dbURL, err := newDatabase(ctx, pg.URL(), fmt.Sprintf("suivi_dev_%d", i+1))
			if err != nil {
				return err
			}
			httpAddr, err := freeLoopbackAddr()
			if err != nil {
				return err
			}
			temporalAddr, err := freeLoopbackAddr()
			if err != nil {
				return err
			}
			dataDir := filepath.Join(dir, fmt.Sprintf("dev-%d", i+1))
			env := map[string]string{
				"DATABASE_URL":         dbURL,
				"SUIVI_WORKFLOW_CACHE": strconv.Itoa(cache),
				"SUIVI_LOG_LEVEL":      "warn",
			}
			fmt.Fprintf(e.stderr, "dev, cache %d: starting `suivi dev`…\n", cache)
			ch, err := startChild(ctx, exe, []string{"dev", "--data-dir", dataDir, "--http", httpAddr, "--temporal", temporalAddr, "--ui", "off"},
				childEnv(common, env), "Press Ctrl-C to stop.")
			if err != nil {
				return err
			}
			row, err := func() (memRow, error) {
				defer ch.stop()
				if err := ch.waitReady(3 * time.Minute); err != nil {
					return memRow{}, err
				}
				tok, err := os.ReadFile(filepath.Join(dataDir, devTokenFile))
				if err != nil {
					return memRow{}, fmt.Errorf("suivi dev's token: %w", err)
				}
				return b.measure(ctx, "dev", cache, ch, "http://"+httpAddr, strings.TrimSpace(string(tok)), dbURL)
			}()
			if err != nil {
				return err
			}
			rows = append(rows, row)
		}
	}

	mib := func(v int64) float64 { return float64(v) / (1 << 20) }
	fmt.Fprintf(e.stdout, "%-6s %6s %8s %7s %7s %9s %8s %8s %8s %8s %11s %10s %8s %8s %10s\n", "mode", "cache", "programs", "took", "prog/s",
		"start_mib", "rss_mib", "anon_mib", "file_mib", "peak_mib", "kib/program", "kib/cached", "heap_mib", "goal_mib", "stacks_mib")
	known := func(v int64) string {
		if v < 0 {
			return "?"
		}
		return strconv.FormatInt(v, 10)
	}
	for _, r := range rows {
		fmt.Fprintf(e.stdout, "%-6s %6d %8d %7s %7.1f %9.1f %8.1f %8.1f %8.1f %8.1f %11.1f %10.1f %8s %8s %10s\n", r.mode, r.cache, r.programs,
			r.took.Round(time.Second), float64(r.programs)/r.took.Seconds(), mib(r.start.rss), mib(r.end.rss), mib(r.end.anon), mib(r.end.file),
			mib(r.end.hwm), r.perProgram(), r.perCached(), known(r.heapLive), known(r.heapGoal), known(r.stacks))
	}
	fmt.Fprintln(e.stdout, "start: VmRSS before the first program; rss: VmRSS with every program in accompaniment (anon: heap and stacks;")
	fmt.Fprintln(e.stdout, "file: the binary's pages); peak: VmHWM; kib/program: (rss - start) / programs; kib/cached: the same over")
	fmt.Fprintln(e.stdout, "min(programs, cache); heap/goal/stacks: at the child's last GC (gctrace), the live Go heap, the next GC's goal")
	fmt.Fprintln(e.stdout, "and the goroutine stacks")
	for _, r := range rows {
		fmt.Fprintf(e.stdout, "%s_cache_%d_rss_mib=%.1f\n", r.mode, r.cache, mib(r.end.rss))
		fmt.Fprintf(e.stdout, "%s_cache_%d_peak_mib=%.1f\n", r.mode, r.cache, mib(r.end.hwm))
		fmt.Fprintf(e.stdout, "%s_cache_%d_kib_per_program=%.1f\n", r.mode, r.cache, r.perProgram())
	}
	// The default cache, else the first one measured.
	var last *memRow
	for i := range rows {
		if rows[i].mode == "worker" && (last == nil || strconv.Itoa(rows[i].cache) == config.Default().WorkflowCache) {
			last = &rows[i]
		}
	}
	if last != nil {
		fmt.Fprintf(e.stdout, "worker_rss_mib=%.1f\n", mib(last.end.rss))
	}
	return nil
}

// memBench drives one measurement through a server's API.
type memBench struct {
	e    env
	n, c int
	// settle is how long to wait before each reading.
	settle time.Duration
	// seq numbers the editions, one per measurement.
	seq int
}

// measure reads the child's memory, starts and selects b.n programs
// through the API at baseURL, waits until Postgres (dbURL) shows them all
// in accompaniment, and reads the child's memory again.
func (b *memBench) measure(ctx context.Context, mode string, cache int, ch *child, baseURL, token, dbURL string) (memRow, error) {
	b.seq++
	ed := fmt.Sprintf("mem-%s-%d", mode, b.seq)
	d := &memDriver{base: baseURL, token: token, hc: &http.Client{Timeout: 2 * time.Minute,
		Transport: &http.Transport{MaxIdleConnsPerHost: b.c, MaxConnsPerHost: b.c + 2}}}
	defer d.hc.CloseIdleConnections()
	if err := d.post(ctx, "/api/v1/editions", "application/yaml", memEdition(ed, time.Now().UTC())); err != nil {
		return memRow{}, fmt.Errorf("apply the bench edition: %w", err)
	}
	pgc, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return memRow{}, err
	}
	defer pgc.Close(context.Background())
	inAccompaniment := func() (int, error) {
		var n int
		err := pgc.QueryRow(ctx, `select count(*) from programs where edition = $1 and phase = $2`, ed, string(workflows.PhaseAccompaniment)).Scan(&n)
		return n, err
	}
	// Let the child finish starting (the watcher's first cycle, schedules).
	time.Sleep(b.settle)
	start, err := procMemory(ch.pid())
	if err != nil {
		return memRow{}, err
	}
	row := memRow{mode: mode, cache: cache, programs: b.n, start: start}
	label := fmt.Sprintf("%s, cache %d", mode, cache)
	fmt.Fprintf(b.e.stderr, "%s: RSS %.1f MiB at start; starting and selecting %d programs…\n", label, float64(start.rss)/(1<<20), b.n)

	began := time.Now()
	var done atomic.Int64
	stopProgress := make(chan struct{})
	var progress sync.WaitGroup
	progress.Add(1)
	go func() {
		defer progress.Done()
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-stopProgress:
				return
			case <-t.C:
				n := done.Load()
				m, _ := procMemory(ch.pid())
				fmt.Fprintf(b.e.stderr, "  %s: %d/%d programs started and selected (%.0f/s), RSS %.1f MiB\n", label, n, b.n,
					float64(n)/time.Since(began).Seconds(), float64(m.rss)/(1<<20))
			}
		}
	}()
	work := make(chan int)
	errs := make(chan error, b.c)
	var wg sync.WaitGroup
	wctx, cancel := context.WithCancel(ctx)
	for range b.c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if err := b.program(wctx, d, ed, i); err != nil {
					errs <- err
					cancel()
					return
				}
				done.Add(1)
			}
		}()
	}
feed:
	for i := range b.n {
		select {
		case work <- i:
		case <-wctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	cancel()
	close(errs)
	err = <-errs
	if err == nil && ch.exited() {
		err = fmt.Errorf("%s: the child exited:\n%s", label, ch.tail())
	}
	if err != nil {
		close(stopProgress)
		progress.Wait()
		return memRow{}, err
	}
	// Each answer came once Postgres showed the action; the move to
	// accompaniment is the workflow's next step.
	for {
		n, err := inAccompaniment()
		if err != nil {
			close(stopProgress)
			progress.Wait()
			return memRow{}, err
		}
		if n >= b.n {
			break
		}
		if time.Since(began) > time.Duration(b.n)*time.Second+10*time.Minute {
			close(stopProgress)
			progress.Wait()
			return memRow{}, fmt.Errorf("%s: %d of %d programs in accompaniment after %s", label, n, b.n, time.Since(began).Round(time.Second))
		}
		time.Sleep(200 * time.Millisecond)
	}
	row.took = time.Since(began)
	close(stopProgress)
	progress.Wait()
	fmt.Fprintf(b.e.stderr, "%s: %d programs in accompaniment after %s (%d answers \"try again\" retried); settling…\n", label, b.n,
		row.took.Round(time.Second), d.retries.Load())
	// The last projections and the outbox finish their work.
	time.Sleep(b.settle)
	if row.end, err = procMemory(ch.pid()); err != nil {
		return memRow{}, err
	}
	row.heapLive, row.heapGoal, row.stacks, row.gcs = ch.heap()
	fmt.Fprintf(b.e.stderr, "%s: RSS %.1f MiB, peak %.1f MiB\n", label, float64(row.end.rss)/(1<<20), float64(row.end.hwm)/(1<<20))
	return row, nil
}

// memCities are the bench edition's cities, with their meetup rules.
var memCities = [][2]string{{"Tunis", "Africa/Tunis"}, {"Montpellier", "Europe/Paris"}, {"Lille", "Europe/Paris"},
	{"Rennes", "Europe/Paris"}, {"Lyon", "Europe/Paris"}, {"Paris", "Europe/Paris"}, {"Narbonne", "Europe/Paris"},
	{"Toulouse", "Europe/Paris"}, {"Aubervilliers", "Europe/Paris"}}

// memThemes are the bench edition's themes.
var memThemes = []string{"democratie-numerique", "outils-collectifs", "donnees-citoyennes", "education-numerique",
	"villes-accessibles-durables", "ruralite"}

// program starts program i of edition ed and selects it: the hackathon is
// over, so the workflow moves it on to accompaniment.
func (b *memBench) program(ctx context.Context, d *memDriver, ed string, i int) error {
	p := fmt.Sprintf("p%05d", i)
	body, _ := json.Marshal(api.StartProgram{Edition: ed, Project: p, Name: "Projet " + p,
		City: memCities[i%len(memCities)][0], Theme: memThemes[i%len(memThemes)],
		Holders:      []string{fmt.Sprintf("holder-%s@example.org", p), fmt.Sprintf("co-holder-%s@example.org", p)},
		Repositories: []string{"https://github.com/bench-memory/" + p}})
	if err := d.post(ctx, "/api/v1/programs", "application/json", body); err != nil {
		return fmt.Errorf("start %s/%s: %w", ed, p, err)
	}
	if err := d.post(ctx, "/api/v1/programs/"+ed+"/"+p+"/actions/select", "application/json", []byte(`{}`)); err != nil {
		return fmt.Errorf("select %s/%s: %w", ed, p, err)
	}
	return nil
}

// memEdition is an edition shaped like examples/ncc-2027.yaml (nine cities,
// six themes, seven milestones) whose hackathon ended eight days before now,
// so a program selected now goes straight to accompaniment, and whose
// milestones fall due in a month or more, so no reminder is due during the
// bench.
func memEdition(id string, now time.Time) []byte {
	day := func(d int) string { return now.AddDate(0, 0, d).Format("2006-01-02") }
	var y strings.Builder
	fmt.Fprintf(&y, "id: %s\nname: {fr: Banc mémoire, en: Memory bench}\ntime_zone: Europe/Paris\n", id)
	fmt.Fprintf(&y, "call_for_projects: {opens: %s, closes: %s}\n", day(-60), day(-11))
	fmt.Fprintf(&y, "hackathon: {starts: \"%s 18:00\", ends: \"%s 18:00\"}\naccompaniment_months: 12\nthemes:\n", day(-10), day(-8))
	for _, t := range memThemes {
		fmt.Fprintf(&y, "  - {id: %s, title: {fr: %s, en: %s}}\n", t, t, t)
	}
	y.WriteString("cities:\n")
	for _, c := range memCities {
		fmt.Fprintf(&y, "  - {name: %s, time_zone: %s, meetup: \"first tuesday 19:00\", coordinators: [coordination-%s@example.org]}\n",
			c[0], c[1], strings.ToLower(c[0]))
	}
	y.WriteString(`milestones:
  - {id: open-licence, title: {fr: Licence ouverte, en: Open licence}, due: "+1m", evidence: repository}
  - {id: demo, title: {fr: Démo, en: Demo}, due: "+2m", evidence: url}
  - {id: explainer-video, title: {fr: Vidéo, en: Video}, due: "+3m", evidence: video}
  - {id: first-external-contributor, title: {fr: Premier contributeur, en: First contributor}, due: "+4m", evidence: repository, optional: true}
  - {id: first-release, title: {fr: Première version, en: First release}, due: "+5m", evidence: url}
  - {id: six-month-review, title: {fr: Bilan à six mois, en: Six-month review}, due: "+6m", evidence: none}
  - {id: twelve-month-review, title: {fr: Bilan à douze mois, en: Twelve-month review}, due: "+12m", evidence: none}
`)
	return []byte(y.String())
}

// memDriver posts to a Suivi API as one signed-in coordinator.
type memDriver struct {
	base, token string
	hc          *http.Client
	retries     atomic.Int64
}

// post sends body and wants a 2xx; a 503 "try again" is retried.
func (d *memDriver) post(ctx context.Context, path, contentType string, body []byte) error {
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.base+path, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Authorization", "Bearer "+d.token)
		resp, err := d.hc.Do(req)
		if err != nil {
			return err
		}
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable && attempt < 300 {
			d.retries.Add(1)
			time.Sleep(50 * time.Millisecond)
			continue
		}
		if resp.StatusCode >= 300 {
			return fmt.Errorf("%s: %d %s", path, resp.StatusCode, bytes.TrimSpace(data))
		}
		return nil
	}
}

// child is `suivi worker` or `suivi dev` run from this binary.
type child struct {
	cmd    *exec.Cmd
	cancel context.CancelFunc
	done   chan struct{}
	ready  chan struct{}

	mu        sync.Mutex
	lines     []string // the last lines of its output
	readyMark string
	isReady   bool
	heapLive  int64
	heapGoal  int64
	stacks    int64
	gcs       int
}

// gcLine is a gctrace line: "gc 12 @3.2s 1%: …, 45->46->23 MB, 47 MB goal,
// 3 MB stacks, …" (sizes in MiB: the heap at the start of the GC, at its
// end, live after it, the next GC's goal, goroutine stacks scanned).
var gcLine = regexp.MustCompile(`^gc (\d+) @.*?(\d+)->(\d+)->(\d+) MB, (\d+) MB goal(?:, (\d+) MB stacks)?`)

// startChild runs exe args with env; the child is ready once a line of its
// output contains readyMark.
func startChild(ctx context.Context, exe string, args, env []string, readyMark string) (*child, error) {
	cctx, cancel := context.WithCancel(ctx)
	c := &child{cancel: cancel, done: make(chan struct{}), ready: make(chan struct{}), readyMark: readyMark, heapLive: -1, heapGoal: -1, stacks: -1}
	c.cmd = exec.CommandContext(cctx, exe, args...)
	c.cmd.Env = env
	// Stopped as Ctrl-C stops it; killed if it does not stop in a minute,
	// or if this process dies first.
	c.cmd.Cancel = func() error { return c.cmd.Process.Signal(syscall.SIGTERM) }
	c.cmd.WaitDelay = time.Minute
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	c.cmd.Stdout = &lineWriter{line: c.line}
	c.cmd.Stderr = &lineWriter{line: c.line}
	if err := c.cmd.Start(); err != nil {
		cancel()
		return nil, err
	}
	go func() {
		_ = c.cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

func (c *child) line(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m := gcLine.FindStringSubmatch(s); m != nil {
		c.gcs, _ = strconv.Atoi(m[1])
		c.heapLive, _ = strconv.ParseInt(m[4], 10, 64)
		c.heapGoal, _ = strconv.ParseInt(m[5], 10, 64)
		c.stacks = -1
		if m[6] != "" {
			c.stacks, _ = strconv.ParseInt(m[6], 10, 64)
		}
		return
	}
	c.lines = append(c.lines, s)
	if len(c.lines) > 40 {
		c.lines = c.lines[len(c.lines)-40:]
	}
	if !c.isReady && strings.Contains(s, c.readyMark) {
		c.isReady = true
		close(c.ready)
	}
}

func (c *child) pid() int { return c.cmd.Process.Pid }

func (c *child) heap() (live, goal, stacks int64, gcs int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.heapLive, c.heapGoal, c.stacks, c.gcs
}

func (c *child) tail() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.lines, "\n")
}

func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

func (c *child) waitReady(timeout time.Duration) error {
	select {
	case <-c.ready:
		return nil
	case <-c.done:
		return fmt.Errorf("`suivi %s` exited before it was ready:\n%s", c.cmd.Args[1], c.tail())
	case <-time.After(timeout):
		return fmt.Errorf("`suivi %s` not ready after %s:\n%s", c.cmd.Args[1], timeout, c.tail())
	}
}

// stop sends SIGTERM and waits for the child to exit.
func (c *child) stop() {
	c.cancel()
	<-c.done
}

// lineWriter calls line for every complete line written to it.
type lineWriter struct {
	buf  []byte
	line func(string)
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.line(string(w.buf[:i]))
		w.buf = w.buf[i+1:]
	}
	return len(p), nil
}

// childEnv is this process's environment without any Suivi setting, then
// the settings given (later maps win).
func childEnv(settings ...map[string]string) []string {
	drop := map[string]bool{"GODEBUG": true}
	for _, s := range config.Settings() {
		drop[s.Env] = true
	}
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !drop[k] {
			env = append(env, kv)
		}
	}
	merged := map[string]string{}
	for _, m := range settings {
		for k, v := range m {
			merged[k] = v
		}
	}
	keys := make([]string, 0, len(merged))
	for k := range merged {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		env = append(env, k+"="+merged[k])
	}
	return env
}

// procStatus is a process's memory as /proc/PID/status says, in bytes:
// resident (rss = anon + file + shmem), its peak, and the anonymous part
// (heap, stacks) apart from file pages (the binary's own code and data).
type procStatus struct{ rss, hwm, anon, file int64 }

func procMemory(pid int) (procStatus, error) {
	var s procStatus
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, err
	}
	fields := map[string]*int64{"VmRSS": &s.rss, "VmHWM": &s.hwm, "RssAnon": &s.anon, "RssFile": &s.file}
	found := 0
	for _, l := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(l, ":")
		p := fields[k]
		if !ok || p == nil {
			continue
		}
		f := strings.Fields(v)
		if len(f) != 2 || f[1] != "kB" {
			return s, fmt.Errorf("/proc/%d/status: unexpected %s line %q", pid, k, l)
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return s, fmt.Errorf("/proc/%d/status: %s: %w", pid, k, err)
		}
		*p = n * 1024
		found++
	}
	if found != len(fields) {
		return s, fmt.Errorf("/proc/%d/status lacks one of VmRSS, VmHWM, RssAnon, RssFile", pid)
	}
	return s, nil
}

// newDatabase creates database name on the server of serverURL and
// returns its URL.
func newDatabase(ctx context.Context, serverURL, name string) (string, error) {
	conn, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		return "", err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "create database "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	u, err := url.Parse(serverURL)
	if err != nil {
		return "", errors.New("the private Postgres's URL does not parse")
	}
	u.Path = "/" + name
	return u.String(), nil
}

// freeLoopbackAddr is a loopback address nothing listens on (now).
func freeLoopbackAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}
