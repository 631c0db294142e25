package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/codecitoyen/suivi/internal/devserver"
	"github.com/codecitoyen/suivi/internal/mail"
	"github.com/codecitoyen/suivi/internal/pglocal"
	"github.com/codecitoyen/suivi/internal/smtpsink"
	"github.com/codecitoyen/suivi/worker"
	"github.com/codecitoyen/suivi/workflows"
)

// benchVerbs are `suivi bench VERB`.
var benchVerbs = []string{"mail", "github", "web", "programs", "memory"}

func printBenchUsage(w io.Writer) {
	printVerbs(w, "suivi bench VERB [flags]", []verb{
		{"mail", "Sends N real messages to an SMTP sink on loopback, batched then one per connection (-n 10000)."},
		{"github", "Polls a fake GitHub on loopback as the watcher does and prints the quota spent (--repos 5000)."},
		{"web", "Serves 1,000 programs from a private Postgres to 50 signed-in clients; p50/p99 beside a bare net/http floor."},
		{"programs", "Starts programs and runs Updates through the API, beside a bare workflow on the same Temporal (-n 200 -c 10)."},
		{"memory", "RSS of a `suivi worker` and of `suivi dev` (child processes) with N programs in accompaniment (--programs 10000)."},
	}, "Run `suivi bench VERB --help` for a verb's flags. Nothing leaves this machine.")
}

func runBench(ctx context.Context, e env, args []string) error {
	if len(args) > 0 && args[0] == "github" {
		return benchGitHub(ctx, e, args[1:])
	}
	if len(args) > 0 && args[0] == "web" {
		return benchWeb(ctx, e, args[1:])
	}
	if len(args) > 0 && args[0] == "programs" {
		return benchPrograms(ctx, e, args[1:])
	}
	if len(args) > 0 && args[0] == "memory" {
		return benchMemory(ctx, e, args[1:])
	}
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help" || args[0] == "help") {
		printBenchUsage(e.stdout)
		return nil
	}
	if len(args) == 0 {
		printBenchUsage(e.stdout)
		return &usageError{"bench", "say which"}
	}
	if args[0] != "mail" {
		return &usageError{"bench", "say `suivi bench mail -n 10000` or `suivi bench github --repos 5000 --change-rate 0.2`"}
	}
	var cfg struct {
		n   int
		tls bool
	}
	fs := newFlags("bench mail", e, nil)
	fs.IntVar(&cfg.n, "n", 10000, "how many messages to send in each mode")
	fs.BoolVar(&cfg.tls, "tls", true, "use STARTTLS, as real relays do (each new connection pays a TLS handshake)")
	if err := noArgs("bench mail", e, fs, "suivi bench mail [-n 10000]\n\nStarts an SMTP sink on loopback and sends N real messages to it twice: in\nbatches of "+strconv.Itoa(workflows.OutboxBatch)+" over one connection each (as the outbox does), then with one\nconnection per message. Prints messages per second for both; the last line\nis reuse_speedup=<number>.", args[1:]); err != nil {
		return err
	}
	if cfg.n < 1 || cfg.n > 1_000_000 {
		return &usageError{"bench mail", "-n must be between 1 and 1000000"}
	}
	opts := smtpsink.Options{Discard: true}
	server := mail.SMTP{Host: "127.0.0.1", TLS: "none", Timeout: 30 * time.Second}
	if cfg.tls {
		serverTLS, pool, err := smtpsink.TestCertificate()
		if err != nil {
			return err
		}
		opts.TLS = serverTLS
		server.TLS, server.TLSConfig = "starttls", &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	}
	sink, err := smtpsink.Start(opts)
	if err != nil {
		return err
	}
	server.Port = sink.Port()
	defer sink.Close()
	tpl, err := mail.LoadTemplates()
	if err != nil {
		return err
	}
	r, err := tpl.Render("due-in-7-days", mail.Data{Program: "Démocratie et crustacés", Milestone: "Vidéo explicative",
		Due: "7 mai 2027", Link: "http://127.0.0.1:8080/programs/ncc-2027/demoscampi", PrefsLink: "http://127.0.0.1:8080/prefs?t=x"})
	if err != nil {
		return err
	}
	emails := make([]mail.Email, cfg.n)
	for i := range emails {
		emails[i] = mail.Email{Key: fmt.Sprintf("bench|%d", i), From: "Suivi <suivi@localhost>", To: fmt.Sprintf("holder%d@example.org", i),
			Subject: r.Subject, Text: r.Text, HTML: r.HTML}
	}
	sender := &mail.SMTPSender{Server: server}
	run := func(label string, batch int) (float64, error) {
		before, conns := sink.Count(), sink.Connections()
		start := time.Now()
		next := cfg.n / 5
		for i := 0; i < len(emails); i += batch {
			j := min(i+batch, len(emails))
			res, err := mail.SendAll(ctx, sender, emails[i:j])
			if err != nil {
				return 0, err
			}
			for _, x := range res {
				if x.Outcome != mail.Sent {
					return 0, fmt.Errorf("%s: message not accepted: %v", label, x.Err)
				}
			}
			if j >= next && j < len(emails) {
				fmt.Fprintf(e.stderr, "  %s: %d/%d\n", label, j, len(emails))
				next += cfg.n / 5
			}
		}
		took := time.Since(start)
		got := sink.Count() - before
		if got != cfg.n {
			return 0, fmt.Errorf("%s: the sink received %d of %d messages", label, got, cfg.n)
		}
		rate := float64(cfg.n) / took.Seconds()
		fmt.Fprintf(e.stdout, "%-12s %d messages in %s over %d connections: %.0f msg/s\n", label, cfg.n,
			took.Round(time.Millisecond), sink.Connections()-conns, rate)
		return rate, nil
	}
	fmt.Fprintf(e.stdout, "messages=%d sink=%s tls=%v\n", cfg.n, sink.Addr(), cfg.tls)
	reuse, err := run("reuse", workflows.OutboxBatch)
	if err != nil {
		return err
	}
	single, err := run("per-message", 1)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "reuse_msgs_per_s=%.0f\nper_message_msgs_per_s=%.0f\nreuse_speedup=%.2f\n", reuse, single, reuse/single)
	return nil
}

