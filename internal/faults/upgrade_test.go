//go:build faults

package faults

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// previousRelease is the commit built as "the previous release": the code
// before the local-projection change, so programs it starts cross a real
// workflow.GetVersion branch under the new binary. SUIVI_FAULTS_PREVIOUS
// overrides it (there are no release tags yet).
const previousRelease = "4d660d9"

func previous() string {
	if p := os.Getenv("SUIVI_FAULTS_PREVIOUS"); p != "" {
		return p
	}
	return previousRelease
}

// buildPrevious builds the previous release's suivi in the background
// while the first scenarios run (nice, so they keep the CPU): its source by
// git archive into a temporary directory, never touching the repository's
// worktrees. A commit this clone lacks is a reason not to run, not a
// failure.
func (e *env) buildPrevious() {
	defer close(e.prevDone)
	prev, root := previous(), repoRoot()
	if out, err := exec.Command("git", "-C", root, "cat-file", "-e", prev+"^{commit}").CombinedOutput(); err != nil {
		e.prevSkip = fmt.Sprintf("commit %s is not in this clone (shallow?): %s", prev, strings.TrimSpace(string(out)))
		return
	}
	src := filepath.Join(e.dir, "prev-src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		e.prevErr = err
		return
	}
	arch := exec.Command("sh", "-c", fmt.Sprintf("git -C %q archive %s | tar -x -C %q", root, prev, src))
	if out, err := arch.CombinedOutput(); err != nil {
		e.prevSkip = fmt.Sprintf("git archive %s: %v %s", prev, err, out)
		return
	}
	began := time.Now()
	out := filepath.Join(e.dir, "bin", "suivi-prev")
	build := exec.Command("nice", "-n", "10", "go", "build", "-o", out, "./cmd/suivi")
	build.Dir = src
	if b, err := build.CombinedOutput(); err != nil {
		e.prevErr = fmt.Errorf("build %s: %v\n%s", prev, err, b)
		return
	}
	e.mu.Lock()
	e.bin["suivi-prev"] = out
	e.mu.Unlock()
	fmt.Printf("faults: built suivi at %s in %s (in the background)\n", prev, time.Since(began).Round(time.Second))
}

