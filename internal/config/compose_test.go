package config_test

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/codecitoyen/suivi/internal/config"
)

// The compose file and the Dockerfile live at the repository root; tests run
// in the package directory.
const (
	composePath    = "../../docker-compose.yml"
	dockerfilePath = "../../Dockerfile"
)

// composeFile is the part of docker-compose.yml the tests look at. Fields use
// compose's list/mapping forms that the file is meant to use; another form
// fails to decode, with a message naming the field.
type composeFile struct {
	Services map[string]composeService `yaml:"services"`
}

type composeService struct {
	Command     []string                    `yaml:"command"`
	Environment map[string]string           `yaml:"environment"`
	Ports       []string                    `yaml:"ports"`
	DependsOn   map[string]composeDependsOn `yaml:"depends_on"`
}

type composeDependsOn struct {
	Condition string `yaml:"condition"`
}

// portMapping is one short-syntax entry of `ports:`; ip is the host
// interface, empty for every interface.
type portMapping struct {
	ip, host, container string
}

func TestCompose(t *testing.T) {
	c := loadCompose(t)
	settings := settingsByEnv()
	// The services that run the suivi binary: everything they set must be a
	// setting config knows.
	suiviServices := []string{"migrate", "worker", "serve"}

	t.Run("services", func(t *testing.T) {
		for _, name := range []string{"postgres", "temporal", "temporal-ui", "mailpit", "migrate", "worker", "serve"} {
			if _, ok := c.Services[name]; !ok {
				t.Errorf("%s: no service %q", composePath, name)
			}
		}
	})

	t.Run("commands", func(t *testing.T) {
		for _, tc := range []struct {
			service string
			command []string
		}{
			{"migrate", []string{"migrate", "up"}},
			{"worker", []string{"worker"}},
			{"serve", []string{"serve"}},
		} {
			got := c.service(t, tc.service).Command
			if !slices.Equal(got, tc.command) {
				t.Errorf("%s: service %s runs command %q, want %q", composePath, tc.service, got, tc.command)
			}
		}
	})

	t.Run("environment names are settings", func(t *testing.T) {
		for _, name := range suiviServices {
			for key := range c.service(t, name).Environment {
				if _, ok := settings[key]; !ok {
					t.Errorf("%s: service %s sets %s, which is not the Env of any config.Settings() entry (renamed or misspelt?)", composePath, name, key)
				}
			}
		}
	})

	t.Run("required environment", func(t *testing.T) {
		for _, tc := range []struct {
			service string
			keys    []string
		}{
			{"migrate", []string{"DATABASE_URL"}},
			{"worker", []string{"DATABASE_URL", "TEMPORAL_ADDRESS"}},
			{"serve", []string{"DATABASE_URL", "TEMPORAL_ADDRESS", "SUIVI_HTTP_ADDR"}},
		} {
			env := c.service(t, tc.service).Environment
			for _, key := range tc.keys {
				if env[key] == "" {
					t.Errorf("%s: service %s does not set %s", composePath, tc.service, key)
				}
			}
		}
	})

	t.Run("worker and serve wait for migrate", func(t *testing.T) {
		for _, name := range []string{"worker", "serve"} {
			got := c.service(t, name).DependsOn["migrate"].Condition
			if got != "service_completed_successfully" {
				t.Errorf("%s: service %s depends on migrate with condition %q, want service_completed_successfully, so it never runs on an old schema", composePath, name, got)
			}
		}
	})

	t.Run("serve listens on its published port", func(t *testing.T) {
		serve := c.service(t, "serve")
		addr := serve.Environment["SUIVI_HTTP_ADDR"]
		port := portOf(t, "serve's SUIVI_HTTP_ADDR", addr)
		if want := portOf(t, "the SUIVI_HTTP_ADDR default", settings["SUIVI_HTTP_ADDR"].Default); port != want {
			t.Errorf("%s: serve's SUIVI_HTTP_ADDR %q has port %s, want the default's port %s", composePath, addr, port, want)
		}
		if published := serve.containerPorts(t, "serve"); !slices.Contains(published, port) {
			t.Errorf("%s: serve listens on port %s (SUIVI_HTTP_ADDR %q) but publishes container ports %v", composePath, port, addr, published)
		}
	})

	t.Run("temporal address", func(t *testing.T) {
		wantPort := portOf(t, "the TEMPORAL_ADDRESS default", settings["TEMPORAL_ADDRESS"].Default)
		published := c.service(t, "temporal").containerPorts(t, "temporal")
		if !slices.Contains(published, wantPort) {
			t.Errorf("%s: temporal publishes container ports %v, want %s (the TEMPORAL_ADDRESS default's port)", composePath, published, wantPort)
		}
		want := net.JoinHostPort("temporal", wantPort)
		for _, name := range []string{"worker", "serve"} {
			if got := c.service(t, name).Environment["TEMPORAL_ADDRESS"]; got != want {
				t.Errorf("%s: service %s has TEMPORAL_ADDRESS %q, want %q", composePath, name, got, want)
			}
		}
	})

	t.Run("database url", func(t *testing.T) {
		pg := c.service(t, "postgres").Environment
		for _, key := range []string{"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"} {
			if pg[key] == "" {
				t.Fatalf("%s: service postgres does not set %s", composePath, key)
			}
		}
		for _, name := range suiviServices {
			raw := c.service(t, name).Environment["DATABASE_URL"]
			if raw == "" {
				continue // reported by "required environment"
			}
			u, err := url.Parse(raw)
			if err != nil {
				t.Errorf("%s: service %s: DATABASE_URL does not parse: %v", composePath, name, err)
				continue
			}
			if u.Scheme != "postgres" && u.Scheme != "postgresql" {
				t.Errorf("%s: service %s: DATABASE_URL scheme is %q, want postgres", composePath, name, u.Scheme)
			}
			password, _ := u.User.Password()
			for _, f := range []struct {
				what, got, want string
			}{
				{"host (the postgres service)", u.Hostname(), "postgres"},
				{"user (postgres' POSTGRES_USER)", u.User.Username(), pg["POSTGRES_USER"]},
				{"password (postgres' POSTGRES_PASSWORD)", password, pg["POSTGRES_PASSWORD"]},
				{"database (postgres' POSTGRES_DB)", strings.TrimPrefix(u.Path, "/"), pg["POSTGRES_DB"]},
			} {
				if f.got != f.want {
					t.Errorf("%s: service %s: DATABASE_URL %s is %q, want %q", composePath, name, f.what, f.got, f.want)
				}
			}
		}
	})

	// Temporal and its UI have no authentication and serve speaks plain
	// http: nothing may listen on the host's public interfaces.
	t.Run("published ports bind loopback only", func(t *testing.T) {
		for name, s := range c.Services {
			for i, p := range s.portMappings(t, name) {
				if !config.IsLoopback(p.ip) {
					t.Errorf("%s: service %s publishes %q on every interface; write it \"127.0.0.1:HOST:CONTAINER\"", composePath, name, s.Ports[i])
				}
			}
		}
	})

	t.Run("temporal ui where suivi dev puts it", func(t *testing.T) {
		ui := c.service(t, "temporal-ui")
		if got, want := ui.Environment["TEMPORAL_ADDRESS"], c.service(t, "worker").Environment["TEMPORAL_ADDRESS"]; got != want {
			t.Errorf("%s: temporal-ui has TEMPORAL_ADDRESS %q, but worker uses %q", composePath, got, want)
		}
		want := portOf(t, "the SUIVI_UI_ADDR default", settings["SUIVI_UI_ADDR"].Default)
		if got := ui.hostPorts(t, "temporal-ui"); !slices.Contains(got, want) {
			t.Errorf("%s: temporal-ui publishes host ports %v, want %s (the SUIVI_UI_ADDR default's port, as under `suivi dev`)", composePath, got, want)
		}
	})
}

