// Package config holds Suivi's settings: one struct, filled from the
// environment and then from command-line flags, passed down explicitly.
package config

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// TaskQueue is the Temporal task queue every Suivi worker polls. It is not a
// setting: workers and clients of one deployment must agree on it.
const TaskQueue = "suivi"

// Config is every setting Suivi knows. Commands read the fields they need.
type Config struct {
	DataDir           string
	HTTPAddr          string
	TemporalAddress   string
	TemporalNamespace string
	UIAddr            string
	DatabaseURL       string
	URL               string
	PGBinDir          string
	Token             string
	SMTPURL           string
	SMTPFrom          string
	SMTPTimeout       string
	PublicURL         string
	Secret            string
	MailDir           string
	MailRate          string
	WorkflowCache     string
	GitHubToken       string
	GitHubAPIURL      string
	GitHubInterval    string
	GitHubInflight    string
	LogLevel          string
	LogFormat         string
	ClockSkew         string
}

// Setting describes one setting: its environment variable, its flag, its
// default and what it is for. The list drives parsing, `--help` and the
// README's table (a test keeps them in step).
type Setting struct {
	Env     string
	Flag    string
	Default string
	Usage   string
	// Secret settings are never printed with their value.
	Secret bool
	field  func(*Config) *string
	check  func(string) error
}

