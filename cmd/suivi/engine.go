package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"time"

	"github.com/codecitoyen/suivi/activities"
	"github.com/codecitoyen/suivi/internal/config"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/web"
	"github.com/codecitoyen/suivi/worker"
)

func runWorker(ctx context.Context, e env, args []string) error {
	var cfg config.Config
	fs := newFlags("worker", e, &cfg, engineSettings...)
	if err := noArgs("worker", e, fs, "suivi worker [flags]\n\nPolls the \"suivi\" task queue of an external Temporal and runs Suivi's workflows\nand activities. Run as many as you need.", args); err != nil {
		return err
	}
	if err := validConfig("worker", &cfg); err != nil {
		return err
	}
	if err := requireDatabaseURL(&cfg); err != nil {
		return err
	}
	log := newLogger(&cfg, e.stderr)
	st, err := openStore(ctx, &cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	tc, err := dialTemporal(ctx, &cfg, log)
	if err != nil {
		return err
	}
	defer tc.Close()
	if err := worker.EnsureSearchAttributes(ctx, tc, cfg.TemporalNamespace); err != nil {
		return err
	}
	w := worker.New(tc, &activities.Activities{Store: st})
	if err := w.Start(); err != nil {
		return fmt.Errorf("worker: %w", err)
	}
	log.Info("worker polling", "temporal", cfg.TemporalAddress, "namespace", cfg.TemporalNamespace, "task_queue", config.TaskQueue)
	<-ctx.Done()
	log.Info("worker stopping")
	w.Stop()
	return nil
}

func runServe(ctx context.Context, e env, args []string) error {
	var cfg config.Config
	fs := newFlags("serve", e, &cfg, append([]string{"http"}, engineSettings...)...)
	if err := noArgs("serve", e, fs, "suivi serve [flags]\n\nServes the web pages, the JSON API under /api/v1 and /healthz, against an external\nTemporal and DATABASE_URL. Run as many as you need behind a load balancer.", args); err != nil {
		return err
	}
	if err := validConfig("serve", &cfg); err != nil {
		return err
	}
	if err := requireDatabaseURL(&cfg); err != nil {
		return err
	}
	log := newLogger(&cfg, e.stderr)
	l, err := listen(cfg.HTTPAddr, "--http or SUIVI_HTTP_ADDR")
	if err != nil {
		return err
	}
	defer l.Close()
	st, err := openStore(ctx, &cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	tc, err := dialTemporal(ctx, &cfg, log)
	if err != nil {
		return err
	}
	defer tc.Close()
	srv := web.NewServer(cfg.HTTPAddr, web.NewHandler(web.Deps{
		Temporal: tc, Store: st, Logger: log,
		Checks:     readinessChecks(st, tc, cfg.TemporalNamespace),
		RecordWait: 5 * time.Second,
	}))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	log.Info("serving", "addr", "http://"+cfg.HTTPAddr)
	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("web server: %w", err)
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

func runMigrate(ctx context.Context, e env, args []string) error {
	var cfg config.Config
	var asJSON bool
	fs := newFlags("migrate", e, &cfg, "database-url", "log-level", "log-format")
	fs.BoolVar(&asJSON, "json", false, "print the schema status as JSON")
	pos, err := parse("migrate", e, fs, "suivi migrate up|status [flags]\n\n  up      apply pending migrations (safe to run from several processes at once)\n  status  show the schema version and pending migrations", args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || (pos[0] != "up" && pos[0] != "status") {
		return &usageError{"migrate", "say `suivi migrate up` or `suivi migrate status`"}
	}
	if err := validConfig("migrate", &cfg); err != nil {
		return err
	}
	if err := requireDatabaseURL(&cfg); err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	var status store.SchemaStatus
	if pos[0] == "up" {
		status, err = st.Migrate(ctx, func(seq int32, name string) {
			if !asJSON {
				fmt.Fprintf(e.stdout, "applying %03d %s\n", seq, name)
			}
		})
	} else {
		status, err = st.Schema(ctx)
	}
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(e.stdout).Encode(status)
	}
	fmt.Fprintf(e.stdout, "schema version %d of %d", status.Current, status.Latest)
	switch {
	case status.Current > status.Latest:
		fmt.Fprintln(e.stdout, ": the database is newer than this suivi; upgrade suivi")
	case len(status.Pending) == 0:
		fmt.Fprintln(e.stdout, ": up to date")
	default:
		fmt.Fprintf(e.stdout, ": %d pending (run `suivi migrate up`)\n", len(status.Pending))
		for _, p := range status.Pending {
			fmt.Fprintln(e.stdout, "  "+p)
		}
	}
	return nil
}

// noArgs parses flags and refuses positional arguments.
func noArgs(cmd string, e env, fs *flag.FlagSet, synopsis string, args []string) error {
	pos, err := parse(cmd, e, fs, synopsis, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return &usageError{cmd, fmt.Sprintf("unexpected argument %q", pos[0])}
	}
	return nil
}

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func runVersion(_ context.Context, e env, _ []string) error {
	fmt.Fprintln(e.stdout, "suivi", version)
	return nil
}