// TestDockerfile checks that the image runs the suivi binary: the build stage
// builds ./cmd/suivi, the final stage copies that output and its ENTRYPOINT
// runs the copy.
func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile(dockerfilePath)
	if err != nil {
		t.Fatalf("read the Dockerfile: %v", err)
	}
	if err := checkDockerfile(string(b)); err != nil {
		t.Errorf("%s: %v", dockerfilePath, err)
	}
}

// TestDockerfileCheckFails keeps TestDockerfile honest: each broken variant
// of a good Dockerfile must be refused.
func TestDockerfileCheckFails(t *testing.T) {
	const good = `FROM golang:1.26-bookworm AS build
RUN CGO_ENABLED=0 go build -trimpath \
    -o /out/suivi ./cmd/suivi
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/suivi /suivi
ENTRYPOINT ["/suivi"]
CMD ["serve"]
`
	if err := checkDockerfile(good); err != nil {
		t.Fatalf("good Dockerfile refused: %v", err)
	}
	for name, bad := range map[string]string{
		"other package":        strings.Replace(good, "./cmd/suivi", "./cmd/other", 1),
		"entrypoint elsewhere": strings.Replace(good, `["/suivi"]`, `["/bin/sh"]`, 1),
		"binary not copied":    strings.Replace(good, "COPY --from=build /out/suivi /suivi\n", "", 1),
		"shell-form entry":     strings.Replace(good, `ENTRYPOINT ["/suivi"]`, `ENTRYPOINT /suivi`, 1),
	} {
		if err := checkDockerfile(bad); err == nil {
			t.Errorf("%s: broken Dockerfile accepted", name)
		}
	}
}

