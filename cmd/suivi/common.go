package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/codecitoyen/suivi/activities"
	"github.com/codecitoyen/suivi/internal/config"
	"github.com/codecitoyen/suivi/internal/github"
	"github.com/codecitoyen/suivi/internal/mail"
	"github.com/codecitoyen/suivi/internal/store"
	"github.com/codecitoyen/suivi/internal/web"
)

// engineSettings are the flags of the commands that run part of the engine.
var engineSettings = []string{"temporal", "namespace", "database-url", "log-level", "log-format"}

func validConfig(cmd string, cfg *config.Config) error {
	if err := cfg.Validate(); err != nil {
		return &usageError{cmd, err.Error()}
	}
	return nil
}

func requireDatabaseURL(cfg *config.Config) error {
	if cfg.DatabaseURL == "" {
		return errors.New("DATABASE_URL is not set: point it at your PostgreSQL (postgres://USER:PASSWORD@HOST:5432/DB), or use `suivi dev`, which starts one")
	}
	return nil
}

// openStore connects to Postgres and checks the schema is exactly the one
// this binary knows (production commands never migrate implicitly).
func openStore(ctx context.Context, cfg *config.Config) (*store.Store, error) {
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if err := st.CheckSchema(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// dialTemporal connects to the Temporal frontend and checks it answers.
func dialTemporal(ctx context.Context, cfg *config.Config, log *slog.Logger) (client.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	c, err := client.DialContext(ctx, client.Options{
		HostPort:          cfg.TemporalAddress,
		Namespace:         cfg.TemporalNamespace,
		Logger:            sdklog.NewStructuredLogger(log.With("component", "temporal-client")),
		ConnectionOptions: temporalConnection(cfg.TemporalAddress),
	})
	if err != nil {
		return nil, fmt.Errorf("cannot reach Temporal at %s (start it, or fix TEMPORAL_ADDRESS): %w", cfg.TemporalAddress, err)
	}
	return c, nil
}

// temporalConnection compresses gRPC only when Temporal is across a network:
// on loopback (`suivi dev`, a server on the same machine) gzip would spend
// the CPU the server and the worker share, on both ends of every call, and
// save nothing.
func temporalConnection(hostPort string) client.ConnectionOptions {
	host, _, err := net.SplitHostPort(hostPort)
	if err != nil {
		return client.ConnectionOptions{}
	}
	if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
		return client.ConnectionOptions{GrpcCompression: &client.GrpcCompressionNone{}}
	}
	return client.ConnectionOptions{}
}

// readinessChecks are what /healthz requires: Postgres answers, Temporal
// answers, and a worker is polling the task queue, wherever it runs.
func readinessChecks(st *store.Store, c client.Client, namespace string) []web.Check {
	return []web.Check{
		{Name: "postgres", Func: st.Ping},
		{Name: "temporal", Func: func(ctx context.Context) error {
			_, err := c.CheckHealth(ctx, &client.CheckHealthRequest{})
			return err
		}},
		{Name: "worker", Func: func(ctx context.Context) error { return workerPolling(ctx, c, namespace) }},
	}
}

// workerPolling checks that some worker polled the task queue recently.
func workerPolling(ctx context.Context, c client.Client, namespace string) error {
	res, err := c.WorkflowService().DescribeTaskQueue(ctx, &workflowservice.DescribeTaskQueueRequest{
		Namespace:     namespace,
		TaskQueue:     &taskqueuepb.TaskQueue{Name: config.TaskQueue, Kind: enumspb.TASK_QUEUE_KIND_NORMAL},
		TaskQueueType: enumspb.TASK_QUEUE_TYPE_WORKFLOW,
	})
	if err != nil {
		return fmt.Errorf("describe task queue %s: %w", config.TaskQueue, err)
	}
	// Long polls last about a minute; a poller older than three is gone.
	for _, p := range res.GetPollers() {
		if time.Since(p.GetLastAccessTime().AsTime()) < 3*time.Minute {
			return nil
		}
	}
	return fmt.Errorf("no worker polls task queue %q: start `suivi worker`", config.TaskQueue)
}

// listen opens addr, saying which setting to change when it is taken.
func listen(addr, setting string) (net.Listener, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s (%s): %w; stop what uses it or choose another address", addr, setting, errors.Unwrap(err))
	}
	return l, nil
}

// portFree checks, before anything starts, that addr can be listened on.
func portFree(addr, setting string) error {
	l, err := listen(addr, setting)
	if err != nil {
		return err
	}
	return l.Close()
}

