package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/codecitoyen/suivi/activities"
	"github.com/codecitoyen/suivi/internal/config"
	"github.com/codecitoyen/suivi/internal/mail"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/web"
	"github.com/codecitoyen/suivi/worker"
)

// backend is what worker and serve connect to: Postgres, with its schema
// checked, and Temporal.
type backend struct {
	cfg config.Config
	log *slog.Logger
	st  *store.Store
	tc  client.Client
	// tokens sign the links in emails.
	tokens mail.Tokens
}

// connectBackend parses the command line of worker or serve (settings names
// the flags beyond the engine's: each command offers only those it uses),
// checks the settings and connects.
func connectBackend(ctx context.Context, e env, cmd, synopsis string, args []string, settings ...string) (*backend, error) {
	b := &backend{}
	fs := newFlags(cmd, e, &b.cfg, slices.Concat(settings, engineSettings)...)
	if err := noArgs(cmd, e, fs, synopsis, args); err != nil {
		return nil, err
	}
	if err := validConfig(cmd, &b.cfg); err != nil {
		return nil, err
	}
	if err := requireDatabaseURL(&b.cfg); err != nil {
		return nil, err
	}
	b.log = newLogger(&b.cfg, e.stderr)
	key, err := secret(&b.cfg, "")
	if err != nil {
		return nil, err
	}
	b.tokens = mail.Tokens{Secret: key}
	if b.st, err = openStore(ctx, &b.cfg); err != nil {
		return nil, err
	}
	if b.tc, err = dialTemporal(ctx, &b.cfg, b.log); err != nil {
		b.st.Close()
		return nil, err
	}
	return b, nil
}

func (b *backend) Close() {
	b.tc.Close()
	b.st.Close()
}

func runWorker(ctx context.Context, e env, args []string) error {
	b, err := connectBackend(ctx, e, "worker", "suivi worker [flags]\n\nPolls the \"suivi\" task queue of an external Temporal and runs Suivi's workflows\nand activities. Run as many as you need.", args, slices.Concat(mailSettings, githubSettings, workerSettings)...)
	if err != nil {
		return err
	}
	defer b.Close()
	w, _, _, err := startWorker(ctx, &b.cfg, b.st, b.tc, b.tokens, "", b.log)
	if err != nil {
		return err
	}
	b.log.Info("worker polling", "temporal", b.cfg.TemporalAddress, "namespace", b.cfg.TemporalNamespace, "task_queue", config.TaskQueue)
	<-ctx.Done()
	b.log.Info("worker stopping")
	w.Stop()
	return nil
}

// serveSettings are serve's flags beyond the engine's: it sends no email
// (the worker does) and polls no repository, but checks the signed links
// in emails with SUIVI_SECRET.
var serveSettings = []string{"http", "secret", "public-url"}

func runServe(ctx context.Context, e env, args []string) error {
	b, err := connectBackend(ctx, e, "serve", "suivi serve [flags]\n\nServes the web pages, the JSON API under /api/v1 and /healthz, against an external\nTemporal and DATABASE_URL. Run as many as you need behind a load balancer.", args, serveSettings...)
	if err != nil {
		return err
	}
	defer b.Close()
	l, err := listen(b.cfg.HTTPAddr, "--http or SUIVI_HTTP_ADDR")
	if err != nil {
		return err
	}
	defer l.Close()
	srv := web.NewServer(b.cfg.HTTPAddr, web.NewHandler(web.Deps{
		Temporal: b.tc, Store: b.st, Logger: b.log,
		Checks:        readinessChecks(b.st, b.tc, b.cfg.TemporalNamespace),
		Hosts:         b.cfg.Hosts(),
		SecureCookies: strings.HasPrefix(b.cfg.PublicBaseURL(), "https://"),
		// /dev/mail is for `suivi dev` only: in production it would show
		// everyone's mail and links.
		Tokens: b.tokens,
	}))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	b.log.Info("serving", "addr", "http://"+b.cfg.HTTPAddr)
	// Say at start when Postgres and Temporal disagree (one was restored
	// apart from the other); in the background, not to delay serving.
	go reportIntegrity(ctx, b.st, b.tc, b.cfg.TemporalNamespace, "", b.log)
	go janitor(ctx, b.st, b.log)
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

func runVersion(_ context.Context, e env, args []string) error {
	if err := noArgs("version", e, newFlags("version", e, nil), "suivi version\n\nPrints the version of this suivi.", args); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "suivi", version)
	return nil
}

