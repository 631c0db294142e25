package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/codecitoyen/suivi/internal/store"
)

func migrated(t *testing.T) *store.Store {
	t.Helper()
	s, _ := open(t)
	if _, err := s.Migrate(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSaveProgramProjectsChildrenAndAuditOnce(t *testing.T) {
	s := migrated(t)
	ctx := context.Background()
	at := time.Date(2027, 3, 15, 10, 0, 0, 0, time.UTC)
	score := 17
	p := store.Program{Edition: "ncc-2027", Project: "demoscampi", Name: "D", Phase: "accompaniment",
		WorkflowID: "program/ncc-2027/demoscampi", StartedAt: at, Seq: 3, Score: &score, Mentors: []string{"m@example.org"},
		NextDue: "2027-05-07", NextReminderAt: at.Add(time.Hour),
		Milestones: []store.Milestone{
			{ID: "demo", TitleFR: "Démo", TitleEN: "Demo", Due: "2027-03-07", Evidence: "url", Status: "submitted", EvidenceURL: "https://x.example.org"},
			{ID: "video", TitleFR: "Vidéo", TitleEN: "Video", Due: "2027-05-07", Evidence: "video", Status: "open"},
		},
		Attendance: []store.Attendance{{Meetup: "2027-04", RecordedBy: "c@example.org", RecordedAt: at}},
	}
	audit := []store.AuditEntry{
		{Seq: 1, At: at, Actor: "suivi", Action: "started"},
		{Seq: 3, At: at, Actor: "c@example.org", Action: "select", UpdateID: "u1", Detail: map[string]string{"note": "ok"}},
	}
	for range 2 { // a retried activity
		if err := s.SaveProgram(ctx, p, audit); err != nil {
			t.Fatal(err)
		}
	}
	// A stale projection (lower seq) changes nothing but still records its
	// audit entry.
	stale := p
	stale.Seq, stale.Phase, stale.Milestones = 2, "selected", nil
	if err := s.SaveProgram(ctx, stale, []store.AuditEntry{{Seq: 2, At: at, Actor: "suivi", Action: "phase:selected"}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetProgram(ctx, "ncc-2027", "demoscampi")
	if err != nil {
		t.Fatal(err)
	}
	if got.Phase != "accompaniment" || len(got.Milestones) != 2 || got.Milestones[0].EvidenceURL != "https://x.example.org" ||
		got.Milestones[1].Due != "2027-05-07" || len(got.Attendance) != 1 || *got.Score != 17 || got.NextDue != "2027-05-07" ||
		!got.NextReminderAt.Equal(at.Add(time.Hour)) || got.Mentors[0] != "m@example.org" {
		t.Fatalf("program = %+v", got)
	}
	log, err := s.ListAudit(ctx, "ncc-2027", "demoscampi")
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 3 || log[0].Action != "started" || log[1].Action != "phase:selected" || log[2].UpdateID != "u1" || log[2].Detail["note"] != "ok" {
		t.Fatalf("audit = %+v", log)
	}
}

func TestEnqueueIsIdempotent(t *testing.T) {
	s := migrated(t)
	ctx := context.Background()
	msgs := []store.Message{
		{Key: "k1", Edition: "ncc-2027", Project: "demoscampi", Kind: "due-today", Milestone: "demo", Due: "2027-03-07", Recipient: "h@example.org"},
		{Key: "k2", Edition: "ncc-2027", Project: "demoscampi", Kind: "dormant", Recipient: "c@example.org"},
	}
	n, err := s.Enqueue(ctx, msgs)
	if err != nil || n != 2 {
		t.Fatalf("first Enqueue = %d, %v", n, err)
	}
	if n, err = s.Enqueue(ctx, msgs); err != nil || n != 0 {
		t.Fatalf("second Enqueue = %d, %v; want 0 new", n, err)
	}
	out, err := s.ListOutbox(ctx, "ncc-2027", "demoscampi")
	if err != nil || len(out) != 2 || out[0].Status != "pending" {
		t.Fatalf("outbox = %+v, %v", out, err)
	}
}

func TestApplyEditionVersions(t *testing.T) {
	s := migrated(t)
	ctx := context.Background()
	if _, err := s.GetEdition(ctx, "ncc-2027"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetEdition before apply = %v", err)
	}
	for i, tt := range []struct {
		hash    string
		version int
		changed bool
	}{{"a", 1, true}, {"a", 1, false}, {"b", 2, true}, {"b", 2, false}} {
		v, changed, err := s.ApplyEdition(ctx, "ncc-2027", tt.hash, []byte(`{"id":"ncc-2027","h":"`+tt.hash+`"}`))
		if err != nil || v != tt.version || changed != tt.changed {
			t.Fatalf("apply %d (%s) = %d, %v, %v; want %d, %v", i, tt.hash, v, changed, err, tt.version, tt.changed)
		}
	}
	e, err := s.GetEdition(ctx, "ncc-2027")
	if err != nil || e.Version != 2 || e.Hash != "b" {
		t.Fatalf("GetEdition = %+v, %v", e, err)
	}
}

// The janitor's sweep removes sign-in links a day past their expiry and
// old sign-in requests, and keeps live ones (it once failed on every run
// with "operator does not exist: timestamp with time zone < interval").
func TestDeleteExpiredSweepsLinksAndRequests(t *testing.T) {
	s := migrated(t)
	ctx := context.Background()
	now := time.Date(2027, 4, 1, 12, 0, 0, 0, time.UTC)
	if err := s.CreateMagicLink(ctx, []byte("old-link-hash-0123456789abcdef01"), "a@example.org", "/", now.Add(-48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateMagicLink(ctx, []byte("new-link-hash-0123456789abcdef01"), "a@example.org", "/", now.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.RecordSigninRequest(ctx, "a@example.org", "192.0.2.1", now.Add(-72*time.Hour), 15*time.Minute); err != nil {
		t.Fatal(err)
	}
	n, err := s.DeleteExpired(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("deleted %d rows, want the old link and the old request", n)
	}
	if _, ok, err := s.MagicLinkFor(ctx, []byte("new-link-hash-0123456789abcdef01"), now); err != nil || !ok {
		t.Errorf("the live link is gone: %v %v", ok, err)
	}
}