// mailSettings are the flags of the commands that send or link to email.
var mailSettings = []string{"smtp-url", "smtp-from", "smtp-timeout", "mail-dir", "mail-rate", "public-url", "secret"}

// workerSettings are the flags of the commands that run a worker.
var workerSettings = []string{"workflow-cache", "clock-skew"}

// newMailer builds the outbox's sender: SMTP when SMTP_URL is set, else
// .eml files in SUIVI_MAIL_DIR (or defaultDir under `suivi dev`). It also
// returns the .eml directory, empty when sending over SMTP.
func newMailer(cfg *config.Config, defaultDir string, tokens mail.Tokens, log *slog.Logger) (*activities.Mailer, string, error) {
	tpl, err := mail.LoadTemplates()
	if err != nil {
		return nil, "", err
	}
	m := &activities.Mailer{Templates: tpl, From: cfg.SMTPFrom, PublicURL: cfg.PublicBaseURL(), Tokens: tokens, Logger: log}
	if cfg.SMTPURL != "" {
		s, err := mail.ParseURL(cfg.SMTPURL)
		if err != nil {
			return nil, "", err
		}
		s.Timeout = cfg.Timeout()
		m.Sender = &mail.SMTPSender{Server: s}
		return m, "", nil
	}
	dir := cfg.MailDir
	if dir == "" {
		dir = defaultDir
	}
	if dir == "" {
		return nil, "", errors.New("no way to send email: set SMTP_URL (smtp://user:password@host:587), or SUIVI_MAIL_DIR to write .eml files")
	}
	m.Sender = &mail.FileSender{Dir: dir}
	return m, dir, nil
}

// secret returns the key signing email links: SUIVI_SECRET, or under
// `suivi dev` one made once and kept in the data dir.
func secret(cfg *config.Config, dataDir string) ([]byte, error) {
	if cfg.Secret != "" {
		if err := weakSecret(cfg.Secret); err != nil {
			return nil, fmt.Errorf("SUIVI_SECRET (--secret) %w; make one with `openssl rand -hex 32`", err)
		}
		return []byte(cfg.Secret), nil
	}
	if dataDir == "" {
		return nil, errors.New("SUIVI_SECRET is not set: it signs the links in emails; generate one with `openssl rand -hex 32`")
	}
	path := filepath.Join(dataDir, "secret")
	if b, err := os.ReadFile(path); err == nil && len(b) >= 32 {
		return b, nil
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	key := []byte(hex.EncodeToString(b))
	if err := os.WriteFile(path, key, 0o600); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	return key, nil
}

// minSecretLen is the shortest SUIVI_SECRET accepted: 32 characters, 128
// bits as hex; `openssl rand -hex 32` gives 64.
const minSecretLen = 32

// weakSecret says why a secret is one anybody could guess: whoever knows
// it can forge every email link (sign-in, one-click actions, preferences).
// The placeholder once shipped in docker-compose.yml is public.
func weakSecret(s string) error {
	flat := strings.NewReplacer("-", "", "_", "", " ", "", ".", "").Replace(strings.ToLower(s))
	for _, word := range []string{"changeme", "replaceme", "placeholder", "example", "secret", "password"} {
		if strings.Contains(flat, word) {
			return fmt.Errorf("is a placeholder (it contains %q), known to everyone who read it", word)
		}
	}
	if len(s) < minSecretLen {
		return fmt.Errorf("is too short (%d characters, at least %d)", len(s), minSecretLen)
	}
	distinct := map[rune]bool{}
	for _, r := range s {
		distinct[r] = true
	}
	if len(distinct) < 8 {
		return fmt.Errorf("is not random (only %d different characters)", len(distinct))
	}
	return nil
}

// githubSettings are the flags of the commands that poll GitHub.
var githubSettings = []string{"github-token", "github-api-url", "github-poll-interval", "github-max-inflight"}

// newGitHub builds the repository poller; its ETags live in Postgres.
func newGitHub(cfg *config.Config, st *store.Store, log *slog.Logger) (*github.Client, error) {
	if cfg.GitHubToken == "" {
		log.Warn("GITHUB_TOKEN is not set: GitHub allows 60 requests per hour without one, enough for a handful of repositories")
	}
	return github.New(github.Options{APIURL: cfg.GitHubAPIURL, Token: cfg.GitHubToken, MaxInflight: cfg.Inflight(), Validators: st})
}