// TestUpgrade: programs started and selected by the previous release's
// `suivi worker` and `suivi serve` continue under this build on the same
// Temporal and Postgres (after `suivi migrate up`): their reminders go out
// once, from the new worker, and an Update through the new serve acts.
func TestUpgrade(t *testing.T) {
	e := sys
	ctx := context.Background()
	prev := previous()
	notRun := func(why string) {
		t.Logf("UPGRADE NOT RUN: %s", why)
		e.record(row{scenario: "upgrade from " + prev, note: "not run: " + why})
		t.Skip(why)
	}
	<-e.prevDone
	if e.prevSkip != "" {
		notRun(e.prevSkip)
	}
	if e.prevErr != nil {
		t.Fatal(e.prevErr)
	}
	prevBin := e.bin["suivi-prev"]
	// Its own database and namespace, as a separate installation.
	conn, err := pgx.Connect(ctx, e.suiviURL())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "create database suivi_upgrade"); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	dbURL := e.suiviDB("suivi_upgrade")
	site := map[string]string{"DATABASE_URL": dbURL, "TEMPORAL_NAMESPACE": "upgrade"}
	migrate := func(bin string) {
		t.Helper()
		cmd := exec.Command(bin, "migrate", "up")
		cmd.Env = e.suiviEnv(site)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s migrate up: %v\n%s", filepath.Base(bin), err, out)
		}
	}
	migrate(prevBin)
	token, err := coordinatorToken(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	serveAddr := freeAddr()
	serveEnv := func() map[string]string {
		return map[string]string{"DATABASE_URL": dbURL, "TEMPORAL_NAMESPACE": "upgrade", "SUIVI_HTTP_ADDR": serveAddr}
	}
	oldWorker := newProc("upgrade-worker-prev", prevBin, []string{"worker"}, e.suiviEnv(site), "worker polling")
	oldServe := newProc("upgrade-serve-prev", prevBin, []string{"serve"}, e.suiviEnv(serveEnv()), "serving")
	for _, p := range []*proc{oldWorker, oldServe} {
		if err := p.start(e.dir); err != nil {
			t.Fatal(err)
		}
		defer p.kill()
	}
	// The checks read this installation.
	saved := []any{e.serveURLs, e.token, e.db}
	e.serveURLs, e.token, e.db = []string{"http://" + serveAddr}, token, "suivi_upgrade"
	defer func() {
		e.serveURLs, e.token, e.db = saved[0].([]string), saved[1].(string), saved[2].(string)
	}()
	r := e.startPrograms(t, ctx, "upgrade", 10, 45*time.Second)

	// The upgrade: stop the old processes, migrate, start the new ones.
	oldWorker.stop()
	oldServe.stop()
	migrate(e.bin["suivi"])
	newWorker := newProc("upgrade-worker-new", e.bin["suivi"], []string{"worker"}, e.suiviEnv(site), "worker polling")
	newServe := newProc("upgrade-serve-new", e.bin["suivi"], []string{"serve"}, e.suiviEnv(serveEnv()), "serving")
	for _, p := range []*proc{newWorker, newServe} {
		if err := p.start(e.dir); err != nil {
			t.Fatal(err)
		}
		defer p.stop()
	}
	t.Logf("%s: upgraded to this build; reminders due at %s", time.Now().Format(time.TimeOnly), r.fire.Format(time.TimeOnly))
	o := r.settle(t, ctx, 3*time.Minute)
	// An Update through the new serve on a program the old one started.
	path := fmt.Sprintf("/api/v1/programs/%s/p000/actions/extend", r.edition)
	body := []byte(fmt.Sprintf(`{"update_id":"upgrade-extend","milestone":"later","due":%q}`, r.localDay(75)))
	if _, err := e.post(ctx, path, "application/json", body); err != nil {
		t.Errorf("an Update after the upgrade: %v", err)
		o.lost++
	}
	if behind, err := r.behind(ctx); err != nil || behind > 0 {
		t.Errorf("%d programs' read model differs from the workflow after the upgrade (%v)", behind, err)
	}
	uc, err := client.Dial(client.Options{HostPort: e.temporalAddr, Namespace: "upgrade", Logger: quiet{}})
	if err != nil {
		t.Fatal(err)
	}
	defer uc.Close()
	resp, err := uc.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: "ExecutionStatus='Failed' OR ExecutionStatus='Terminated' OR ExecutionStatus='TimedOut'"})
	if err != nil || resp.Count > 0 {
		t.Errorf("failed workflows in the upgraded namespace: %v %v", resp, err)
	}
	e.check(t, "upgrade from "+prev, 1, o, false, "started by "+prev+", reminders sent by this build")

	// The clock, on this installation (its own namespace and database, so
	// what skewed workers write does not reach the other scenarios' data):
	// the only workers running have clocks 10 minutes ahead and behind
	// (SUIVI_CLOCK_SKEW, the clock Suivi's activities read). No reminder
	// reaches the relay before its instant, none twice: the instant is
	// decided by workflow code on Temporal's clock (workflow.Now, server
	// timers), never by a worker's.
	var skewed []*proc
	for i, skew := range []string{"10m", "-10m"} {
		env := map[string]string{"DATABASE_URL": dbURL, "TEMPORAL_NAMESPACE": "upgrade", "SUIVI_CLOCK_SKEW": skew}
		p := newProc(fmt.Sprintf("worker-skew-%d", i+1), e.bin["suivi"], []string{"worker"}, e.suiviEnv(env), "worker polling")
		if err := p.start(e.dir); err != nil {
			t.Fatal(err)
		}
		defer p.stop()
		skewed = append(skewed, p)
	}
	newWorker.stop()
	c := e.startPrograms(t, ctx, "clock", 10, 30*time.Second)
	co := c.settle(t, ctx, 3*time.Minute)
	early, err := c.early()
	if err != nil {
		t.Fatal(err)
	}
	if early > 0 {
		t.Errorf("%d reminders reached the relay before %s", early, c.fire.Format(time.TimeOnly))
		co.lost += early // wrong: sent early
	}
	e.check(t, "worker clock ±10 min", len(skewed), co, false, fmt.Sprintf("%d sent early", early))
}
