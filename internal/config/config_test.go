package config_test

import (
	"flag"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/codecitoyen/suivi/internal/config"
)

func envFrom(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestBindPrecedence(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want func(c config.Config) string
		exp  string
	}{
		{"default", nil, nil, func(c config.Config) string { return c.HTTPAddr }, "127.0.0.1:8080"},
		{"env", map[string]string{"SUIVI_HTTP_ADDR": "127.0.0.1:9000"}, nil, func(c config.Config) string { return c.HTTPAddr }, "127.0.0.1:9000"},
		{"flag beats env", map[string]string{"SUIVI_HTTP_ADDR": "127.0.0.1:9000"}, []string{"--http", "127.0.0.1:9100"}, func(c config.Config) string { return c.HTTPAddr }, "127.0.0.1:9100"},
		{"blank env is unset", map[string]string{"TEMPORAL_NAMESPACE": "  "}, nil, func(c config.Config) string { return c.TemporalNamespace }, "default"},
		{"unbound flag still reads env", map[string]string{"DATABASE_URL": "postgres://a@b/c"}, nil, func(c config.Config) string { return c.DatabaseURL }, "postgres://a@b/c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c config.Config
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			config.Bind(&c, fs, envFrom(tt.env), "http", "namespace")
			if err := fs.Parse(tt.args); err != nil {
				t.Fatal(err)
			}
			if got := tt.want(c); got != tt.exp {
				t.Fatalf("got %q, want %q", got, tt.exp)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(*config.Config)
		wantErr string // substring; empty means valid
	}{
		{"defaults are valid", func(*config.Config) {}, ""},
		{"bad http addr", func(c *config.Config) { c.HTTPAddr = "8080" }, "SUIVI_HTTP_ADDR (--http)"},
		{"ui off", func(c *config.Config) { c.UIAddr = "off" }, ""},
		{"bad ui", func(c *config.Config) { c.UIAddr = "nope" }, "SUIVI_UI_ADDR"},
		{"bad url", func(c *config.Config) { c.URL = "localhost:8080" }, "SUIVI_URL"},
		{"bad log level", func(c *config.Config) { c.LogLevel = "loud" }, "SUIVI_LOG_LEVEL"},
		{"bad log format", func(c *config.Config) { c.LogFormat = "xml" }, "SUIVI_LOG_FORMAT"},
		{"clock skew not a duration", func(c *config.Config) { c.ClockSkew = "ten" }, "SUIVI_CLOCK_SKEW"},
		{"clock skew over a day", func(c *config.Config) { c.ClockSkew = "-25h" }, "SUIVI_CLOCK_SKEW"},
		{"empty namespace", func(c *config.Config) { c.TemporalNamespace = "" }, "TEMPORAL_NAMESPACE"},
		{"mysql url", func(c *config.Config) { c.DatabaseURL = "mysql://u:hunter2@h/db" }, "DATABASE_URL"},
		{"postgres url", func(c *config.Config) { c.DatabaseURL = "postgres://u:p@h:5432/db" }, ""},

		// The GitHub token goes with every request: never over plain http
		// beyond this machine.
		{"github http", func(c *config.Config) { c.GitHubAPIURL = "http://ghe.example.org/api/v3/" }, "GITHUB_API_URL (--github-api-url)"},
		{"github http lookalike", func(c *config.Config) { c.GitHubAPIURL = "http://127.0.0.1.example.org/" }, "GITHUB_API_URL"},
		{"github https enterprise", func(c *config.Config) { c.GitHubAPIURL = "https://ghe.example.org/api/v3/" }, ""},
		{"github http loopback", func(c *config.Config) { c.GitHubAPIURL = "http://127.0.0.1:9999/" }, ""},
		{"github http 127/8", func(c *config.Config) { c.GitHubAPIURL = "http://127.5.6.7:9999/" }, ""},
		{"github http localhost", func(c *config.Config) { c.GitHubAPIURL = "http://localhost:9999/" }, ""},
		{"github http ::1", func(c *config.Config) { c.GitHubAPIURL = "http://[::1]:9999/" }, ""},

		{"public url not http", func(c *config.Config) { c.PublicURL = "ftp://example.org" }, "SUIVI_PUBLIC_URL (--public-url)"},
		{"public url http without smtp", func(c *config.Config) { c.PublicURL = "http://suivi.example.org" }, ""},

		// Real email (SMTP_URL) needs https links and a real sender domain.
		{"smtp with the default sender", withSMTP(func(c *config.Config) { c.SMTPFrom = "Suivi <suivi@localhost>" }), "SMTP_FROM (--smtp-from)"},
		{"smtp with a one-label sender", withSMTP(func(c *config.Config) { c.SMTPFrom = "suivi@mailhost" }), "has no real domain"},
		{"smtp with an address literal sender", withSMTP(func(c *config.Config) { c.SMTPFrom = "suivi@[192.0.2.7]" }), "SMTP_FROM"},
		{"smtp with an IP sender", withSMTP(func(c *config.Config) { c.SMTPFrom = "suivi@127.0.0.1" }), "has no real domain"},
		{"smtp with a localdomain sender", withSMTP(func(c *config.Config) { c.SMTPFrom = "suivi@localhost.localdomain" }), "has no real domain"},
		{"smtp with a real sender", withSMTP(func(*config.Config) {}), ""},
		{"smtp with http public url", withSMTP(func(c *config.Config) { c.PublicURL = "http://suivi.example.org" }), "SUIVI_PUBLIC_URL (--public-url)"},
		{"smtp with derived public url off loopback", withSMTP(func(c *config.Config) { c.HTTPAddr = "192.0.2.7:8080" }), "from SUIVI_HTTP_ADDR"},
		{"smtp with derived public url on every interface", withSMTP(func(c *config.Config) { c.HTTPAddr = "0.0.0.0:8080" }), ""},
		{"smtp with https public url", withSMTP(func(c *config.Config) { c.PublicURL = "https://suivi.example.org" }), ""},
		{"smtp with http localhost (compose)", withSMTP(func(c *config.Config) { c.PublicURL = "http://localhost:8080" }), ""},
		{"smtp with http ::1", withSMTP(func(c *config.Config) { c.PublicURL = "http://[::1]:8080" }), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := config.Default()
			tt.mutate(&c)
			err := c.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Validate() = %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("Validate() = %v, want an error naming %q", err, tt.wantErr)
			case err != nil && strings.Contains(err.Error(), "hunter2"):
				t.Fatalf("Validate() leaks the password: %v", err)
			case err != nil && strings.Contains(err.Error(), "\n"):
				t.Fatalf("Validate() = %q, want one line", err)
			}
		})
	}
}

