package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	sdkworker "go.temporal.io/sdk/worker"

	"github.com/codecitoyen/suivi/internal/config"
	"github.com/codecitoyen/suivi/internal/devserver"
	"github.com/codecitoyen/suivi/internal/mail"
	"github.com/codecitoyen/suivi/internal/pglocal"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/validate"
	"github.com/codecitoyen/suivi/internal/web"
	"github.com/codecitoyen/suivi/workflows"
)

func runDev(ctx context.Context, e env, args []string) error {
	var cfg config.Config
	fs := newFlags("dev", e, &cfg, append([]string{"data-dir", "http", "temporal", "ui", "namespace", "database-url", "pg-bindir", "log-level", "log-format"}, slices.Concat(mailSettings, githubSettings, workerSettings)...)...)
	err := noArgs("dev", e, fs, "suivi dev [flags]\n\nRuns an embedded Temporal server (SQLite in the data dir), the Temporal Web UI,\nPostgres (DATABASE_URL, or a private cluster in the data dir), the worker and\nthe web server, in one process. Ctrl-C stops everything.", args)
	if err != nil {
		return err
	}
	if err := validConfig("dev", &cfg); err != nil {
		return err
	}
	log := newLogger(&cfg, e.stderr)
	started := time.Now()

	// Everything started is stopped in reverse order, whatever happens.
	var stack []func()
	defer func() {
		for i := len(stack) - 1; i >= 0; i-- {
			stack[i]()
		}
	}()

	// Check every port before starting anything, so a clash costs nothing.
	httpL, err := listen(cfg.HTTPAddr, "--http or SUIVI_HTTP_ADDR")
	if err != nil {
		return err
	}
	stack = append(stack, func() { httpL.Close() })
	if err := portFree(cfg.TemporalAddress, "--temporal or TEMPORAL_ADDRESS"); err != nil {
		return err
	}
	if cfg.UIEnabled() {
		if err := portFree(cfg.UIAddr, "--ui or SUIVI_UI_ADDR"); err != nil {
			return err
		}
	}

	if err := makeDataDir(cfg.DataDir, postgresGroup(&cfg), log); err != nil {
		return err
	}
	unlock, err := lockDir(cfg.DataDir)
	if err != nil {
		return err
	}
	stack = append(stack, unlock)

	dbURL, pgDesc := cfg.DatabaseURL, "DATABASE_URL"
	var pgDied <-chan error // stays nil, never ready, with DATABASE_URL
	if dbURL == "" {
		pg, err := pglocal.Start(ctx, pglocal.Options{Dir: filepath.Join(cfg.DataDir, "postgres"), BinDir: cfg.PGBinDir, Logger: log})
		if errors.Is(err, pglocal.ErrNoPostgres) {
			return fmt.Errorf("no Postgres for `suivi dev`: set DATABASE_URL to a running server, or install PostgreSQL (apt-get install postgresql) so a private one can start (%w)", err)
		}
		if err != nil {
			return err
		}
		// Stop ends the watchdog before the server: no restart during shutdown.
		stack = append(stack, func() {
			if err := pg.Stop(); err != nil {
				log.Error("stop postgres", "error", err)
			}
		})
		pgDied = pg.Watch(pglocal.WatchOptions{})
		dbURL = pg.URL()
		pgDesc = fmt.Sprintf("private cluster in %s, port %d", pg.Dir(), pg.Port())
	}
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	stack = append(stack, st.Close)
	if _, err := st.Migrate(ctx, func(seq int32, name string) { log.Info("migrating", "version", seq, "name", name) }); err != nil {
		return err
	}
	tokenPath, err := devSignIn(ctx, st, cfg.DataDir)
	if err != nil {
		return err
	}

	uiAddr := ""
	if cfg.UIEnabled() {
		uiAddr = cfg.UIAddr
	}
	// The SDK's workflow cache is one per process, sized when the first
	// worker is made: here the embedded server's own workers (its
	// scheduler's), made as it starts, before Suivi's. Size it first, or
	// SUIVI_WORKFLOW_CACHE is ignored and `suivi dev` keeps Temporal's 10,000.
	sdkworker.SetStickyWorkflowCacheSize(cfg.CacheSize())
	ts, err := devserver.Start(ctx, devserver.Options{
		DBFile:           filepath.Join(cfg.DataDir, "temporal.db"),
		FrontendAddr:     cfg.TemporalAddress,
		UIAddr:           uiAddr,
		Namespace:        cfg.TemporalNamespace,
		SearchAttributes: workflows.SearchAttributes(),
		Logger:           log,
		LogLevel:         max(cfg.SlogLevel(), slog.LevelWarn),
		// The server's own cache of workflow state, bounded like the
		// worker's (never below 1,000, so that a tiny cache cannot fill
		// with workflows in use): Temporal's default, sized for a cluster
		// node, holds every program touched within the hour.
		HistoryCacheSize: max(cfg.CacheSize(), 1000),
	})
	if err != nil {
		return err
	}
	stack = append(stack, ts.Stop)

	tc, err := dialTemporal(ctx, &cfg, log)
	if err != nil {
		return err
	}
	stack = append(stack, tc.Close)

	key, err := secret(&cfg, cfg.DataDir)
	if err != nil {
		return err
	}
	tokens := mail.Tokens{Secret: key}
	w, mailer, mailDir, err := startWorker(ctx, &cfg, st, tc, tokens, filepath.Join(cfg.DataDir, "mail"), log)
	if err != nil {
		return err
	}
	stack = append(stack, w.Stop)

	srv := web.NewServer(cfg.HTTPAddr, web.NewHandler(web.Deps{
		Temporal: tc, Store: st, Logger: log,
		Checks:        readinessChecks(st, tc, cfg.TemporalNamespace),
		Hosts:         cfg.Hosts(),
		SecureCookies: strings.HasPrefix(cfg.PublicBaseURL(), "https://"),
		Tokens:        tokens, MailDir: mailDir,
	}))
	go janitor(ctx, st, log)
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(httpL) }()
	stack = append(stack, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})

	fmt.Fprintf(e.stdout, "Suivi is running (ready in %s):\n", time.Since(started).Round(100*time.Millisecond))
	fmt.Fprintf(e.stdout, "  Web and API   http://%s   (health: http://%s/healthz)\n", cfg.HTTPAddr, cfg.HTTPAddr)
	fmt.Fprintf(e.stdout, "  Temporal      %s, namespace %s\n", cfg.TemporalAddress, cfg.TemporalNamespace)
	if cfg.UIEnabled() {
		fmt.Fprintf(e.stdout, "  Temporal UI   http://%s\n", cfg.UIAddr)
	}
	fmt.Fprintf(e.stdout, "  Postgres      %s\n", pgDesc)
	if mailDir != "" {
		fmt.Fprintf(e.stdout, "  Email         written to %s, listed at http://%s/dev/mail (set SMTP_URL to send)\n", mailDir, cfg.HTTPAddr)
	} else {
		fmt.Fprintf(e.stdout, "  Email         sent through %s\n", mailer.Sender.(*mail.SMTPSender).Server)
	}
	fmt.Fprintf(e.stdout, "  Data dir      %s\n", cfg.DataDir)
	fmt.Fprintf(e.stdout, "  CLI           signed in as %s (token in %s)\n", DevCoordinator, tokenPath)
	fmt.Fprintf(e.stdout, "  Browser       sign in at %s/signin as %s; the link arrives at /dev/mail\n", strings.TrimRight(cfg.PublicBaseURL(), "/"), DevCoordinator)
	// The two databases of the data dir must agree; say so when they do
	// not (one deleted or restored apart from the other).
	for _, line := range reportIntegrity(ctx, st, tc, cfg.TemporalNamespace, filepath.Join(cfg.DataDir, "temporal.db"), log) {
		fmt.Fprintln(e.stdout, "Warning: "+validate.Printable(line))
	}
	fmt.Fprintln(e.stdout, "Press Ctrl-C to stop.")

	select {
	case <-ctx.Done():
		fmt.Fprintln(e.stdout, "Stopping Suivi…")
		return nil
	case err := <-serveErr:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return fmt.Errorf("web server: %w", err)
	case err := <-pgDied:
		// Better a clear exit than a /healthz stuck at 503.
		return err
	}
}