// startWorker runs Suivi's workflows and activities on the task queue, and
// makes sure the background work runs: the outbox dispatcher, the weekly
// digest and the repository watcher (all idempotent). `suivi dev` and
// `suivi worker` share it so that they cannot drift apart. Without SMTP_URL
// mail is written to defaultMailDir, returned as mailDir ("" when sent).
func startWorker(ctx context.Context, cfg *config.Config, st *store.Store, tc client.Client, tokens mail.Tokens, defaultMailDir string, log *slog.Logger) (w *worker.Workers, mailer *activities.Mailer, mailDir string, err error) {
	// A data dir or namespace made by an older suivi may lack newer attributes.
	if err := worker.EnsureSearchAttributes(ctx, tc, cfg.TemporalNamespace); err != nil {
		return nil, nil, "", err
	}
	if mailer, mailDir, err = newMailer(cfg, defaultMailDir, tokens, log); err != nil {
		return nil, nil, "", err
	}
	gh, err := newGitHub(cfg, st, log)
	if err != nil {
		return nil, nil, "", err
	}
	acts := &activities.Activities{Store: st, Mail: mailer, GitHub: gh, GitHubWorkers: cfg.Inflight()}
	if skew := cfg.Skew(); skew != 0 {
		// Tests only (SUIVI_CLOCK_SKEW): the one clock activities read.
		acts.Now = func() time.Time { return time.Now().Add(skew) }
	}
	w = worker.New(tc, acts,
		worker.Options{MailBatchesPerSecond: cfg.Rate(), CacheSize: cfg.CacheSize()})
	if err := w.Start(); err != nil {
		return nil, nil, "", fmt.Errorf("worker: %w", err)
	}
	err = worker.EnsureDigestSchedule(ctx, tc)
	if err == nil {
		err = worker.WakeOutbox(ctx, tc)
	}
	if err == nil {
		err = worker.EnsureWatch(ctx, tc, cfg.PollInterval())
	}
	if err == nil {
		err = ensureEditionSchedules(ctx, st, tc)
	}
	if err == nil {
		err = ensureFunderSchedules(ctx, st, tc)
	}
	if err != nil {
		w.Stop()
		return nil, nil, "", err
	}
	return w, mailer, mailDir, nil
}

// ensureEditionSchedules puts back the meetup Schedules of every current
// edition: a Temporal whose state was lost, or a new cluster, would
// otherwise never invite anyone again (applying an edition creates them,
// and an unchanged edition is rarely applied again).
func ensureEditionSchedules(ctx context.Context, st *store.Store, tc client.Client) error {
	eds, err := st.CurrentEditions(ctx, time.Now())
	if err != nil {
		return err
	}
	for _, ed := range eds {
		if _, err := worker.EnsureMeetupSchedules(ctx, tc, ed); err != nil {
			return fmt.Errorf("meetup schedules of %s: %w", ed.ID, err)
		}
	}
	return nil
}

// ensureFunderSchedules puts back every funder's monthly report Schedule
// (a lost or new Temporal would otherwise never report again).
func ensureFunderSchedules(ctx context.Context, st *store.Store, tc client.Client) error {
	funders, err := st.ListFunders(ctx)
	if err != nil {
		return err
	}
	for _, f := range funders {
		if err := worker.EnsureFunderSchedule(ctx, tc, f.Slug); err != nil {
			return err
		}
	}
	return nil
}

// janitor removes expired sessions and sign-in links every hour while the
// web server runs (any number of serve processes may do it at once).
func janitor(ctx context.Context, st *store.Store, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := st.DeleteExpired(ctx, time.Now()); err != nil && ctx.Err() == nil {
			log.Warn("delete expired sessions and links", "error", err)
		} else if n > 0 {
			log.Debug("deleted expired sessions and links", "rows", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
