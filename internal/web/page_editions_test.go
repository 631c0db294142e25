package web

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/codecitoyen/suivi/internal/edition"
	"github.com/codecitoyen/suivi/internal/pgtest"
	"github.com/codecitoyen/suivi/internal/store"
)

// A start uses the newest version of an edition: its head is read each
// time, its file decoded once; a newer version is a new file.
func TestStartsReadTheNewestEdition(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if _, err := st.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	apply := func(yaml string) {
		t.Helper()
		ed, err := edition.Parse([]byte(yaml))
		if err != nil {
			t.Fatal(err)
		}
		spec, _ := json.Marshal(ed)
		if _, _, err := st.ApplyEdition(ctx, ed.ID, ed.Hash(), spec); err != nil {
			t.Fatal(err)
		}
	}
	const v1 = `id: ncc-2027
name: {fr: Nuit, en: Night}
time_zone: Europe/Paris
call_for_projects: {opens: 2026-11-01, closes: 2027-02-14}
hackathon: {starts: "2027-03-05 18:00", ends: "2027-03-07 18:00"}
accompaniment_months: 12
cities:
  - {name: Lyon, time_zone: Europe/Paris, meetup: "first tuesday 19:00", coordinators: [c@example.org]}
milestones:
  - {id: demo, title: {fr: Démo, en: Demo}, due: "+0d", evidence: url}
`
	apply(v1)
	d := newDecodedEditions()
	latest := func() (store.Edition, *edition.Edition) {
		t.Helper()
		head, err := st.EditionHead(ctx, "ncc-2027")
		if err != nil {
			t.Fatal(err)
		}
		ed, err := d.head(ctx, st, head)
		if err != nil {
			t.Fatal(err)
		}
		return head, ed
	}
	head, ed := latest()
	if head.Version != 1 {
		t.Fatalf("head = %+v", head)
	}
	if s := d.snapshot(head.Hash, ed, "Tunis"); s != nil {
		t.Fatal("a city the edition lacks has a snapshot")
	}
	if _, again := latest(); again != ed {
		t.Fatal("the same version was decoded twice")
	}
	apply(strings.Replace(v1, "cities:\n", "cities:\n  - {name: Tunis, time_zone: Africa/Tunis, meetup: \"first monday 19:00\", coordinators: [t@example.org]}\n", 1))
	head, ed = latest()
	if head.Version != 2 {
		t.Fatalf("after a new version, head = %+v", head)
	}
	if s := d.snapshot(head.Hash, ed, "Tunis"); s == nil || s.Zone.Name != "Africa/Tunis" {
		t.Fatalf("the new version's city: %+v", s)
	}
	if _, err := st.EditionHead(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown edition: %v", err)
	}
	if len(d.eds) != 2 {
		t.Fatalf("%d files decoded, want 2", len(d.eds))
	}
}
