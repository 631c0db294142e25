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
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/codecitoyen/suivi/activities"
	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/devserver"
	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/mail"
	"github.com/codecitoyen/suivi/internal/pglocal"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/web"
	"github.com/codecitoyen/suivi/worker"
	"github.com/codecitoyen/suivi/workflows"
)

// bareQueue is the task queue of the bench's bare workflow.
const bareQueue = "suivi-bench-bare"

// bareWorkflow is the floor Suivi is measured against: one activity, then
// Updates with a validator, as a program takes them, and nothing else.
func bareWorkflow(ctx workflow.Context) error {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
	if err := workflow.ExecuteActivity(actx, bareActivity).Get(ctx, nil); err != nil {
		return err
	}
	count := 0
	err := workflow.SetUpdateHandlerWithOptions(ctx, "touch", func(ctx workflow.Context, note string) (int, error) {
		count++
		return count, nil
	}, workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, note string) error {
		if len(note) > 2000 {
			return errors.New("note too long")
		}
		return nil
	}})
	if err != nil {
		return err
	}
	return workflow.Await(ctx, func() bool { return false })
}

func bareActivity(context.Context) error { return nil }

// benchPrograms runs `suivi bench programs`.
func benchPrograms(ctx context.Context, e env, args []string) error {
	var o struct{ n, c, updates int }
	fs := newFlags("bench programs", e, nil)
	fs.IntVar(&o.n, "n", 200, "programs to start (and bare workflows)")
	fs.IntVar(&o.c, "c", 10, "concurrent clients")
	fs.IntVar(&o.updates, "updates", 100, "Updates in each Update scenario")
	if err := noArgs("bench programs", e, fs, "suivi bench programs [-n 200] [-c 10] [--updates 100]\n\n"+
		"Starts an embedded Temporal, a private Postgres, a worker and the web server, then\n"+
		"starts N programs through the API and runs Updates (sequential on one program,\n"+
		"concurrent on one program, concurrent over many), and does the same on the same\n"+
		"server with a bare workflow (one activity, an Update handler with a validator).\n"+
		"Prints both sides and their ratio; the last line is min_ratio=<number>.", args); err != nil {
		return err
	}
	if o.n < 1 || o.n > 20000 || o.c < 1 || o.c > 200 || o.updates < 1 || o.updates > 100000 {
		return &usageError{"bench programs", "-n 1..20000, -c 1..200, --updates 1..100000"}
	}
	log := slog.New(slog.DiscardHandler)
	dir, err := os.MkdirTemp("", "suivi-bench-programs-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	_ = os.Chmod(dir, 0o755)
	fmt.Fprintln(e.stderr, "starting a private Postgres and an embedded Temporal…")
	pg, err := pglocal.Start(ctx, pglocal.Options{Dir: filepath.Join(dir, "pg"), BinDir: e.getenv("SUIVI_PG_BINDIR")})
	if err != nil {
		return fmt.Errorf("suivi bench programs needs PostgreSQL's initdb and pg_ctl: %w", err)
	}
	defer pg.Stop()
	st, err := store.Open(ctx, pg.URL())
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx, nil); err != nil {
		return err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := l.Addr().String()
	l.Close()
	ts, err := devserver.Start(ctx, devserver.Options{DBFile: filepath.Join(dir, "temporal.db"), FrontendAddr: addr, Namespace: "default",
		SearchAttributes: workflows.SearchAttributes(), Logger: log, LogLevel: slog.LevelError})
	if err != nil {
		return err
	}
	defer ts.Stop()
	tc, err := client.Dial(client.Options{HostPort: addr, Namespace: "default", Logger: sdklog.NewStructuredLogger(log)})
	if err != nil {
		return err
	}
	defer tc.Close()
	if err := worker.EnsureSearchAttributes(ctx, tc, "default"); err != nil {
		return err
	}
	tpl, err := mail.LoadTemplates()
	if err != nil {
		return err
	}
	tokens := mail.Tokens{Secret: []byte("bench-programs-secret-0123456789abcdef")}
	mailer := &activities.Mailer{Sender: &mail.FileSender{Dir: filepath.Join(dir, "mail")}, Templates: tpl,
		From: "Suivi <suivi@bench.example.org>", PublicURL: "http://127.0.0.1", Tokens: tokens}
	ws := worker.New(tc, &activities.Activities{Store: st, Mail: mailer}, worker.Options{})
	if err := ws.Start(); err != nil {
		return err
	}
	defer ws.Stop()
	bare := sdkworker.New(tc, bareQueue, sdkworker.Options{})
	bare.RegisterWorkflowWithOptions(bareWorkflow, workflow.RegisterOptions{Name: "BenchBare"})
	bare.RegisterActivity(bareActivity)
	if err := bare.Start(); err != nil {
		return err
	}
	defer bare.Stop()

	// An edition whose hackathon is a month away, so programs can start.
	now := time.Now().UTC()
	hack := now.AddDate(0, 1, 0)
	yaml := fmt.Sprintf(`id: bench
name: {fr: Bench, en: Bench}
time_zone: Europe/Paris
call_for_projects: {opens: %s, closes: %s}
hackathon: {starts: "%s 18:00", ends: "%s 18:00"}
accompaniment_months: 12
cities:
  - {name: Lyon, time_zone: Europe/Paris, meetup: "first tuesday 19:00", coordinators: [c@bench.example.org]}
milestones:
  - {id: demo, title: {fr: Démo, en: Demo}, due: "+0d", evidence: url}
`, now.AddDate(0, 0, -1).Format("2006-01-02"), hack.AddDate(0, 0, -1).Format("2006-01-02"), hack.Format("2006-01-02"), hack.AddDate(0, 0, 2).Format("2006-01-02"))
	ed, err := edition.Parse([]byte(yaml))
	if err != nil {
		return err
	}
	spec, _ := json.Marshal(ed)
	if _, _, err := st.ApplyEdition(ctx, ed.ID, ed.Hash(), spec); err != nil {
		return err
	}
	if _, err := st.AddGrant(ctx, auth.Grant{Email: "bench@example.org", Role: auth.Coordinator}, "bench"); err != nil {
		return err
	}
	secretTok, hash := auth.NewSecret(auth.TokenPrefix)
	if _, err := st.CreateToken(ctx, "bench@example.org", "bench", hash); err != nil {
		return err
	}
	srv, err := serveLoopback(web.NewHandler(web.Deps{Temporal: tc, Store: st, Logger: log, RecordWait: 20 * time.Second, Tokens: tokens,
		RequestTimeout: time.Minute}))
	if err != nil {
		return err
	}
	defer srv.Close()
	var retries atomic.Int64 // 503 "try again" answers
	post := func(ctx context.Context, path string, body any) error {
		b, _ := json.Marshal(body)
		for attempt := 0; ; attempt++ {
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.url+path, bytes.NewReader(b))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+secretTok)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return err
			}
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			// A program with too many changes waiting for Postgres says
			// "try again": a client does, and the time counts.
			if resp.StatusCode == http.StatusServiceUnavailable && attempt < 200 {
				retries.Add(1)
				time.Sleep(20 * time.Millisecond)
				continue
			}
			if resp.StatusCode >= 300 {
				return fmt.Errorf("%s: %d %s", path, resp.StatusCode, data)
			}
			return nil
		}
	}

	type result struct {
		name        string
		suivi, bare float64 // per second
		sp50, sp99  time.Duration
		bp50, bp99  time.Duration
	}
	var results []result
	run := func(name string, n, c int, do func(ctx context.Context, i int) error) (float64, time.Duration, time.Duration, error) {
		lat := make([]time.Duration, n)
		work := make(chan int)
		errs := make(chan error, n)
		var wg sync.WaitGroup
		began := time.Now()
		for range c {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range work {
					t := time.Now()
					if err := do(ctx, i); err != nil {
						errs <- err
					}
					lat[i] = time.Since(t)
				}
			}()
		}
		for i := range n {
			work <- i
		}
		close(work)
		wg.Wait()
		took := time.Since(began)
		close(errs)
		for err := range errs {
			return 0, 0, 0, fmt.Errorf("%s: %w", name, err)
		}
		slices.Sort(lat)
		return float64(n) / took.Seconds(), lat[n/2], lat[min(n-1, n*99/100)], nil
	}
	measure := func(name string, n, c int, suivi, bareDo func(ctx context.Context, i int) error) error {
		fmt.Fprintf(e.stderr, "%s…\n", name)
		sr, s50, s99, err := run(name, n, c, suivi)
		if err != nil {
			return err
		}
		br, b50, b99, err := run(name+" (bare)", n, c, bareDo)
		if err != nil {
			return err
		}
		results = append(results, result{name, sr, br, s50, s99, b50, b99})
		return nil
	}
	project := func(i int) string { return fmt.Sprintf("p%05d", i) }
	// Starts: the API answers once the program is readable in Postgres;
	// the bare side once ExecuteWorkflow returned.
	err = measure("starts", o.n, o.c, func(ctx context.Context, i int) error {
		return post(ctx, "/api/v1/programs", api.StartProgram{Edition: "bench", Project: project(i), Name: "Projet " + project(i),
			City: "Lyon", Holders: []string{"h@example.org"}, Repositories: []string{"https://github.com/bench/" + project(i)}})
	}, func(ctx context.Context, i int) error {
		_, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "bare/" + project(i), TaskQueue: bareQueue}, "BenchBare")
		return err
	})
	if err != nil {
		return err
	}
	// Updates need a selected program: select those the scenarios use.
	many := min(o.n, o.c*4)
	for i := range many {
		if err := post(ctx, "/api/v1/programs/bench/"+project(i)+"/actions/select", map[string]any{}); err != nil {
			return err
		}
	}
	submit := func(p string, i int) func(ctx context.Context, _ int) error {
		return func(ctx context.Context, k int) error {
			return post(ctx, "/api/v1/programs/bench/"+p+"/actions/submit", map[string]any{"milestone": "demo",
				"url": fmt.Sprintf("https://demo.example.org/%s/%d-%d", p, i, k)})
		}
	}
	touch := func(id string) func(ctx context.Context, k int) error {
		return func(ctx context.Context, k int) error {
			h, err := tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id, UpdateName: "touch", Args: []any{"note"},
				WaitForStage: client.WorkflowUpdateStageCompleted})
			if err != nil {
				return err
			}
			return h.Get(ctx, nil)
		}
	}
	if err := measure("updates, sequential on one program", o.updates, 1, submit(project(0), 1), touch("bare/"+project(0))); err != nil {
		return err
	}
	if err := measure("updates, concurrent on one program", o.updates, o.c, submit(project(1), 2), touch("bare/"+project(1))); err != nil {
		return err
	}
	if err := measure("updates, concurrent over many", o.updates, o.c, func(ctx context.Context, k int) error {
		return submit(project(k%many), 3)(ctx, k)
	}, func(ctx context.Context, k int) error {
		return touch("bare/"+project(k%many))(ctx, k)
	}); err != nil {
		return err
	}

	fmt.Fprintf(e.stdout, "%-38s %10s %10s %7s  %18s  %18s\n", "scenario", "suivi/s", "bare/s", "ratio", "suivi p50 / p99", "bare p50 / p99")
	minRatio := 0.0
	for i, r := range results {
		ratio := r.suivi / r.bare
		if i == 0 || ratio < minRatio {
			minRatio = ratio
		}
		fmt.Fprintf(e.stdout, "%-38s %10.1f %10.1f %7.2f  %8s / %-8s  %8s / %-8s\n", r.name, r.suivi, r.bare, ratio,
			r.sp50.Round(100*time.Microsecond), r.sp99.Round(100*time.Microsecond), r.bp50.Round(100*time.Microsecond), r.bp99.Round(100*time.Microsecond))
	}
	fmt.Fprintf(e.stdout, "503 \"try again\" answers retried after 20 ms: %d\n", retries.Load())
	fmt.Fprintf(e.stdout, "min_ratio=%.2f\n", minRatio)
	return nil
}