// Settings lists every setting, in the order help text shows them.
func Settings() []Setting {
	return []Setting{
		{Env: "SUIVI_DATA_DIR", Flag: "data-dir", Default: "./.suivi",
			Usage: "directory for `suivi dev` state: Temporal's SQLite file and the private Postgres cluster",
			field: func(c *Config) *string { return &c.DataDir }, check: nonEmpty},
		{Env: "SUIVI_HTTP_ADDR", Flag: "http", Default: "127.0.0.1:8080",
			Usage: "address the web server (pages, JSON API, /healthz) listens on",
			field: func(c *Config) *string { return &c.HTTPAddr }, check: hostPort},
		{Env: "TEMPORAL_ADDRESS", Flag: "temporal", Default: "127.0.0.1:7233",
			Usage: "Temporal frontend: dialled by worker and serve; where `suivi dev` listens",
			field: func(c *Config) *string { return &c.TemporalAddress }, check: hostPort},
		{Env: "TEMPORAL_NAMESPACE", Flag: "namespace", Default: "default",
			Usage: "Temporal namespace holding Suivi's workflows",
			field: func(c *Config) *string { return &c.TemporalNamespace }, check: nonEmpty},
		{Env: "SUIVI_UI_ADDR", Flag: "ui", Default: "127.0.0.1:8233",
			Usage: "address of the Temporal Web UI started by `suivi dev` (\"off\" to disable)",
			field: func(c *Config) *string { return &c.UIAddr }, check: hostPortOrOff},
		{Env: "DATABASE_URL", Flag: "database-url", Default: "",
			Usage:  "PostgreSQL URL; empty under `suivi dev` starts a private cluster in the data dir",
			Secret: true,
			field:  func(c *Config) *string { return &c.DatabaseURL }, check: postgresURL},
		{Env: "SUIVI_URL", Flag: "server", Default: "http://127.0.0.1:8080",
			Usage: "base URL of a running Suivi web server, used by the CLI commands",
			field: func(c *Config) *string { return &c.URL }, check: httpURL},
		{Env: "SUIVI_PG_BINDIR", Flag: "pg-bindir", Default: "",
			Usage: "directory holding initdb and pg_ctl for the private cluster (default: PATH, then /usr/lib/postgresql/*/bin)",
			field: func(c *Config) *string { return &c.PGBinDir }},
		{Env: "SMTP_URL", Flag: "smtp-url", Default: "",
			Usage:  "SMTP server: smtp://user:pass@host:587?tls=starttls, smtps://… for implicit TLS, tls=none for a local relay, auth=plain|login|cram-md5; empty writes .eml files instead",
			Secret: true,
			field:  func(c *Config) *string { return &c.SMTPURL }, check: smtpURL},
		{Env: "SMTP_FROM", Flag: "smtp-from", Default: "Suivi <suivi@localhost>",
			Usage: "sender of every email, e.g. \"Suivi <suivi@example.org>\"",
			field: func(c *Config) *string { return &c.SMTPFrom }, check: mailbox},
		{Env: "SMTP_TIMEOUT", Flag: "smtp-timeout", Default: "30s",
			Usage: "how long to wait for the SMTP server at each step",
			field: func(c *Config) *string { return &c.SMTPTimeout }, check: duration},
		{Env: "SUIVI_MAIL_DIR", Flag: "mail-dir", Default: "",
			Usage: "without SMTP_URL, write emails as .eml files here (default under `suivi dev`: <data-dir>/mail); shown at /dev/mail",
			field: func(c *Config) *string { return &c.MailDir }},
		{Env: "SUIVI_MAIL_RATE", Flag: "mail-rate", Default: "5",
			Usage: "delivery batches (up to 50 emails each) per second, across every worker",
			field: func(c *Config) *string { return &c.MailRate }, check: positive},
		{Env: "SUIVI_WORKFLOW_CACHE", Flag: "workflow-cache", Default: "1000",
			Usage: "workflows a worker keeps in memory between their tasks (Temporal's sticky cache, about 60 KiB per cached program); others are replayed from history when they wake",
			field: func(c *Config) *string { return &c.WorkflowCache }, check: positive},
		{Env: "SUIVI_PUBLIC_URL", Flag: "public-url", Default: "",
			Usage: "address people use to reach the web server; links in emails start with it (default: http:// and SUIVI_HTTP_ADDR, 0.0.0.0 read as 127.0.0.1); with SMTP_URL it must be https:// unless on loopback",
			field: func(c *Config) *string { return &c.PublicURL }, check: optionalHTTPURL},
		{Env: "SUIVI_SECRET", Flag: "secret", Default: "",
			Usage:  "key that signs the links in emails (32+ random bytes, e.g. `openssl rand -hex 32`); `suivi dev` makes one in the data dir",
			Secret: true,
			field:  func(c *Config) *string { return &c.Secret }},
		{Env: "GITHUB_TOKEN", Flag: "github-token", Default: "",
			Usage:  "GitHub token for polling repositories (read-only, public repositories is enough); without one GitHub allows 60 requests per hour",
			Secret: true,
			field:  func(c *Config) *string { return &c.GitHubToken }},
		{Env: "GITHUB_API_URL", Flag: "github-api-url", Default: "https://api.github.com/",
			Usage: "GitHub's API; for GitHub Enterprise, https://HOST/api/v3/ (https:// only, since the token goes with every request; http:// only on loopback)",
			field: func(c *Config) *string { return &c.GitHubAPIURL }, check: githubAPIURL},
		{Env: "GITHUB_POLL_INTERVAL", Flag: "github-poll-interval", Default: "1h",
			Usage: "how often every watched repository is polled",
			field: func(c *Config) *string { return &c.GitHubInterval }, check: duration},
		{Env: "GITHUB_MAX_INFLIGHT", Flag: "github-max-inflight", Default: "10",
			Usage: "most requests to GitHub in flight at once, per worker",
			field: func(c *Config) *string { return &c.GitHubInflight }, check: positive},
		{Env: "SUIVI_TOKEN", Flag: "token", Default: "",
			Usage:  "API token the CLI sends (`suivi token create`); default: the one `suivi login` saved for SUIVI_URL, or under `suivi dev` the one it wrote in the data dir",
			Secret: true,
			field:  func(c *Config) *string { return &c.Token }},
		{Env: "SUIVI_LOG_LEVEL", Flag: "log-level", Default: "info",
			Usage: "log level: debug, info, warn or error",
			field: func(c *Config) *string { return &c.LogLevel }, check: logLevel},
		{Env: "SUIVI_LOG_FORMAT", Flag: "log-format", Default: "text",
			Usage: "log format: text or json",
			field: func(c *Config) *string { return &c.LogFormat }, check: oneOf("text", "json")},
		{Env: "SUIVI_CLOCK_SKEW", Flag: "clock-skew", Default: "0s",
			Usage: "tests only: moves the clock `suivi worker`'s activities read by this much, at most 24h either way (e.g. 10m or -10m), to play a machine whose clock is off; workflow timers keep Temporal's clock",
			field: func(c *Config) *string { return &c.ClockSkew }, check: signedDuration},
	}
}

// Default returns the configuration with every default applied and nothing
// read from the environment.
func Default() Config {
	var c Config
	for _, s := range Settings() {
		*s.field(&c) = s.Default
	}
	return c
}

// Bind fills c from the environment (getenv) and registers on fs one flag per
// named setting, so that flags parsed later override the environment. Settings
// not named keep their environment or default value.
func Bind(c *Config, fs *flag.FlagSet, getenv func(string) string, flags ...string) {
	for _, s := range Settings() {
		p := s.field(c)
		*p = s.Default
		if v, ok := lookup(getenv, s.Env); ok {
			*p = v
		}
		for _, name := range flags {
			if name == s.Flag {
				fs.StringVar(p, s.Flag, *p, s.Usage+" ($"+s.Env+")")
				if s.Secret {
					// Help prints defaults; never print a password.
					fs.Lookup(s.Flag).DefValue = ""
				}
			}
		}
	}
}

func lookup(getenv func(string) string, key string) (string, bool) {
	v := strings.TrimSpace(getenv(key))
	return v, v != ""
}

