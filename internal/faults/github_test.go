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

// TestGitHubFaults: GitHub answering 500s, then secondary limits with and
// without retry-after, then the primary limit, while the watcher polls
// every 30 s: polling pauses and resumes (every repository polled again
// after the last fault), no workflow fails, and no request is charged
// past the quota (the fake refuses those; the count of requests made
// with the quota spent is bounded by the requests already in flight).
func TestGitHubFaults(t *testing.T) {
	e := sys
	ctx := context.Background()
	const n = 10
	var names []string
	for i := range n {
		names = append(names, fmt.Sprintf("faults/github-p%03d", i))
	}
	e.ghControl(t, "/repos?names="+strings.Join(names, ","))
	// A one-minute quota window, so the primary limit resets in the test.
	e.ghControl(t, "/limits?window=1m")
	// It runs beside the SMTP faults (t.Parallel): its reminders are
	// hours away, so the relay's faults are not its.
	t.Parallel()
	e.startPrograms(t, ctx, "github", n, 12*time.Hour)
	conn, err := pgx.Connect(ctx, e.suiviURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	// polledSince counts this scenario's repositories polled after since.
	polledSince := func(since time.Time) int {
		var c int
		if err := conn.QueryRow(ctx, `select count(*) from repositories where name like 'faults/github-%' and last_polled_at > $1`, since).Scan(&c); err != nil {
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
	phase("secondary limits without retry-after", "/force?s=429,403", 2)
	e.ghControl(t, "/limits?no_retry_after=false")
	// The primary quota: what this window used so far plus a few.
	s := e.ghStats(t)
	// One request a window: spent at once, refused until the reset.
	phase("primary limit", "/limits?primary=1", 1)
	e.ghControl(t, "/limits?primary=5000&window=1h")
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
	// flight when the first refusal came (GITHUB_MAX_INFLIGHT, 10).
	over := int(after.PrimaryRefused - s.PrimaryRefused)
	if over > 10 {
		t.Errorf("%d requests sent with the primary quota spent; want at most the 10 in flight", over)
	}
	e.check(t, "GitHub 500/secondary/primary", faults, outcome{messages: int(after.Requests - before.Requests), lost: lost},
		false, fmt.Sprintf("ops = requests to GitHub; %d sent with the quota spent; watcher %s", over, watch))
}
