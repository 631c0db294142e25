package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/proto"

	"github.com/codecitoyen/suivi/activities"
	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/mail"
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

// bareDone counts the bare activities run, so the bench knows when the
// bare workflows' first tasks are all done.
var bareDone atomic.Int64

func bareActivity(context.Context) error { bareDone.Add(1); return nil }

// benchPrograms runs `suivi bench programs`.
func benchPrograms(ctx context.Context, e env, args []string) error {
	var o struct {
		n, c, updates, history int
		cpuprofile             string
	}
	fs := newFlags("bench programs", e, nil)
	fs.IntVar(&o.n, "n", 200, "programs to start (and bare workflows)")
	fs.IntVar(&o.c, "c", 10, "concurrent clients")
	fs.IntVar(&o.updates, "updates", 100, "Updates in each Update scenario")
	fs.IntVar(&o.history, "history", 1000, "Updates sent to one more program and one more bare workflow, to weigh their histories after 10 and after this many (0: skip)")
	fs.StringVar(&o.cpuprofile, "cpuprofile", "", "write CPU profiles of the Suivi runs (server, worker and clients share the process) to FILE.1, FILE.2… (one per scenario), for go tool pprof")
	if err := noArgs("bench programs", e, fs, "suivi bench programs [-n 200] [-c 10] [--updates 100] [--history 1000]\n\n"+
		"Starts an embedded Temporal, a private Postgres, a worker and the web server, then\n"+
		"starts N programs through the API and runs Updates (sequential on one program,\n"+
		"concurrent on one program, concurrent over many), and does the same on the same\n"+
		"server with a bare workflow (one activity, an Update handler with a validator).\n"+
		"Between scenarios it waits until both sides' workflows have done the work the\n"+
		"previous one left queued. Then it weighs the histories of a program and of a\n"+
		"bare workflow after 10 and after --history Updates. Prints both sides and their\n"+
		"ratio; the last line is min_ratio=<number>.", args); err != nil {
		return err
	}
	if o.n < 1 || o.n > 20000 || o.c < 1 || o.c > 200 || o.updates < 1 || o.updates > 100000 || o.history < 0 || o.history > 5000 {
		return &usageError{"bench programs", "-n 1..20000, -c 1..200, --updates 1..100000, --history 0..5000"}
	}
	log := slog.New(slog.DiscardHandler)
	dir, pg, stopPG, err := benchPostgres(ctx, e, "bench programs")
	if err != nil {
		return err
	}
	defer stopPG()
	fmt.Fprintln(e.stderr, "starting an embedded Temporal…")
	st, err := store.Open(ctx, pg.URL())
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx, nil); err != nil {
		return err
	}
	_, tc, stopTemporal, err := benchTemporal(ctx, dir, log)
	if err != nil {
		return err
	}
	defer stopTemporal()
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
	srv, err := serveLoopback(web.NewHandler(web.Deps{Temporal: tc, Store: st, Logger: log, Tokens: tokens,
		RequestTimeout: time.Minute}))
	if err != nil {
		return err
	}
	defer srv.Close()
	profiles := 0
	if o.cpuprofile != "" {
		defer fmt.Fprintf(e.stderr, "CPU profiles of the Suivi runs, one per scenario, in %s.1 …: go tool pprof -top %s.1\n", o.cpuprofile, o.cpuprofile)
	}
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
		// info rows explain the others and stay out of min_ratio.
		info bool
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
	// settle waits until the work a side's workflows still have queued is
	// done (done() reports it), so it does not slow the next measurement,
	// and says how long that took.
	settle := func(done func() (bool, error)) (time.Duration, error) {
		began := time.Now()
		for {
			ok, err := done()
			if err != nil || ok {
				return time.Since(began), err
			}
			if time.Since(began) > 5*time.Minute {
				return 0, errors.New("the workflows did not catch up within 5 minutes")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	nothingLeft := func() (bool, error) { return true, nil }
	measure := func(name string, n, c int, suivi, bareDo func(ctx context.Context, i int) error, suiviDone, bareDoneFn func() (bool, error)) error {
		fmt.Fprintf(e.stderr, "%s…\n", name)
		if o.cpuprofile != "" {
			// One file per scenario: pprof reads one profile per file.
			profiles++
			prof, err := os.Create(fmt.Sprintf("%s.%d", o.cpuprofile, profiles))
			if err != nil {
				return err
			}
			defer prof.Close()
			if err := pprof.StartCPUProfile(prof); err != nil {
				return err
			}
		}
		sr, s50, s99, err := run(name, n, c, suivi)
		if o.cpuprofile != "" {
			pprof.StopCPUProfile()
		}
		if err != nil {
			return err
		}
		sLeft, err := settle(suiviDone)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		br, b50, b99, err := run(name+" (bare)", n, c, bareDo)
		if err != nil {
			return err
		}
		bLeft, err := settle(bareDoneFn)
		if err != nil {
			return fmt.Errorf("%s (bare): %w", name, err)
		}
		results = append(results, result{name: name, suivi: sr, bare: br, sp50: s50, sp99: s99, bp50: b50, bp99: b99})
		if sLeft > 50*time.Millisecond || bLeft > 50*time.Millisecond {
			// Work still queued when the last answer came: count it too.
			sAll, bAll := float64(n)/(float64(n)/sr+sLeft.Seconds()), float64(n)/(float64(n)/br+bLeft.Seconds())
			results = append(results, result{name: name + ", until the worker is idle", suivi: sAll, bare: bAll, info: true})
		}
		return nil
	}
	project := func(i int) string { return fmt.Sprintf("p%05d", i) }
	pgc, err := pgx.Connect(ctx, pg.URL())
	if err != nil {
		return err
	}
	defer pgc.Close(context.Background())
	// A program's workflow has run once its own projection (seq 1, the
	// "started" audit entry) replaced the API's first record (seq 0).
	projected := func(want int) func() (bool, error) {
		return func() (bool, error) {
			var n int
			err := pgc.QueryRow(ctx, `select count(*) from audit_log where edition = 'bench' and action = 'started'`).Scan(&n)
			return n >= want, err
		}
	}
	// Starts: the API answers once the program is readable in Postgres;
	// the bare side once ExecuteWorkflow returned.
	err = measure("starts", o.n, o.c, func(ctx context.Context, i int) error {
		return post(ctx, "/api/v1/programs", api.StartProgram{Edition: "bench", Project: project(i), Name: "Projet " + project(i),
			City: "Lyon", Holders: []string{"h@example.org"}, Repositories: []string{"https://github.com/bench/" + project(i)}})
	}, func(ctx context.Context, i int) error {
		_, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "bare/" + project(i), TaskQueue: bareQueue}, "BenchBare")
		return err
	}, projected(o.n), func() (bool, error) { return bareDone.Load() >= int64(o.n), nil })
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
	if err := measure("updates, sequential on one program", o.updates, 1, submit(project(0), 1), touch("bare/"+project(0)), nothingLeft, nothingLeft); err != nil {
		return err
	}
	// The same Updates sent to the program's workflow with the Temporal
	// client, past the API: what the API's own work costs.
	straight := func(id string, i int) func(ctx context.Context, k int) error {
		return func(ctx context.Context, k int) error {
			h, err := tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id, UpdateName: workflows.UpdateSubmit,
				Args:         []any{workflows.ActionRequest{Actor: "bench@example.org", Milestone: "demo", URL: fmt.Sprintf("https://demo.example.org/straight/%d-%d", i, k)}},
				WaitForStage: client.WorkflowUpdateStageCompleted})
			if err != nil {
				return err
			}
			return h.Get(ctx, nil)
		}
	}
	if err := measure("  (past the API, straight to the workflow)", o.updates, 1, straight(workflows.ProgramWorkflowID("bench", project(0)), 5), touch("bare/"+project(0)), nothingLeft, nothingLeft); err != nil {
		return err
	}
	results[len(results)-1].info = true
	if err := measure("updates, concurrent on one program", o.updates, o.c, submit(project(1), 2), touch("bare/"+project(1)), nothingLeft, nothingLeft); err != nil {
		return err
	}
	if err := measure("updates, concurrent over many", o.updates, o.c, func(ctx context.Context, k int) error {
		return submit(project(k%many), 3)(ctx, k)
	}, func(ctx context.Context, k int) error {
		return touch("bare/"+project(k%many))(ctx, k)
	}, nothingLeft, nothingLeft); err != nil {
		return err
	}
	var weights []historyWeight
	if o.history > 0 {
		fmt.Fprintf(e.stderr, "history of %d Updates…\n", o.history)
		if err := post(ctx, "/api/v1/programs", api.StartProgram{Edition: "bench", Project: "history", Name: "Historique",
			City: "Lyon", Holders: []string{"h@example.org"}, Repositories: []string{"https://github.com/bench/history"}}); err != nil {
			return err
		}
		if err := post(ctx, "/api/v1/programs/bench/history/actions/select", map[string]any{}); err != nil {
			return err
		}
		if _, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "bare/history", TaskQueue: bareQueue}, "BenchBare"); err != nil {
			return err
		}
		sw, err := weighHistory(ctx, tc, "Suivi", workflows.ProgramWorkflowID("bench", "history"), o.history, submit("history", 4))
		if err != nil {
			return err
		}
		bw, err := weighHistory(ctx, tc, "bare", "bare/history", o.history, touch("bare/history"))
		if err != nil {
			return err
		}
		weights = append(weights, sw, bw)
	}

	fmt.Fprintf(e.stdout, "%-38s %10s %10s %7s  %18s  %18s\n", "scenario", "suivi/s", "bare/s", "ratio", "suivi p50 / p99", "bare p50 / p99")
	minRatio := 0.0
	for i, r := range results {
		ratio := r.suivi / r.bare
		if !r.info && (i == 0 || ratio < minRatio) {
			minRatio = ratio
		}
		fmt.Fprintf(e.stdout, "%-38s %10.1f %10.1f %7.2f  %8s / %-8s  %8s / %-8s\n", r.name, r.suivi, r.bare, ratio,
			r.sp50.Round(100*time.Microsecond), r.sp99.Round(100*time.Microsecond), r.bp50.Round(100*time.Microsecond), r.bp99.Round(100*time.Microsecond))
	}
	fmt.Fprintf(e.stdout, "503 \"try again\" answers retried after 20 ms: %d\n", retries.Load())
	if len(weights) > 0 {
		fmt.Fprintf(e.stdout, "\n%-6s %28s %28s %6s\n", "", "first 10 Updates", fmt.Sprintf("Updates 11 to %d", o.history), "runs")
		fmt.Fprintf(e.stdout, "%-6s %13s %14s %13s %14s\n", "", "events/Update", "bytes/Update", "events/Update", "bytes/Update")
		for _, w := range weights {
			fmt.Fprintf(e.stdout, "%-6s %13.1f %14.0f %13.1f %14.0f %6d\n", w.name, w.events10, w.bytes10, w.eventsRest, w.bytesRest, w.runs)
		}
	}
	fmt.Fprintf(e.stdout, "min_ratio=%.2f\n", minRatio)
	return nil
}

