package main

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/codecitoyen/suivi/internal/pglocal"
)

// A small `suivi bench memory` runs a worker and `suivi dev` as child
// processes (this test binary, acting as suivi), moves programs into
// accompaniment through their API and reports the children's memory, the
// worker's last.
func TestBenchMemoryMeasuresChildProcesses(t *testing.T) {
	if _, err := pglocal.FindBinDir(os.Getenv("SUIVI_PG_BINDIR")); err != nil && os.Getenv("CI") != "true" {
		t.Skip("no PostgreSQL binaries:", err)
	}
	t.Setenv(runAsSuivi, "1")
	var out, errs bytes.Buffer
	code := run(context.Background(), []string{"bench", "memory", "--programs", "20", "--caches", "1000", "-c", "5", "--settle", "0s"},
		&out, &errs, os.Getenv)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errs.String())
	}
	rows := regexp.MustCompile(`(?m)^(worker|dev)\s+1000\s+20\s+\S+\s+[\d.]+((?:\s+-?[\d.]+){7})\s+(\d+)\s+(\d+)\s+(\d+)$`).FindAllStringSubmatch(out.String(), -1)
	if len(rows) != 2 || rows[0][1] != "worker" || rows[1][1] != "dev" {
		t.Fatalf("want a worker row and a dev row, got %d:\n%s", len(rows), out.String())
	}
	for _, r := range rows {
		f := strings.Fields(r[2]) // start, rss, anon, file, peak, kib/program, kib/cached
		start, _ := strconv.ParseFloat(f[0], 64)
		rss, _ := strconv.ParseFloat(f[1], 64)
		peak, _ := strconv.ParseFloat(f[4], 64)
		if start < 10 || rss < 10 || peak < rss || rss > 4096 {
			t.Errorf("%s: start %v MiB, rss %v MiB, peak %v MiB:\n%s", r[1], start, rss, peak, r[0])
		}
		if heap, _ := strconv.Atoi(r[3]); heap < 1 {
			t.Errorf("%s: no Go heap read from gctrace: %s", r[1], r[0])
		}
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	last := lines[len(lines)-1]
	if !regexp.MustCompile(`^worker_rss_mib=\d+\.\d$`).MatchString(last) {
		t.Errorf("last line %q, want worker_rss_mib=<number>", last)
	}
	for _, k := range []string{"worker_cache_1000_rss_mib=", "dev_cache_1000_rss_mib=", "dev_cache_1000_kib_per_program="} {
		if !strings.Contains(out.String(), "\n"+k) {
			t.Errorf("no %s line:\n%s", k, out.String())
		}
	}
	if !strings.Contains(errs.String(), "starting `suivi worker`") || !strings.Contains(errs.String(), "20 programs in accompaniment") {
		t.Errorf("no progress on stderr:\n%s", errs.String())
	}
}