// checkDockerfile returns why the Dockerfile does not run the suivi binary.
func checkDockerfile(text string) error {
	lines := dockerfileInstructions(text)
	last := -1
	for i, l := range lines {
		if strings.HasPrefix(strings.ToUpper(l), "FROM ") {
			last = i
		}
	}
	if last < 0 {
		return errors.New("no FROM line")
	}

	// The build stages must build ./cmd/suivi into some output file.
	var built string
	for _, l := range lines[:last] {
		f := strings.Fields(l)
		if !strings.Contains(l, "go build") || !slices.Contains(f, "./cmd/suivi") {
			continue
		}
		if i := slices.Index(f, "-o"); i >= 0 && i+1 < len(f) {
			built = f[i+1]
		}
	}
	if built == "" {
		return errors.New("no build stage runs `go build -o FILE ./cmd/suivi`")
	}

	// The final stage must copy that file and run it.
	var copied, entry string
	for _, l := range lines[last+1:] {
		f := strings.Fields(l)
		switch {
		case len(f) == 4 && strings.EqualFold(f[0], "COPY") && strings.HasPrefix(f[1], "--from=") && f[2] == built:
			copied = f[3]
		case len(f) > 1 && strings.EqualFold(f[0], "ENTRYPOINT"):
			var argv []string
			if err := json.Unmarshal([]byte(strings.TrimSpace(l[len(f[0]):])), &argv); err != nil || len(argv) == 0 {
				return fmt.Errorf("final stage ENTRYPOINT is not an exec-form JSON array: %s", l)
			}
			entry = argv[0]
		}
	}
	if copied == "" {
		return fmt.Errorf("final stage does not COPY --from the build stage's %s", built)
	}
	if entry != copied {
		return fmt.Errorf("final stage ENTRYPOINT runs %q, want the suivi binary copied to %q", entry, copied)
	}
	return nil
}

