//go:build faults

package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// ghStats are the fake GitHub's counters.
type ghStats struct {
	Requests       int64 `json:"requests"`
	Charged        int64 `json:"charged"`
	Limited        int64 `json:"limited"`
	PrimaryRefused int64 `json:"primary_refused"`
	MaxInflight    int64 `json:"max_inflight"`
}

func (e *env) ghStats(t *testing.T) ghStats {
	t.Helper()
	resp, err := http.Get(e.githubCtl + "/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s ghStats
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

func (e *env) ghControl(t *testing.T, path string) {
	t.Helper()
	resp, err := http.Post(e.githubCtl+path, "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("fake GitHub %s: %d", path, resp.StatusCode)
	}
}

// githubPrograms are the GitHub scenario's programs, each with a
// repository the fake GitHub has.
const githubPrograms = 10

// prepareGitHub makes the GitHub scenario's repositories and programs at
// the start of the run, so the watcher's first cycles (the first also
// loads the licence classifier, a minute of CPU here) are over when the
// scenario begins.
func (e *env) prepareGitHub(ctx context.Context) error {
	var names []string
	for i := range githubPrograms {
		names = append(names, fmt.Sprintf("faults/github-p%03d", i))
	}
	for _, path := range []string{"/repos?names=" + strings.Join(names, ","), "/limits?window=1m"} {
		resp, err := http.Post(e.githubCtl+path, "text/plain", nil)
		if err != nil {
			return err
		}
		resp.Body.Close()
	}
	_, err := e.start(ctx, "github", githubPrograms, 12*time.Hour)
	return err
}

// TestGitHubFaults: GitHub answering 500s, then secondary limits with and
// without retry-after, then the primary limit, while the watcher polls
// every 30 s: polling pauses and resumes (every repository polled again
// after the last fault), no workflow fails, and no request is charged
// past the quota (the fake refuses those; the count of requests made
// with the quota spent is bounded by the requests already in flight).
func TestGitHubFaults(t *testing.T) {
	e := sys
	ctx := context.Background()
	// It runs beside the SMTP faults (t.Parallel): its programs' reminders
	// are hours away, so the relay's faults are not its.
	t.Parallel()
	const n = githubPrograms
	conn, err := pgx.Connect(ctx, e.suiviURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	// polledSince counts this scenario's repositories polled after since
	// without an error: polling resumed.
	polledSince := func(since time.Time) int {
		var c int
		if err := conn.QueryRow(ctx, `select count(*) from repos where name like 'faults/github-%' and last_polled_at > $1 and last_error = ''`, since).Scan(&c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	waitPolled := func(what string, since time.Time, within time.Duration) bool {
		deadline := time.Now().Add(within)
		for time.Now().Before(deadline) {
			if polledSince(since) == n {
				t.Logf("%s: every repository polled again by %s", what, time.Now().Format(time.TimeOnly))
				return true
			}
			time.Sleep(2 * time.Second)
		}
		t.Errorf("%s: %d of %d repositories polled again within %s", what, polledSince(since), n, within)
		return false
	}
	before := e.ghStats(t)
	start := time.Now()
	waitPolled("first poll", start.Add(-time.Hour), 2*time.Minute)
	faults, lost := 0, 0
	phase := func(name, control string, injected int) {
		mark := time.Now()
		e.ghControl(t, control)
		faults += injected
		if !waitPolled(name, mark, 150*time.Second) {
			lost++
		}
	}
	phase("500s", "/force?s=500,500,500,500,500,500,500,500,500,500", 10)
	phase("secondary limits with retry-after", "/force?s=403,429,403", 3)
	e.ghControl(t, "/limits?no_retry_after=true")
	// Without retry-after (nor a spent quota) Suivi waits at least a
	// minute, doubling while it lasts: one is enough to see it.
	phase("secondary limit without retry-after", "/force?s=429", 1)
	e.ghControl(t, "/limits?no_retry_after=false")
	s := e.ghStats(t)
	// The primary quota spent (none left this window, reset within a
	// minute): polling pauses until the reset and resumes.
	primaryFrom := time.Now()
	e.ghControl(t, "/limits?primary=0")
	time.Sleep(40 * time.Second)
	met := e.ghStats(t).PrimaryRefused - s.PrimaryRefused
	e.ghControl(t, "/limits?primary=5000")
	faults++
	if !waitPolled("primary limit", primaryFrom, 150*time.Second) {
		lost++
	}
	if met == 0 {
		t.Errorf("the primary limit was never met (no request in 40 s)")
	}
	windows := int(time.Since(primaryFrom)/time.Minute) + 1
	e.ghControl(t, "/limits?window=1h")
	after := e.ghStats(t)
	t.Logf("fake GitHub: %d requests, %d charged, %d rate-limited, %d with the primary quota spent, at most %d in flight",
		after.Requests-before.Requests, after.Charged-before.Charged, after.Limited-before.Limited, after.PrimaryRefused-s.PrimaryRefused, after.MaxInflight)
	desc, err := e.tc.DescribeWorkflowExecution(ctx, "github-watch", "")
	if err != nil {
		t.Fatal(err)
	}
	watch := desc.WorkflowExecutionInfo.Status.String()
	if watch != "Running" {
		t.Errorf("the repository watcher is %s", watch)
		lost++
	}
	// Requests made while the quota was spent: at most those already in
	// flight when a window's refusal came (GITHUB_MAX_INFLIGHT, 10), once
	// per one-minute window the phase lasted.
	over := int(after.PrimaryRefused - s.PrimaryRefused)
	if over > 10*windows {
		t.Errorf("%d requests sent with the primary quota spent over %d windows; want at most the 10 in flight each", over, windows)
	}
	e.check(t, "GitHub 500/secondary/primary", faults, outcome{messages: int(after.Requests - before.Requests), lost: lost},
		false, fmt.Sprintf("ops = requests to GitHub; %d sent with the quota spent; watcher %s", over, watch))
}