// withSMTP sets up real email with a valid sender, then applies mutate.
func withSMTP(mutate func(*config.Config)) func(*config.Config) {
	return func(c *config.Config) {
		c.SMTPURL = "smtp://relay.example.org:587?tls=starttls"
		c.SMTPFrom = "Suivi <suivi@example.org>"
		mutate(c)
	}
}

// Links in emails must reach the server actually running: under `suivi dev
// --http 127.0.0.1:18080` they start with port 18080, not the default 8080.
func TestPublicBaseURL(t *testing.T) {
	var c config.Config
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	config.Bind(&c, fs, envFrom(nil), "http", "public-url")
	if err := fs.Parse([]string{"--http", "127.0.0.1:18080"}); err != nil {
		t.Fatal(err)
	}
	if got, want := c.PublicBaseURL(), "http://127.0.0.1:18080"; got != want {
		t.Fatalf("dev --http 127.0.0.1:18080: PublicBaseURL() = %q, want %q", got, want)
	}
	for _, tt := range []struct{ httpAddr, publicURL, want string }{
		{"127.0.0.1:8080", "", "http://127.0.0.1:8080"},
		{"0.0.0.0:8080", "", "http://127.0.0.1:8080"},
		{":9000", "", "http://127.0.0.1:9000"},
		{"[::]:8080", "", "http://127.0.0.1:8080"},
		{"[::1]:8080", "", "http://[::1]:8080"},
		{"192.0.2.7:8080", "", "http://192.0.2.7:8080"},
		{"0.0.0.0:8080", "https://suivi.example.org", "https://suivi.example.org"},
	} {
		c := config.Default()
		c.HTTPAddr, c.PublicURL = tt.httpAddr, tt.publicURL
		if got := c.PublicBaseURL(); got != tt.want {
			t.Errorf("HTTPAddr %q, PublicURL %q: PublicBaseURL() = %q, want %q", tt.httpAddr, tt.publicURL, got, tt.want)
		}
	}
}

func TestSecretFlagHidesDefault(t *testing.T) {
	var c config.Config
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	config.Bind(&c, fs, envFrom(map[string]string{"DATABASE_URL": "postgres://u:hunter2@h/db"}), "database-url")
	if d := fs.Lookup("database-url").DefValue; strings.Contains(d, "hunter2") {
		t.Fatalf("--database-url default shows the password: %q", d)
	}
	if c.DatabaseURL != "postgres://u:hunter2@h/db" {
		t.Fatalf("DatabaseURL = %q, want the environment's value", c.DatabaseURL)
	}
}

// The README's settings table must name every setting, so a newcomer never
// meets an undocumented one.
// Hosts lists what the server answers to beyond loopback: the public
// host, and the listen address when it names one.
func TestHosts(t *testing.T) {
	c := config.Default()
	c.PublicURL, c.HTTPAddr = "https://Suivi.Example.org/", "0.0.0.0:8080"
	if got := c.Hosts(); len(got) != 1 || got[0] != "suivi.example.org" {
		t.Errorf("Hosts = %v", got)
	}
	c.PublicURL, c.HTTPAddr = "", "192.0.2.7:8080"
	if got := c.Hosts(); len(got) != 2 || got[0] != "192.0.2.7" {
		t.Errorf("Hosts without a public URL = %v", got)
	}
}

func TestReadmeDocumentsEverySetting(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, s := range config.Settings() {
		row := "| `" + s.Env + "` | `--" + s.Flag + "` |"
		if !strings.Contains(readme, row) {
			t.Errorf("README.md has no settings row starting %q", row)
		}
	}
}