// historyWeight is what Updates cost in a workflow's history, over every run
// of its chain (continue-as-new starts a new one).
type historyWeight struct {
	name                  string
	events10, bytes10     float64 // per Update, over the first 10
	eventsRest, bytesRest float64 // per Update, over the following ones
	runs                  int
}

// weighHistory sends n Updates (do) to a workflow and weighs its history
// before, after 10 and after n.
func weighHistory(ctx context.Context, tc client.Client, name, id string, n int, do func(ctx context.Context, k int) error) (historyWeight, error) {
	w := historyWeight{name: name}
	e0, b0, _, err := chainHistory(ctx, tc, id)
	if err != nil {
		return w, err
	}
	var e10, b10 int
	for k := range n {
		if k == 10 {
			if e10, b10, _, err = chainHistory(ctx, tc, id); err != nil {
				return w, err
			}
		}
		if err := do(ctx, 1000+k); err != nil {
			return w, err
		}
	}
	eN, bN, runs, err := chainHistory(ctx, tc, id)
	if err != nil {
		return w, err
	}
	rest := float64(max(n-10, 1))
	w.events10, w.bytes10 = float64(e10-e0)/10, float64(b10-b0)/10
	w.eventsRest, w.bytesRest = float64(eN-e10)/rest, float64(bN-b10)/rest
	w.runs = runs
	return w, nil
}

// chainHistory sums the events and encoded bytes of every run of a
// workflow, from the current one back along continue-as-new.
func chainHistory(ctx context.Context, tc client.Client, id string) (events, bytes, runs int, err error) {
	run := ""
	for {
		it := tc.GetWorkflowHistory(ctx, id, run, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		prev := ""
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				return 0, 0, 0, err
			}
			events++
			bytes += proto.Size(ev)
			if a := ev.GetWorkflowExecutionStartedEventAttributes(); a != nil {
				prev = a.GetContinuedExecutionRunId()
			}
		}
		runs++
		if prev == "" || runs > 100 {
			return events, bytes, runs, nil
		}
		run = prev
	}
}