// Validate checks every setting, then the settings that only make sense
// together, and returns one error per problem, each naming the variable and
// the flag so the person knows what to change.
func (c *Config) Validate() error {
	var errs []error
	for _, s := range Settings() {
		if s.check == nil {
			continue
		}
		if err := s.check(*s.field(c)); err != nil {
			errs = append(errs, fmt.Errorf("%s (--%s): %w", s.Env, s.Flag, err))
		}
	}
	if len(errs) == 0 {
		// Cross checks read parsed values: only once each one is valid.
		errs = append(errs, c.mailChecks()...)
	}
	return errors.Join(errs...)
}

// mailChecks refuse, when SMTP_URL sends real email, what recipients' mail
// servers would hold against it: links that are not https (RFC 8058
// one-click unsubscribe needs an https List-Unsubscribe) and a sender
// without a real domain. Without SMTP_URL mail stays in .eml files.
func (c *Config) mailChecks() []error {
	if c.SMTPURL == "" {
		return nil
	}
	var errs []error
	if u, _ := url.Parse(c.PublicBaseURL()); u == nil || (u.Scheme != "https" && !IsLoopback(u.Hostname())) {
		shown := strconv.Quote(c.PublicURL)
		if c.PublicURL == "" {
			shown = fmt.Sprintf("unset (so %s, from SUIVI_HTTP_ADDR)", c.PublicBaseURL())
		}
		errs = append(errs, fmt.Errorf("SUIVI_PUBLIC_URL (--public-url) is %s: with SMTP_URL set, email links must be https:// (one-click unsubscribe, RFC 8058); put a TLS reverse proxy in front and set SUIVI_PUBLIC_URL=https://YOUR-HOST", shown))
	}
	if d := senderDomain(c.SMTPFrom); !realDomain(d) {
		errs = append(errs, fmt.Errorf("SMTP_FROM (--smtp-from) %q has no real domain (%q): mail servers refuse such senders; set SMTP_FROM to an address of your mail domain, e.g. \"Suivi <suivi@example.org>\"", c.SMTPFrom, d))
	}
	return errs
}

// senderDomain is the domain of SMTP_FROM's address, "" when it has none.
func senderDomain(from string) string {
	a, err := mail.ParseAddress(from)
	if err != nil {
		return ""
	}
	_, domain, _ := strings.Cut(a.Address, "@")
	return domain
}

// realDomain reports whether a sender's domain can be one on the Internet:
// dotted (not localhost or a single label) and a name, not [an address].
func realDomain(d string) bool {
	d = strings.ToLower(strings.Trim(d, "."))
	if !strings.Contains(d, ".") || strings.HasPrefix(d, "[") || net.ParseIP(d) != nil {
		return false
	}
	// Names that only ever mean this machine.
	for _, local := range []string{"localhost", "localdomain", "local", "internal", "invalid"} {
		if d == local || strings.HasSuffix(d, "."+local) || strings.HasPrefix(d, "localhost.") {
			return false
		}
	}
	return true
}