// benchPostgres makes a bench's temporary directory and starts a private
// Postgres in it; stop removes both. verb names the bench in the error a
// machine without PostgreSQL gets.
func benchPostgres(ctx context.Context, e env, verb string) (dir string, pg *pglocal.Cluster, stop func(), err error) {
	dir, err = os.MkdirTemp("", "suivi-bench-"+strings.ReplaceAll(verb, " ", "-")+"-")
	if err != nil {
		return "", nil, nil, err
	}
	// The server may run as another user (as root, pglocal drops to one):
	// it must reach its directory.
	_ = os.Chmod(dir, 0o755)
	fmt.Fprintln(e.stderr, "starting a private Postgres…")
	pg, err = pglocal.Start(ctx, pglocal.Options{Dir: filepath.Join(dir, "pg"), BinDir: e.getenv("SUIVI_PG_BINDIR")})
	if err != nil {
		os.RemoveAll(dir)
		if errors.Is(err, pglocal.ErrNoPostgres) {
			err = fmt.Errorf("suivi %s needs PostgreSQL's initdb and pg_ctl (apt-get install postgresql, or SUIVI_PG_BINDIR): %w", verb, err)
		}
		return "", nil, nil, err
	}
	return dir, pg, func() { pg.Stop(); os.RemoveAll(dir) }, nil
}

// benchTemporal starts an embedded Temporal server for a benchmark, its data
// in dir, and dials it with Suivi's search attributes registered; addr is
// its frontend, stop closes the client and the server.
func benchTemporal(ctx context.Context, dir string, log *slog.Logger) (addr string, tc client.Client, stop func(), err error) {
	addr, err = freeLoopbackAddr()
	if err != nil {
		return "", nil, nil, err
	}
	ts, err := devserver.Start(ctx, devserver.Options{DBFile: filepath.Join(dir, "temporal.db"), FrontendAddr: addr, Namespace: "default",
		SearchAttributes: workflows.SearchAttributes(), Logger: log, LogLevel: slog.LevelError})
	if err != nil {
		return "", nil, nil, err
	}
	tc, err = client.Dial(client.Options{HostPort: addr, Namespace: "default", Logger: sdklog.NewStructuredLogger(log),
		ConnectionOptions: temporalConnection(addr)})
	if err != nil {
		ts.Stop()
		return "", nil, nil, err
	}
	stop = func() { tc.Close(); ts.Stop() }
	if err := worker.EnsureSearchAttributes(ctx, tc, "default"); err != nil {
		stop()
		return "", nil, nil, err
	}
	return addr, tc, stop, nil
}
