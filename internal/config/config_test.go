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
		{"empty namespace", func(c *config.Config) { c.TemporalNamespace = "" }, "TEMPORAL_NAMESPACE"},
		{"mysql url", func(c *config.Config) { c.DatabaseURL = "mysql://u:hunter2@h/db" }, "DATABASE_URL"},
		{"postgres url", func(c *config.Config) { c.DatabaseURL = "postgres://u:p@h:5432/db" }, ""},
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
			}
		})
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
