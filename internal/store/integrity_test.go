package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/codecitoyen/suivi/internal/store"
)

// A second, unrelated run of a program (Temporal's state was lost, the
// program started again) must never write under the first run's row, even
// with a higher seq; nor may its audit entries mix with the first run's.
func TestAnotherRunCannotWriteUnderTheRow(t *testing.T) {
	s := migrated(t)
	ctx := context.Background()
	at := time.Date(2027, 3, 15, 10, 0, 0, 0, time.UTC)
	first := store.Program{Edition: "ncc-2027", Project: "demoscampi", Name: "D", Phase: "accompaniment",
		WorkflowID: "program/ncc-2027/demoscampi", StartedAt: at, Seq: 40, FirstRunID: "run-1"}
	if err := s.SaveProgram(ctx, first, []store.AuditEntry{{Seq: 40, At: at, Actor: "suivi", Action: "phase:accompaniment"}}); err != nil {
		t.Fatal(err)
	}
	second := first
	second.FirstRunID, second.Seq, second.Phase, second.StartedAt = "run-2", 41, "applied", at.AddDate(0, 2, 0)
	err := s.SaveProgram(ctx, second, []store.AuditEntry{{Seq: 41, At: at, Actor: "suivi", Action: "started"}})
	if !errors.Is(err, store.ErrOtherRun) || !strings.Contains(err.Error(), "suivi program forget ncc-2027/demoscampi") {
		t.Fatalf("the second run's write = %v, want ErrOtherRun naming the way out", err)
	}
	got, err := s.GetProgram(ctx, "ncc-2027", "demoscampi")
	if err != nil || got.Phase != "accompaniment" || got.Seq != 40 {
		t.Fatalf("row after the refused write: %+v %v", got, err)
	}
	if log, _ := s.ListAudit(ctx, "ncc-2027", "demoscampi"); len(log) != 1 {
		t.Errorf("the refused write left audit entries: %+v", log)
	}
	// The first run's later writes go through; a row written before
	// first_run_id existed takes the next writer's ID.
	first.Seq = 42
	if err := s.SaveProgram(ctx, first, nil); err != nil {
		t.Fatalf("the first run's next write: %v", err)
	}
	legacy := store.Program{Edition: "ncc-2027", Project: "old", Name: "O", Phase: "applied", WorkflowID: "program/ncc-2027/old", StartedAt: at, Seq: 1}
	if err := s.SaveProgram(ctx, legacy, nil); err != nil {
		t.Fatal(err)
	}
	legacy.Seq, legacy.FirstRunID = 2, "run-9"
	if err := s.SaveProgram(ctx, legacy, nil); err != nil {
		t.Fatalf("a run writing a row of before first_run_id: %v", err)
	}
}

