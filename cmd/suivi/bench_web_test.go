package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/codecitoyen/suivi/internal/api"
	"github.com/codecitoyen/suivi/internal/auth"
	"github.com/codecitoyen/suivi/internal/pglocal"
	"github.com/codecitoyen/suivi/internal/pgtest"
	"github.com/codecitoyen/suivi/internal/store"
)

// A short `suivi bench web` measures both servers on each route (by
// default the home page, the dashboard and the program list), with the
// same bytes per answer and no errors, and ends on p99_ms, the largest
// p99 of Suivi's routes.
func TestBenchWebMeasuresSuiviAndTheFloor(t *testing.T) {
	if _, err := pglocal.FindBinDir(os.Getenv("SUIVI_PG_BINDIR")); err != nil && os.Getenv("CI") != "true" {
		t.Skip("no PostgreSQL binaries:", err)
	}
	var out, errs bytes.Buffer
	code := run(context.Background(), []string{"bench", "web", "--programs", "30", "-c", "3", "--duration", "300ms", "--warmup", "0s"}, &out, &errs, os.Getenv)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errs.String())
	}
	rows := regexp.MustCompile(`(?m)^(/\S*)\s+(suivi|baseline)\s+(\d+)\s+\S+\s+\S+ms\s+\S+ms\s+\S+ms\s+\S+ms\s+(\d+)\s+(\d+)$`).FindAllStringSubmatch(out.String(), -1)
	if len(rows) != 6 {
		t.Fatalf("want a suivi and a baseline row for 3 routes, got %d:\n%s", len(rows), out.String())
	}
	for i := 0; i < 6; i += 2 {
		s, b := rows[i], rows[i+1]
		if s[2] != "suivi" || b[2] != "baseline" || s[1] != b[1] || s[4] != b[4] || s[5] != "0" || b[5] != "0" || s[3] == "0" {
			t.Errorf("rows for %s: %q, %q", s[1], s[0], b[0])
		}
	}
	if rows[0][1] != "/" || rows[2][1] != "/dashboard" || rows[4][1] != "/api/v1/programs" {
		t.Errorf("routes measured: %s, %s, %s", rows[0][1], rows[2][1], rows[4][1])
	}
	worst := 0.0
	for _, k := range []string{"index", "dashboard", "api_v1_programs"} {
		m := regexp.MustCompile(`(?m)^` + k + `_p99_ms=([0-9.]+)$`).FindStringSubmatch(out.String())
		if m == nil || !strings.Contains(out.String(), "\n"+k+"_baseline_p99_ms=") {
			t.Fatalf("no %s_p99_ms and %s_baseline_p99_ms lines:\n%s", k, k, out.String())
		}
		v, _ := strconv.ParseFloat(m[1], 64)
		worst = max(worst, v)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if last := lines[len(lines)-1]; last != fmt.Sprintf("p99_ms=%.1f", worst) {
		t.Errorf("last line %q, want p99_ms=%.1f, the largest of the routes'", last, worst)
	}
	if !strings.Contains(errs.String(), "storing 30 programs") {
		t.Errorf("no progress on stderr:\n%s", errs.String())
	}
	for _, bad := range [][]string{{"-c", "0"}, {"--clients", "x"}, {"--routes", "dashboard"}} {
		var o, e bytes.Buffer
		if code := run(context.Background(), append([]string{"bench", "web"}, bad...), &o, &e, os.Getenv); code != 1 || !strings.Contains(e.String(), "bench web") {
			t.Errorf("bench web %v: exit %d, %q", bad, code, e.String())
		}
	}
}

// BenchmarkWebListParts times, at 1,000 programs, each part of answering
// GET /api/v1/programs for a coordinator of every city: identify (token,
// person), the list and the funders, and the JSON encoding, indented as
// writeJSON does and compact.
//
//	go test -run '^$' -bench WebListParts ./cmd/suivi/
func BenchmarkWebListParts(b *testing.B) {
	ctx := context.Background()
	st, err := store.Open(ctx, pgtest.NewDatabase(b))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx, nil); err != nil {
		b.Fatal(err)
	}
	if err := seedBenchWeb(ctx, st, 1000); err != nil {
		b.Fatal(err)
	}
	const who = "bench-all@example.org"
	if _, err := st.AddGrant(ctx, auth.Grant{Email: who, Role: auth.Coordinator}, "bench"); err != nil {
		b.Fatal(err)
	}
	secret, hash := auth.NewSecret(auth.TokenPrefix)
	if _, err := st.CreateToken(ctx, who, "bench", hash); err != nil {
		b.Fatal(err)
	}
	b.Run("TokenOwner", func(b *testing.B) {
		for b.Loop() {
			if _, err := st.TokenOwner(ctx, auth.Hash(secret), time.Now()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Person", func(b *testing.B) {
		for b.Loop() {
			if _, err := st.Person(ctx, who); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ListPrograms", func(b *testing.B) {
		for b.Loop() {
			if _, err := st.ListPrograms(ctx, store.ProgramFilter{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("AllProgramFunders", func(b *testing.B) {
		for b.Loop() {
			if _, err := st.AllProgramFunders(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	list, err := st.ListPrograms(ctx, store.ProgramFilter{})
	if err != nil {
		b.Fatal(err)
	}
	for _, indent := range []bool{true, false} {
		name := "JSON compact"
		if indent {
			name = "JSON indented"
		}
		b.Run(name, func(b *testing.B) {
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				enc := json.NewEncoder(&buf)
				if indent {
					enc.SetIndent("", "  ")
				}
				if err := enc.Encode(api.ProgramList{Programs: list}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(buf.Len()), "bytes")
		})
	}
}