// dockerfileInstructions returns one string per instruction, with comments
// and blank lines dropped and backslash continuations joined.
func dockerfileInstructions(text string) []string {
	var out []string
	var cur strings.Builder
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if s, ok := strings.CutSuffix(l, `\`); ok {
			cur.WriteString(s + " ")
			continue
		}
		cur.WriteString(l)
		out = append(out, cur.String())
		cur.Reset()
	}
	return out
}

func loadCompose(t *testing.T) composeFile {
	t.Helper()
	b, err := os.ReadFile(composePath)
	if err != nil {
		t.Fatalf("read the compose file: %v", err)
	}
	var c composeFile
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatalf("parse %s (environment must use the KEY: value mapping form, command and ports lists): %v", composePath, err)
	}
	return c
}

func (c composeFile) service(t *testing.T, name string) composeService {
	t.Helper()
	s, ok := c.Services[name]
	if !ok {
		t.Fatalf("%s: no service %q", composePath, name)
	}
	return s
}

func settingsByEnv() map[string]config.Setting {
	m := make(map[string]config.Setting)
	for _, s := range config.Settings() {
		m[s.Env] = s
	}
	return m
}

// portOf returns the port of a host:port address; what names it in errors.
func portOf(t *testing.T, what, addr string) string {
	t.Helper()
	_, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		t.Fatalf("%s %q is not a host:port address: %v", what, addr, err)
	}
	return port
}

func (s composeService) containerPorts(t *testing.T, name string) []string {
	t.Helper()
	var out []string
	for _, p := range s.portMappings(t, name) {
		out = append(out, p.container)
	}
	return out
}

func (s composeService) hostPorts(t *testing.T, name string) []string {
	t.Helper()
	var out []string
	for _, p := range s.portMappings(t, name) {
		if p.host != "" {
			out = append(out, p.host)
		}
	}
	return out
}

// portMappings parses the short syntax [[IP:]HOST:]CONTAINER[/PROTOCOL];
// name is the service's, for errors.
func (s composeService) portMappings(t *testing.T, name string) []portMapping {
	t.Helper()
	var out []portMapping
	for _, p := range s.Ports {
		spec, _, _ := strings.Cut(p, "/")
		rest, container, found := cutLast(spec, ":")
		if !found {
			out = append(out, portMapping{container: spec})
			continue
		}
		ip, host, _ := cutLast(rest, ":")
		if host == "" || container == "" {
			t.Fatalf("%s: service %s: cannot read port mapping %q", composePath, name, p)
		}
		ip = strings.TrimSuffix(strings.TrimPrefix(ip, "["), "]")
		out = append(out, portMapping{ip: ip, host: host, container: container})
	}
	return out
}

// cutLast splits s around the last sep; without sep, after is all of s.
func cutLast(s, sep string) (before, after string, found bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return "", s, false
	}
	return s[:i], s[i+len(sep):], true
}

// The worker sends mail to the mail catcher, and worker and serve sign and
// check email links with the same secret.
func TestComposeMail(t *testing.T) {
	c := loadCompose(t)
	worker, serve := c.service(t, "worker"), c.service(t, "serve")
	u, err := url.Parse(worker.Environment["SMTP_URL"])
	if err != nil || u.Hostname() != "mailpit" {
		t.Fatalf("worker SMTP_URL = %q, want the mailpit service", worker.Environment["SMTP_URL"])
	}
	published := false
	for _, p := range c.service(t, "mailpit").portMappings(t, "mailpit") {
		published = published || p.container == u.Port()
	}
	if !published {
		t.Errorf("SMTP_URL port %s is not a port of mailpit", u.Port())
	}
	if s := worker.Environment["SUIVI_SECRET"]; s == "" || s != serve.Environment["SUIVI_SECRET"] {
		t.Errorf("SUIVI_SECRET differs between worker (%q) and serve (%q)", s, serve.Environment["SUIVI_SECRET"])
	}
	if worker.Environment["SUIVI_PUBLIC_URL"] != serve.Environment["SUIVI_PUBLIC_URL"] {
		t.Errorf("SUIVI_PUBLIC_URL differs between worker and serve")
	}
}

// The secret that signs email links comes from the operator's environment
// and compose refuses to start without it: a value written in the file is
// known to everyone who read it.
func TestComposeSecret(t *testing.T) {
	c := loadCompose(t)
	for _, name := range []string{"worker", "serve"} {
		raw := c.service(t, name).Environment["SUIVI_SECRET"]
		ref, err := parseInterpolation(raw)
		switch {
		case err != nil:
			t.Errorf("%s: service %s: SUIVI_SECRET %q: %v", composePath, name, raw, err)
		case ref.name != "SUIVI_SECRET" || ref.op != ":?" || strings.TrimSpace(ref.arg) == "":
			t.Errorf("%s: service %s: SUIVI_SECRET is %q, want \"${SUIVI_SECRET:?how to set it}\", required from the operator's environment", composePath, name, raw)
		}
	}
}

// TestComposeSettingsValid runs config's validation on what the suivi
// services get once compose has interpolated their environment, so that a
// check added to config never refuses the shipped compose file (the worker
// sends to mailpit with an http://localhost public URL).
func TestComposeSettingsValid(t *testing.T) {
	c := loadCompose(t)
	operator := map[string]string{"SUIVI_SECRET": strings.Repeat("5e", 32)}
	for _, name := range []string{"migrate", "worker", "serve"} {
		env := map[string]string{}
		for k, v := range c.service(t, name).Environment {
			got, err := interpolate(v, operator)
			if err != nil {
				t.Fatalf("%s: service %s: %s: %v", composePath, name, k, err)
			}
			env[k] = got
		}
		var cfg config.Config
		fs := flag.NewFlagSet(name, flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		config.Bind(&cfg, fs, envFrom(env))
		if err := cfg.Validate(); err != nil {
			t.Errorf("%s: service %s: settings refused: %v", composePath, name, err)
		}
	}
	if _, err := interpolate(c.service(t, "serve").Environment["SUIVI_SECRET"], nil); err == nil || !strings.Contains(err.Error(), "openssl rand") {
		t.Errorf("without SUIVI_SECRET compose must refuse to start, saying how to make one; got %v", err)
	}
}

// interpolationRef is one ${NAME<op>arg} of compose's interpolation.
type interpolationRef struct{ name, op, arg string }

var (
	wholeRef  = regexp.MustCompile(`^\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])(.*))?\}$`)
	anyDollar = regexp.MustCompile(`\$\$|\$\{[A-Za-z_][A-Za-z0-9_]*(?::?[-?+][^}]*)?\}|\$[A-Za-z_][A-Za-z0-9_]*|\$`)
)

// parseInterpolation reads a value that is exactly one ${…}. Compose
// interpolates the argument too, so a lone "$" in it (a shell "$(…)")
// makes the whole file invalid: it must be written "$$".
func parseInterpolation(v string) (interpolationRef, error) {
	m := wholeRef.FindStringSubmatch(v)
	if m == nil {
		return interpolationRef{}, errors.New("is not one ${NAME…} interpolation")
	}
	if _, err := interpolate(m[3], nil); err != nil {
		return interpolationRef{}, fmt.Errorf("its message: %w", err)
	}
	return interpolationRef{name: m[1], op: m[2], arg: m[3]}, nil
}

// interpolate does what compose does to v with the environment env: $$,
// $NAME, ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message} and
// ${NAME?message}; a "$" that starts none of them is an error.
func interpolate(v string, env map[string]string) (string, error) {
	var out strings.Builder
	var err error
	last := 0
	for _, loc := range anyDollar.FindAllStringIndex(v, -1) {
		out.WriteString(v[last:loc[0]])
		last = loc[1]
		tok := v[loc[0]:loc[1]]
		switch {
		case tok == "$$":
			out.WriteString("$")
		case tok == "$":
			return "", fmt.Errorf("lone $ at offset %d of %q: compose refuses it; write $$", loc[0], v)
		case strings.HasPrefix(tok, "${"):
			m := wholeRef.FindStringSubmatch(tok)
			var s string
			if s, err = substitute(interpolationRef{name: m[1], op: m[2], arg: m[3]}, env); err != nil {
				return "", err
			}
			out.WriteString(s)
		default:
			out.WriteString(env[tok[1:]])
		}
	}
	out.WriteString(v[last:])
	return out.String(), nil
}

func substitute(r interpolationRef, env map[string]string) (string, error) {
	val, set := env[r.name]
	arg, err := interpolate(r.arg, env)
	if err != nil {
		return "", err
	}
	missing := !set || (strings.HasPrefix(r.op, ":") && val == "")
	switch strings.TrimPrefix(r.op, ":") {
	case "-":
		if missing {
			return arg, nil
		}
	case "?":
		if missing {
			return "", fmt.Errorf("required variable %s is missing a value: %s", r.name, arg)
		}
	case "+":
		if !missing {
			return arg, nil
		}
		return "", nil
	}
	return val, nil
}
