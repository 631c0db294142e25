package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/codecitoyen/suivi/internal/config"
	"github.com/codecitoyen/suivi/internal/devserver"
	"github.com/codecitoyen/suivi/internal/mail"
	"github.com/codecitoyen/suivi/internal/pglocal"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/web"
	"github.com/codecitoyen/suivi/workflows"
)

func runDev(ctx context.Context, e env, args []string) error {
	var cfg config.Config
	fs := newFlags("dev", e, &cfg, append([]string{"data-dir", "http", "temporal", "ui", "namespace", "database-url", "pg-bindir", "log-level", "log-format"}, append(mailSettings, githubSettings...)...)...)
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

	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return fmt.Errorf("data dir %s (--data-dir): %w", cfg.DataDir, err)
	}
	unlock, err := lockDir(cfg.DataDir)
	if err != nil {
		return err
	}
	stack = append(stack, unlock)

	dbURL, pgDesc := cfg.DatabaseURL, "DATABASE_URL"
	if dbURL == "" {
		pg, err := pglocal.Start(ctx, pglocal.Options{Dir: filepath.Join(cfg.DataDir, "postgres"), BinDir: cfg.PGBinDir, Logger: log})
		if errors.Is(err, pglocal.ErrNoPostgres) {
			return fmt.Errorf("no Postgres for `suivi dev`: set DATABASE_URL to a running server, or install PostgreSQL (apt-get install postgresql) so a private one can start (%w)", err)
		}
		if err != nil {
			return err
		}
		stack = append(stack, func() {
			if err := pg.Stop(); err != nil {
				log.Error("stop postgres", "error", err)
			}
		})
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

	uiAddr := ""
	if cfg.UIEnabled() {
		uiAddr = cfg.UIAddr
	}
	ts, err := devserver.Start(ctx, devserver.Options{
		DBFile:           filepath.Join(cfg.DataDir, "temporal.db"),
		FrontendAddr:     cfg.TemporalAddress,
		UIAddr:           uiAddr,
		Namespace:        cfg.TemporalNamespace,
		SearchAttributes: workflows.SearchAttributes(),
		Logger:           log,
		LogLevel:         max(cfg.SlogLevel(), slog.LevelWarn),
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
		Checks:     readinessChecks(st, tc, cfg.TemporalNamespace),
		RecordWait: 5 * time.Second,
		Tokens:     tokens, MailDir: mailDir,
	}))
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
	}
}

// lockDir takes an exclusive lock on dir, so two `suivi dev` never share a
// data dir (and a leftover Postgres in it is known to be ours).
func lockDir(dir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("data dir %s: %w", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("data dir %s is in use by another `suivi dev`; stop it or choose another --data-dir", dir)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
