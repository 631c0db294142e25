package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/codecitoyen/suivi/internal/store"
)

// evolve makes one random change to a program, as the workflow's actions
// do: a milestone's status, note or due date, an attendance, a mentor or a
// holder, the phase, the score.
func evolve(r *rand.Rand, p *store.Program, at time.Time) string {
	p.Seq++
	switch k := r.IntN(7); k {
	case 0, 1:
		i := r.IntN(len(p.Milestones))
		m := &p.Milestones[i]
		m.Status = []string{"open", "submitted", "completed", "waived"}[r.IntN(4)]
		m.EvidenceURL = fmt.Sprintf("https://example.org/%d", p.Seq)
		m.Note = fmt.Sprintf("note %d", p.Seq)
		m.ClosedAt = at
		return "milestone " + m.ID
	case 2:
		i := r.IntN(len(p.Milestones))
		p.Milestones[i].Due = at.AddDate(0, 1, 0).Format("2006-01-02")
		return "extend " + p.Milestones[i].ID
	case 3:
		p.Attendance = append(p.Attendance, store.Attendance{Meetup: fmt.Sprintf("m%03d", p.Seq), RecordedBy: "m@example.org", RecordedAt: at})
		return "attend"
	case 4:
		if len(p.Mentors) > 0 && r.IntN(2) == 0 {
			p.Mentors = p.Mentors[1:]
			return "remove mentor"
		}
		p.Mentors = append(slices.Clone(p.Mentors), fmt.Sprintf("Mentor%d@example.org", p.Seq))
		return "assign mentor"
	case 5:
		p.Holders = append(slices.Clone(p.Holders), fmt.Sprintf("h%d@example.org", p.Seq))
		return "add holder"
	default:
		p.Phase = []string{"selected", "hackathon", "demo", "accompaniment", "dormant"}[r.IntN(5)]
		s := r.IntN(21)
		p.Score = &s
		return "phase " + p.Phase
	}
}

func sampleProgram(project string) store.Program {
	p := store.Program{Edition: "ncc-2027", Project: project, Name: "Démocratie et crustacés",
		Holders: []string{"holder@example.org"}, Repositories: []string{"https://github.com/codecitoyen/demoscampi"},
		City: "Lyon", Phase: "applied", WorkflowID: "program/ncc-2027/" + project, FirstRunID: "run-1",
		StartedAt: time.Date(2027, 1, 10, 9, 0, 0, 0, time.UTC), Seq: 1}
	for i, id := range []string{"demo", "open-licence", "explainer-video", "first-release"} {
		p.Milestones = append(p.Milestones, store.Milestone{ID: id, TitleFR: "Étape " + id, TitleEN: "Step " + id,
			Due: fmt.Sprintf("2027-0%d-07", i+3), Evidence: "url", Status: "open"})
	}
	return p
}