// PublicBaseURL is SUIVI_PUBLIC_URL, or when unset the address the web
// server listens on, so that links in emails reach the server actually
// running (`suivi dev --http 127.0.0.1:18080` links to port 18080). Every
// interface (an empty host, 0.0.0.0, ::) is reached through 127.0.0.1.
func (c *Config) PublicBaseURL() string {
	if c.PublicURL != "" {
		return c.PublicURL
	}
	host, port, err := net.SplitHostPort(c.HTTPAddr)
	if err != nil {
		return "http://" + c.HTTPAddr // Validate refuses it anyway.
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// Hosts are the names the web server answers to besides loopback ones:
// SUIVI_PUBLIC_URL's host, and SUIVI_HTTP_ADDR's when it names one. Any
// other Host header is refused, so a page on a DNS-rebinding domain that
// resolves to this machine cannot talk to Suivi as if it were the site.
func (c *Config) Hosts() []string {
	var hosts []string
	if u, err := url.Parse(c.PublicBaseURL()); err == nil && u.Hostname() != "" {
		hosts = append(hosts, strings.ToLower(u.Hostname()))
	}
	if h, _, err := net.SplitHostPort(c.HTTPAddr); err == nil && h != "" {
		if ip := net.ParseIP(h); ip == nil || !ip.IsUnspecified() {
			hosts = append(hosts, strings.ToLower(h))
		}
	}
	return hosts
}

// IsLoopback reports whether host (a URL's Hostname, without brackets) is
// this machine: localhost, 127.0.0.0/8 or ::1. Plain http there never
// crosses a network.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// SlogLevel returns the configured log level.
func (c *Config) SlogLevel() slog.Level {
	var l slog.Level
	_ = l.UnmarshalText([]byte(c.LogLevel)) // Validate already refused bad values.
	return l
}

// UIEnabled reports whether `suivi dev` should start the Temporal Web UI.
func (c *Config) UIEnabled() bool { return c.UIAddr != "off" }

func nonEmpty(v string) error {
	if strings.TrimSpace(v) == "" {
		return errors.New("must not be empty")
	}
	return nil
}

func hostPort(v string) error {
	host, port, err := net.SplitHostPort(v)
	if err != nil || port == "" {
		return fmt.Errorf("%q is not a host:port address (for example 127.0.0.1:8080)", v)
	}
	_ = host // an empty host means every interface, which is allowed
	return nil
}

func hostPortOrOff(v string) error {
	if v == "off" {
		return nil
	}
	return hostPort(v)
}

func httpURL(v string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL (for example http://127.0.0.1:8080)", v)
	}
	return nil
}

func optionalHTTPURL(v string) error {
	if v == "" {
		return nil
	}
	return httpURL(v)
}

// githubAPIURL refuses plain http beyond loopback: every request carries
// GITHUB_TOKEN, which anyone on the way could read and reuse.
func githubAPIURL(v string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an https URL (for example https://api.github.com/)", v)
	}
	if u.Scheme != "https" && !IsLoopback(u.Hostname()) {
		return fmt.Errorf("%q is not https: the GitHub token would cross the network in clear; use https:// (plain http only on loopback, for a local test server)", v)
	}
	return nil
}

func postgresURL(v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		// Never echo the value: it may hold a password.
		return errors.New("is not a postgres:// URL (for example postgres://suivi:secret@127.0.0.1:5432/suivi)")
	}
	return nil
}

func smtpURL(v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
		// Never echo the value: it may hold a password.
		return errors.New("is not an smtp:// or smtps:// URL (for example smtp://user:password@mail.example.org:587?tls=starttls)")
	}
	return nil
}

func mailbox(v string) error {
	a, err := mail.ParseAddress(v)
	if err != nil || strings.ContainsAny(v, "\r\n") || !strings.Contains(a.Address, "@") {
		return fmt.Errorf("%q is not an email address (for example \"Suivi <suivi@example.org>\")", v)
	}
	return nil
}

func duration(v string) error {
	if d, err := time.ParseDuration(v); err != nil || d <= 0 {
		return fmt.Errorf("%q is not a duration (for example 30s)", v)
	}
	return nil
}

func positive(v string) error {
	if f, err := strconv.ParseFloat(v, 64); err != nil || f <= 0 {
		return fmt.Errorf("%q is not a positive number", v)
	}
	return nil
}

func signedDuration(v string) error {
	d, err := time.ParseDuration(v)
	if err != nil {
		return fmt.Errorf("%q is not a duration (for example 10m or -10m)", v)
	}
	if d > 24*time.Hour || d < -24*time.Hour {
		return fmt.Errorf("%q is more than 24h either way; a skew is minutes (for example 10m or -10m)", v)
	}
	return nil
}

// Skew is SUIVI_CLOCK_SKEW as a duration.
func (c *Config) Skew() time.Duration {
	d, _ := time.ParseDuration(c.ClockSkew)
	return d
}

// Timeout is SMTP_TIMEOUT as a duration.
func (c *Config) Timeout() time.Duration {
	d, _ := time.ParseDuration(c.SMTPTimeout)
	return d
}

// PollInterval is GITHUB_POLL_INTERVAL as a duration.
func (c *Config) PollInterval() time.Duration {
	d, _ := time.ParseDuration(c.GitHubInterval)
	return d
}

// Inflight is GITHUB_MAX_INFLIGHT as a number.
func (c *Config) Inflight() int {
	f, _ := strconv.ParseFloat(c.GitHubInflight, 64)
	return max(1, int(f))
}

// CacheSize is SUIVI_WORKFLOW_CACHE as a number.
func (c *Config) CacheSize() int {
	f, _ := strconv.ParseFloat(c.WorkflowCache, 64)
	return max(1, int(f))
}

// Rate is SUIVI_MAIL_RATE as a number.
func (c *Config) Rate() float64 {
	f, _ := strconv.ParseFloat(c.MailRate, 64)
	return f
}

func logLevel(v string) error {
	var l slog.Level
	if err := l.UnmarshalText([]byte(v)); err != nil {
		return fmt.Errorf("%q is not one of debug, info, warn, error", v)
	}
	return nil
}

func oneOf(allowed ...string) func(string) error {
	return func(v string) error {
		for _, a := range allowed {
			if v == a {
				return nil
			}
		}
		return fmt.Errorf("%q is not one of %s", v, strings.Join(allowed, ", "))
	}
}