// postgresGroup is the group that must traverse the data dir to reach the
// private cluster inside: PostgreSQL refuses to run as root, so under root
// it runs as another user (see pglocal). -1 when no one else needs in.
func postgresGroup(cfg *config.Config) int {
	if cfg.DatabaseURL != "" {
		return -1
	}
	gid, ok, err := pglocal.ServerGroup()
	if err != nil || !ok {
		return -1 // pglocal.Start reports the error, in its place
	}
	return gid
}

// makeDataDir creates the data dir for its owner alone: it holds the secret
// that signs email links, Temporal's histories and Postgres's data, with
// every name and email address. Only group (when not -1) may also traverse
// it, to reach the private Postgres. An existing dir with wider permissions
// is tightened when it holds nothing but Suivi's files, and only warned
// about otherwise: --data-dir may name a directory with other uses.
func makeDataDir(dir string, group int, log *slog.Logger) error {
	// Parents as before, 0755: the private Postgres may need to traverse them.
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return fmt.Errorf("data dir %s (--data-dir): %w", dir, err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("data dir %s (--data-dir): %w", dir, err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("data dir %s (--data-dir): %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("data dir %s (--data-dir) is not a directory", dir)
	}
	want := os.FileMode(0o700)
	if group >= 0 {
		want = 0o710
	}
	if mine, err := onlySuiviFiles(dir); err != nil || !mine {
		if fi.Mode().Perm()&^want != 0 {
			log.Warn("the data dir, which holds secrets and personal data, is open to other users; it holds other files too, so its permissions are left alone",
				"dir", dir, "mode", fi.Mode().Perm())
		}
		return err
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && group >= 0 && int(st.Gid) != group {
		if err := os.Chown(dir, -1, group); err != nil {
			return fmt.Errorf("data dir %s: %w", dir, err)
		}
	}
	if err := restrict(dir, fi.Mode().Perm(), want, log); err != nil {
		return err
	}
	// The mail dir holds sign-in links. FileSender would create it 0755.
	return makePrivateDir(filepath.Join(dir, "mail"), log)
}

// onlySuiviFiles reports whether dir holds nothing but what `suivi dev`
// puts there (nothing at all, for a new one).
func onlySuiviFiles(dir string) (bool, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, fmt.Errorf("data dir %s: %w", dir, err)
	}
	for _, e := range entries {
		switch e.Name() {
		case "lock", "secret", "temporal.db", "temporal.db-wal", "temporal.db-shm", "postgres", "mail":
		default:
			return false, nil
		}
	}
	return true, nil
}

// makePrivateDir creates dir 0700, or tightens it to 0700.
func makePrivateDir(dir string, log *slog.Logger) error {
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("data dir: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	return restrict(dir, fi.Mode().Perm(), 0o700, log)
}

// restrict gives path the mode want, saying so when that takes rights away.
func restrict(path string, have, want os.FileMode, log *slog.Logger) error {
	if have == want {
		return nil
	}
	if err := os.Chmod(path, want); err != nil {
		return fmt.Errorf("data dir: restrict %s: %w", path, err)
	}
	if have&^want != 0 {
		log.Warn("restricted the permissions of a data dir directory", "dir", path, "was", have, "now", want)
	}
	return nil
}

// lockDir takes an exclusive lock on dir, so two `suivi dev` never share a
// data dir (and a leftover Postgres in it is known to be ours).
func lockDir(dir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("data dir %s: %w", dir, err)
	}
	// Older versions created it 0644. It holds nothing, but nothing in the
	// data dir is for others.
	_ = f.Chmod(0o600)
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("data dir %s is in use by another `suivi dev`; stop it or choose another --data-dir", dir)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