// Applying each Diff in turn gives the read model that writing the whole
// program would: in memory, and in Postgres against SaveProgram.
func TestChangesMatchWholeProjections(t *testing.T) {
	s, url := open(t)
	ctx := context.Background()
	if _, err := s.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	r := rand.New(rand.NewPCG(1, 2))
	whole, delta := sampleProgram("whole"), sampleProgram("delta")
	at := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	var prev *store.Program
	var inMemory store.Program
	deltas := 0
	for step := range 200 {
		audit := []store.AuditEntry{{Seq: delta.Seq, At: at, Actor: "suivi", Action: fmt.Sprintf("step %d", step)}}
		if err := s.SaveProgram(ctx, whole, audit); err != nil {
			t.Fatal(err)
		}
		c := store.Diff(prev, delta, audit)
		if !c.Whole {
			deltas++
			if len(c.Program.Milestones) != 0 || len(c.Milestones) > 1 || len(c.Attendance) > 1 {
				t.Fatalf("step %d: a change of one thing carries %d milestones, %d changed, %d meetups", step, len(c.Program.Milestones), len(c.Milestones), len(c.Attendance))
			}
		}
		if err := s.ApplyChange(ctx, c); err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		// A retry of the same change writes nothing new.
		if step%7 == 0 {
			if err := s.ApplyChange(ctx, c); err != nil {
				t.Fatalf("step %d retried: %v", step, err)
			}
		}
		c.Apply(&inMemory)
		kept := delta.Clone()
		prev = &kept
		compare(t, ctx, s, conn, step, whole, delta, inMemory)
		at = at.Add(36 * time.Hour)
		what := evolve(r, &whole, at)
		delta = whole.Clone()
		delta.Project, delta.WorkflowID = "delta", "program/ncc-2027/delta"
		_ = what
	}
	if deltas < 190 {
		t.Fatalf("%d of 200 projections were changes, want all but the first", deltas)
	}
	// A change older than the row writes nothing, not even its lists.
	stale := sampleProgram("delta")
	stale.Seq = 2
	stale.Milestones[0].Note = "stale"
	if err := s.ApplyChange(ctx, store.ProgramChange{Program: stale, Whole: true}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.GetProgram(ctx, "ncc-2027", "delta")
	if got.Milestones[0].Note == "stale" || got.Seq == 2 {
		t.Fatal("a stale change was written")
	}
	// Another run chain's change is refused and writes nothing.
	other := delta.Clone()
	other.Seq, other.FirstRunID, other.Phase = delta.Seq+10, "run-2", "graduated"
	err = s.ApplyChange(ctx, store.ProgramChange{Program: other, Whole: true, Phase: true,
		Audit: []store.AuditEntry{{Seq: other.Seq, At: at, Actor: "x", Action: "graduate"}}})
	if !errors.Is(err, store.ErrOtherRun) {
		t.Fatalf("another run's change: %v, want ErrOtherRun", err)
	}
	audit, _ := s.ListAudit(ctx, "ncc-2027", "delta")
	if got, _ := s.GetProgram(ctx, "ncc-2027", "delta"); got.Phase == "graduated" || audit[len(audit)-1].Action == "graduate" {
		t.Fatal("another run's change was written")
	}
}

// compare checks that both projections read the same, in memory and in
// every table the program's changes reach.
func compare(t *testing.T, ctx context.Context, s *store.Store, conn *pgx.Conn, step int, whole, delta, inMemory store.Program) {
	t.Helper()
	w, err := s.GetProgram(ctx, "ncc-2027", "whole")
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.GetProgram(ctx, "ncc-2027", "delta")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []*store.Program{&w, &d} {
		p.Project, p.WorkflowID, p.UpdatedAt = "", "", time.Time{}
	}
	if !reflect.DeepEqual(w, d) {
		t.Fatalf("step %d: Postgres differs:\nwhole %+v\ndelta %+v", step, w, d)
	}
	if !reflect.DeepEqual(inMemory, delta) {
		t.Fatalf("step %d: applying the changes in memory gives\n%+v\nwant\n%+v", step, inMemory, delta)
	}
	for _, q := range []string{
		`select coalesce(string_agg(email || ':' || role, ',' order by email, role), '') from program_people where edition = 'ncc-2027' and project = $1`,
		`select coalesce(string_agg(seq || ':' || phase || ':' || since, ',' order by seq), '') from program_phases where edition = 'ncc-2027' and project = $1`,
		`select coalesce(string_agg(seq || ':' || action || ':' || at, ',' order by seq), '') from audit_log where edition = 'ncc-2027' and project = $1`,
	} {
		var a, b string
		if err := conn.QueryRow(ctx, q, "whole").Scan(&a); err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRow(ctx, q, "delta").Scan(&b); err != nil {
			t.Fatal(err)
		}
		if a != b {
			t.Fatalf("step %d: %s\nwhole %s\ndelta %s", step, q, a, b)
		}
	}
}
