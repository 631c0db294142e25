package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.temporal.io/server/temporaltest"

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/pgtest"
	"github.com/codecitoyen/suivi/internal/smtpsink"
	"github.com/codecitoyen/suivi/internal/store"
)

func envMap(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func runWith(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb syncBuffer
	code := run(context.Background(), args, &out, &errb, envMap(env))
	return code, out.String(), errb.String()
}

func TestMigrateCommand(t *testing.T) {
	env := map[string]string{"DATABASE_URL": pgtest.NewDatabase(t), "SUIVI_SECRET": "0123456789abcdef0123456789abcdef"}
	code, out, errOut := runWith(t, env, "migrate", "status")
	if code != 0 || !strings.Contains(out, "schema version 0 of") || !strings.Contains(out, "001_programs.sql") {
		t.Fatalf("migrate status on empty db = %d %q %q", code, out, errOut)
	}
	// worker and serve never migrate implicitly.
	code, _, errOut = runWith(t, env, "worker")
	if code != 1 || !strings.Contains(errOut, "run `suivi migrate up`") {
		t.Fatalf("worker on an unmigrated db = %d %q", code, errOut)
	}
	code, out, _ = runWith(t, env, "migrate", "up")
	if code != 0 || !strings.Contains(out, "applying 001 001_programs.sql") || !strings.Contains(out, "up to date") {
		t.Fatalf("migrate up = %d %q", code, out)
	}
	code, out, _ = runWith(t, env, "migrate", "status", "--json")
	var st struct{ Current, Latest int32 }
	if code != 0 || json.Unmarshal([]byte(out), &st) != nil || st.Current != st.Latest || st.Current == 0 {
		t.Fatalf("migrate status --json = %d %q", code, out)
	}
	for _, tt := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, []string{"migrate", "up"}, "DATABASE_URL is not set"},
		{nil, []string{"worker"}, "DATABASE_URL is not set"},
		{env, []string{"migrate", "sideways"}, "say `suivi migrate up` or `suivi migrate status`"},
		{map[string]string{"DATABASE_URL": "postgres://suivi:hunter2@127.0.0.1:1/suivi"}, []string{"migrate", "up"}, "unreachable"},
		{map[string]string{"DATABASE_URL": "mysql://suivi:hunter2@127.0.0.1/suivi"}, []string{"serve"}, "DATABASE_URL (--database-url)"},
	} {
		code, _, errOut := runWith(t, tt.env, tt.args...)
		if code != 1 || !strings.Contains(errOut, tt.want) || strings.Contains(errOut, "hunter2") || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v = %d %q; want exit 1, one line containing %q, no password", tt.args, code, errOut, tt.want)
		}
	}
}

// TestProductionSplit runs `suivi worker` and `suivi serve` as separate
// commands against an external Temporal and Postgres, as compose does.
func TestProductionSplit(t *testing.T) {
	ts := temporaltest.NewServer(temporaltest.WithT(t))
	httpAddr := freeAddr(t)
	env := map[string]string{
		"DATABASE_URL":       pgtest.NewDatabase(t),
		"TEMPORAL_ADDRESS":   ts.GetFrontendHostPort(),
		"TEMPORAL_NAMESPACE": ts.GetDefaultNamespace(),
		"SUIVI_HTTP_ADDR":    httpAddr,
		"SUIVI_LOG_LEVEL":    "warn",
		"SUIVI_SECRET":       "0123456789abcdef0123456789abcdef",
		"SUIVI_MAIL_DIR":     t.TempDir(),
	}
	if code, out, errOut := runWith(t, env, "migrate", "up"); code != 0 {
		t.Fatalf("migrate up = %d %q %q", code, out, errOut)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan string, 2)
	for _, cmd := range []string{"worker", "serve"} {
		go func() {
			var out, errb syncBuffer
			code := run(ctx, []string{cmd}, &out, &errb, envMap(env))
			done <- fmt.Sprintf("%s exited %d: %s", cmd, code, errb.String())
		}()
	}
	waitHealthy(t, httpAddr, nil, nil)

	url := "http://" + httpAddr
	st, err := store.Open(ctx, env["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cliTokens.Store(url, grantCoordinator(t, st, "coordination@example.org", ""))
	applyEdition(t, url)
	if code, out, errOut := cli(t, url, startArgs...); code != 0 || !strings.Contains(out, "Started") || strings.Contains(out, "not recorded") {
		t.Fatalf("start through serve+worker = %d %q %q", code, out, errOut)
	}
	code, out, _ := cli(t, url, "program", "status", "ncc-2027/demoscampi", "--json")
	var d api.ProgramDetail
	if code != 0 || json.Unmarshal([]byte(out), &d) != nil || d.Program == nil || d.Workflow.Phase != "applied" {
		t.Fatalf("status through serve = %d %q", code, out)
	}
	cancel()
	for range 2 {
		select {
		case r := <-done:
			if !strings.Contains(r, "exited 0") {
				t.Errorf("after SIGTERM: %s", r)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("worker or serve did not stop")
		}
	}
}

func TestMailTestCommand(t *testing.T) {
	sink, err := smtpsink.Start(smtpsink.Options{Username: "suivi", Password: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	env := map[string]string{"SMTP_URL": fmt.Sprintf("smtp://suivi:s3cret@127.0.0.1:%d?tls=none", sink.Port()), "SMTP_FROM": "Suivi <suivi@example.org>"}
	code, out, errOut := runWith(t, env, "mail", "test", "--to", "coord@example.org", "--lang", "en")
	if code != 0 || !strings.Contains(out, "The server answered: ") || sink.Count() != 1 {
		t.Fatalf("mail test = %d %q %q, %d received", code, out, errOut, sink.Count())
	}
	if !strings.Contains(string(sink.Messages()[0].Data), "Suivi test message") {
		t.Fatalf("not the English test message:\n%s", sink.Messages()[0].Data)
	}
	env["SMTP_URL"] = fmt.Sprintf("smtp://suivi:wrong@127.0.0.1:%d?tls=none", sink.Port())
	code, _, errOut = runWith(t, env, "mail", "test", "--to", "coord@example.org")
	if code != 1 || strings.Contains(errOut, "wrong") || strings.Count(errOut, "\n") != 1 {
		t.Fatalf("mail test with a wrong password = %d %q (and never show the password)", code, errOut)
	}
	for _, tt := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{env, []string{"mail", "test"}, "--to"},
		{env, []string{"mail", "test", "--to", "nope"}, "not an email address"},
		{map[string]string{"SMTP_URL": "http://x"}, []string{"mail", "test", "--to", "a@example.org"}, "SMTP_URL (--smtp-url)"},
		{map[string]string{"SMTP_FROM": "Suivi\r\nBcc: x@example.org"}, []string{"mail", "test", "--to", "a@example.org"}, "SMTP_FROM"},
		{nil, []string{"mail", "test", "--to", "a@example.org"}, "set SMTP_URL"},
	} {
		code, _, errOut := runWith(t, tt.env, tt.args...)
		if code != 1 || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v = %d %q, want %q", tt.args, code, errOut, tt.want)
		}
	}
}