// Forgetting keeps the whole record aside and frees the key, so the new
// run starts clean and the old audit log is not lost.
func TestForgetProgramArchivesEverything(t *testing.T) {
	s := migrated(t)
	ctx := context.Background()
	at := time.Date(2027, 3, 15, 10, 0, 0, 0, time.UTC)
	p := store.Program{Edition: "ncc-2027", Project: "demoscampi", Name: "D", Phase: "accompaniment",
		WorkflowID: "program/ncc-2027/demoscampi", StartedAt: at, Seq: 3, FirstRunID: "run-1",
		Milestones: []store.Milestone{{ID: "demo", TitleFR: "Démo", TitleEN: "Demo", Due: "2027-03-07", Evidence: "url", Status: "submitted", EvidenceURL: "https://x.example.org"}},
		Attendance: []store.Attendance{{Meetup: "2027-04", RecordedBy: "c@example.org", RecordedAt: at}}}
	if err := s.SaveProgram(ctx, p, []store.AuditEntry{{Seq: 3, At: at, Actor: "c@example.org", Action: "select", UpdateID: "u1"}}); err != nil {
		t.Fatal(err)
	}
	id, err := s.ForgetProgram(ctx, "ncc-2027", "demoscampi", "forgotten by c@example.org")
	if err != nil || id == 0 {
		t.Fatalf("ForgetProgram = %d, %v", id, err)
	}
	if _, err := s.GetProgram(ctx, "ncc-2027", "demoscampi"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the row is still there: %v", err)
	}
	if log, _ := s.ListAudit(ctx, "ncc-2027", "demoscampi"); len(log) != 0 {
		t.Errorf("the audit log was not set aside: %+v", log)
	}
	raw, err := s.ArchivedRecord(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Program    map[string]any   `json:"program"`
		Milestones []map[string]any `json:"milestones"`
		Attendance []map[string]any `json:"attendance"`
		Audit      []map[string]any `json:"audit"`
	}
	if err := json.Unmarshal(raw, &rec); err != nil || rec.Program["phase"] != "accompaniment" || len(rec.Milestones) != 1 ||
		len(rec.Attendance) != 1 || len(rec.Audit) != 1 || rec.Audit[0]["update_id"] != "u1" {
		t.Fatalf("archived record: %s (%v)", raw, err)
	}
	// A new run starts clean under the same key, its seq 1 audit entry kept.
	fresh := store.Program{Edition: "ncc-2027", Project: "demoscampi", Name: "D", Phase: "applied", WorkflowID: p.WorkflowID, StartedAt: at.AddDate(0, 3, 0), Seq: 1, FirstRunID: "run-2"}
	if err := s.SaveProgram(ctx, fresh, []store.AuditEntry{{Seq: 1, At: at, Actor: "suivi", Action: "started"}}); err != nil {
		t.Fatal(err)
	}
	if log, _ := s.ListAudit(ctx, "ncc-2027", "demoscampi"); len(log) != 1 || log[0].Action != "started" {
		t.Errorf("the new run's audit log: %+v", log)
	}
	if _, err := s.ForgetProgram(ctx, "ncc-2027", "nothing", "x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("forgetting a missing program = %v", err)
	}
}

// The licence column: unchecked before any check (no repository polled
// yet), a person's completion or waiver of the step shown as such.
func TestLicenceColumn(t *testing.T) {
	s := migrated(t)
	ctx := context.Background()
	at := time.Date(2027, 3, 15, 10, 0, 0, 0, time.UTC)
	save := func(project, status, note string) {
		t.Helper()
		p := store.Program{Edition: "ncc-2027", Project: project, Name: project, Phase: "accompaniment", WorkflowID: "program/ncc-2027/" + project,
			StartedAt: at, Seq: 1, Repositories: []string{"https://github.com/o/" + project},
			Milestones: []store.Milestone{{ID: "open-licence", TitleFR: "L", TitleEN: "L", Due: "2027-03-21", Evidence: "repository", Status: status, Note: note}}}
		if err := s.SaveProgram(ctx, p, nil); err != nil {
			t.Fatal(err)
		}
	}
	save("fresh", "open", "")
	save("byhand", "completed", "MIT, checked")
	save("waived", "waived", "data only")
	save("auto", "completed", "open licence found: MIT")
	licence := func(project string) string {
		t.Helper()
		p, err := s.ProgramRow(ctx, "ncc-2027", project)
		if err != nil {
			t.Fatal(err)
		}
		return p.Licence
	}
	for project, want := range map[string]string{"fresh": "unchecked", "byhand": "completed by hand", "waived": "waived", "auto": "unchecked"} {
		if got := licence(project); got != want {
			t.Errorf("%s before any check: %q, want %q", project, got, want)
		}
	}
	if _, err := s.SyncRepos(ctx); err != nil {
		t.Fatal(err)
	}
	if got := licence("fresh"); got != "unchecked" {
		t.Errorf("fresh, watched but not checked: %q", got)
	}
	if err := s.SaveLicence(ctx, "o/fresh", store.Licence{SPDX: "MIT", Open: true, CheckedAt: at}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveLicence(ctx, "o/auto", store.Licence{SPDX: "NOASSERTION", Open: false, CheckedAt: at}); err != nil {
		t.Fatal(err)
	}
	if got := licence("fresh"); got != "open" {
		t.Errorf("fresh after an open check: %q", got)
	}
	// The watcher completed the step once; today's check is what counts.
	if got := licence("auto"); got != "not open" {
		t.Errorf("auto after a not-open check: %q", got)
	}
}
