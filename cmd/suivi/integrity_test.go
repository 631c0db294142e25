package main

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/codecitoyen/suivi/internal/store"
)

// TestReusedUpdateIDIsAConflict: an Update ID sent again for another
// action is refused with 409 and changes nothing, whether Temporal itself
// remembers the ID (same run) or the workflow does (after continue-as-new,
// covered in workflows).
func TestReusedUpdateIDIsAConflict(t *testing.T) {
	e := newEngine(t)
	e.startWorker(t)
	url := e.api.URL
	if code, out, errOut := cli(t, url, startArgs...); code != 0 {
		t.Fatalf("start = %d %q %q", code, out, errOut)
	}
	by := []string{}
	if code, out, errOut := cli(t, url, append([]string{"program", "select", "ncc-2027/demoscampi", "--request-id", "click-1"}, by...)...); code != 0 {
		t.Fatalf("select = %d %q %q", code, out, errOut)
	}
	// The same click again: the first answer, acted once.
	if code, out, _ := cli(t, url, append([]string{"program", "select", "ncc-2027/demoscampi", "--request-id", "click-1"}, by...)...); code != 0 || !strings.Contains(out, "program selected") {
		t.Fatalf("retried select = %d %q", code, out)
	}
	code, out, errOut := cli(t, url, append([]string{"program", "withdraw", "ncc-2027/demoscampi", "--request-id", "click-1"}, by...)...)
	if code != 1 || out != "" || !strings.Contains(errOut, "already used for select") {
		t.Fatalf("withdraw with the select's ID = %d %q %q; want exit 1 saying the ID was used for select", code, out, errOut)
	}
	code, out, _ = cli(t, url, "program", "status", "ncc-2027/demoscampi")
	if code != 0 || strings.Contains(out, "withdrawn") {
		t.Fatalf("the reused ID acted: %q", out)
	}
	if *recordHistories {
		recordHistory(t, e.tc, "program/ncc-2027/demoscampi", "../../workflows/testdata/program_v6_reused_id.json")
	}
}

// TestLostTemporalState: Postgres keeps programs whose workflows a new,
// empty Temporal does not know (temporal.db deleted). It is detected and
// explained, a new start of the same program is refused until a person
// decides (forget), and then the new run writes its own row; a running
// workflow whose row Postgres lost records itself again.
func TestLostTemporalState(t *testing.T) {
	first := newEngine(t)
	first.startWorker(t)
	ctx := context.Background()
	if code, out, errOut := cli(t, first.api.URL, startArgs...); code != 0 {
		t.Fatalf("start = %d %q %q", code, out, errOut)
	}
	if code, _, errOut := cli(t, first.api.URL, "program", "select", "ncc-2027/demoscampi"); code != 0 {
		t.Fatalf("select: %s", errOut)
	}
	waitFor(t, "the selection in Postgres", func() bool {
		p, err := first.st.GetProgram(ctx, "ncc-2027", "demoscampi")
		return err == nil && p.Phase != "applied"
	})
	old, _ := first.st.GetProgram(ctx, "ncc-2027", "demoscampi")

	// Temporal's state is gone: the same Postgres, a new Temporal.
	e := newEngineOn(t, first.st)
	e.startWorker(t)
	r, err := checkIntegrity(ctx, e.st, e.tc, e.ns)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Lost) != 1 || r.Lost[0].Project != "demoscampi" {
		t.Fatalf("integrity = %+v, want demoscampi lost", r)
	}
	w := strings.Join(r.warnings(".suivi/temporal.db"), "\n")
	for _, want := range []string{"1 program(s)", "ncc-2027/demoscampi", ".suivi/temporal.db", "-wal", "suivi program forget"} {
		if !strings.Contains(w, want) {
			t.Errorf("the warning does not say %q:\n%s", want, w)
		}
	}
	if lines := reportIntegrity(ctx, e.st, e.tc, e.ns, "", slog.New(slog.DiscardHandler)); len(lines) == 0 {
		t.Error("reportIntegrity says nothing")
	}

	code, out, errOut := cli(t, e.api.URL, startArgs...)
	if code != 1 || out != "" || !strings.Contains(errOut, "Temporal has no workflow for it") || !strings.Contains(errOut, "suivi program forget ncc-2027/demoscampi") {
		t.Fatalf("a start over the lost record = %d %q %q", code, out, errOut)
	}
	if p, _ := e.st.GetProgram(ctx, "ncc-2027", "demoscampi"); p.Seq != old.Seq || p.Phase != old.Phase {
		t.Fatalf("the refused start changed the record: %+v", p)
	}

	// Forget refuses a program Temporal runs, then sets the lost one aside.
	if code, _, errOut := cli(t, e.api.URL, "program", "forget", "ncc-2027/nothing"); code != 1 || !strings.Contains(errOut, "no program ncc-2027/nothing") {
		t.Fatalf("forget of a missing program = %d %q", code, errOut)
	}
	code, out, errOut = cli(t, e.api.URL, "program", "forget", "ncc-2027/demoscampi")
	if code != 0 || !strings.Contains(out, "set aside as archive") {
		t.Fatalf("forget = %d %q %q", code, out, errOut)
	}
	if code, out, errOut := cli(t, e.api.URL, startArgs...); code != 0 || strings.Contains(out, "not recorded") {
		t.Fatalf("start after forget = %d %q %q", code, out, errOut)
	}
	p, err := e.st.GetProgram(ctx, "ncc-2027", "demoscampi")
	if err != nil || p.Phase != "applied" || p.FirstRunID == "" || p.FirstRunID == old.FirstRunID {
		t.Fatalf("the new run's record: %+v %v (old run %s)", p, err, old.FirstRunID)
	}
	code, _, errOut = cli(t, e.api.URL, "program", "forget", "ncc-2027/demoscampi")
	if code != 1 || !strings.Contains(errOut, "withdraw it instead") {
		t.Fatalf("forget of a running program = %d %q", code, errOut)
	}

	// Postgres restored from a backup older than Temporal: the row is gone,
	// the workflow runs; the check asks it to record itself again.
	if _, err := e.st.ForgetProgram(ctx, "ncc-2027", "demoscampi", "test: an older Postgres"); err != nil {
		t.Fatal(err)
	}
	// The start answered at once (the API wrote the first record), so
	// Temporal's visibility, which the check lists, may not show the new
	// workflow yet: ask until it does, as the check at the next start would.
	waitFor(t, "the new workflow in Temporal's visibility", func() bool {
		r, err = checkIntegrity(ctx, e.st, e.tc, e.ns)
		if err != nil || len(r.Lost) != 0 {
			t.Fatalf("integrity after losing the row = %+v %v", r, err)
		}
		return len(r.Unprojected) == 1 && r.Resynced == 1
	})
	waitFor(t, "the resynced row", func() bool {
		_, err := e.st.GetProgram(ctx, "ncc-2027", "demoscampi")
		return err == nil
	})
	if _, err := e.st.GetProgram(ctx, "ncc-2027", "gone"); !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	if *recordHistories {
		recordHistory(t, e.tc, "program/ncc-2027/demoscampi", "../../workflows/testdata/program_v6_resync.json")
	}
}
