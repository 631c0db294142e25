package edition

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

// FuzzParse feeds whole edition files to Parse; its corpus in
// testdata/fuzz/FuzzParse adds real files in the ways people get them wrong
// (see testdata/fuzz/README.md). Whatever the input, Parse
// must not panic, must refuse it with a short list of short messages, or
// must accept an edition that every program can snapshot: one snapshot per
// city, within MaxSnapshotBytes, with every milestone dated, and whose JSON
// (which is YAML) parses back to the same edition.
func FuzzParse(f *testing.F) {
	// A copy of examples/ncc-2027.yaml, so the corpus does not change when
	// the example does.
	example, err := os.ReadFile("testdata/ncc-2027.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range [][]byte{
		example,
		[]byte(minimal),
		[]byte(bad),
		smallAliasBomb(),
		[]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00"),
		[]byte("\xff\xfei\x00d\x00"),
		[]byte(strings.Replace(minimal, "accompaniment_months: 12", "accompaniment_months: 99999999999999999999999", 1)),
		[]byte(strings.Replace(minimal, `due: "+0d"`, `due: "+100000w"`, 1)),
		[]byte(strings.Replace(minimal, `due: "+0d"`, `due: "+3000d"`, 1)),
		[]byte(strings.NewReplacer(`"2027-03-05 18:00"`, `"9999-03-05 18:00"`, `"2027-03-07 18:00"`, `"9999-03-07 18:00"`).Replace(minimal)),
		[]byte(strings.Repeat("[", 5000) + strings.Repeat("]", 5000)),
		[]byte(strings.Repeat("{a: ", 1000) + "1" + strings.Repeat("}", 1000)),
		[]byte(minimal + "---\n" + minimal),
		[]byte(""),
		[]byte("# only a comment\n"),
	} {
		f.Add(seed)
	}
	// The hostile files of TestParseRefusesHostileYAMLQuickly, up to one
	// byte over the size limit (the fuzzer has no use for 64 MiB).
	for _, h := range hostileYAML() {
		if len(h.src) <= MaxFileSize+1 {
			f.Add([]byte(h.src))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := Parse(data)
		if err != nil {
			checkRefusal(t, e, err)
			return
		}
		checkSnapshots(t, e)
		checkRoundTrip(t, e)
	})
}

// checkRefusal checks a refusal is an ErrorList of at most MaxErrors short
// messages and a summary.
func checkRefusal(t *testing.T, e *Edition, err error) {
	var list ErrorList
	if e != nil || !errors.As(err, &list) || len(list) == 0 || len(list) > MaxErrors+1 {
		t.Fatalf("Parse = %v, %d problems: %v", e, len(list), err)
	}
	for _, p := range list {
		// Three quoted values of 40 escaped characters and the meetup
		// forms fit; a value repeated whole would not.
		if len(p.Error()) > 2000 {
			t.Fatalf("a message of %d bytes: %.200s", len(p.Error()), p.Error())
		}
	}
}

// checkSnapshots snapshots e for no city and for every city.
func checkSnapshots(t *testing.T, e *Edition) {
	cities := []string{""}
	for _, c := range e.Cities {
		cities = append(cities, c.Name)
	}
	for _, city := range cities {
		s, err := e.Snapshot(city)
		if err != nil {
			t.Fatalf("accepted edition, but Snapshot(%q): %v", city, err)
		}
		if s.City != city {
			t.Fatalf("Snapshot(%q) is the snapshot of city %q", city, s.City)
		}
		end, accEnd := s.Zone.DateOf(s.HackathonEnd).Time(), s.Zone.DateOf(s.AccompanimentEnd).Time()
		for _, m := range s.Milestones {
			if m.Due == "" || m.Due.Time().Before(end) || m.Due.Time().After(accEnd) {
				t.Fatalf("milestone %s due %q, outside the accompaniment %v to %v", m.ID, m.Due, s.HackathonEnd, s.AccompanimentEnd)
			}
		}
		b, err := json.Marshal(s)
		if err != nil || len(b) > MaxSnapshotBytes {
			t.Fatalf("Snapshot(%q) encodes to %d bytes, %v", city, len(b), err)
		}
	}
}

// checkRoundTrip parses e's JSON encoding, which is YAML, back: what Parse
// accepted and normalised must be accepted again, unchanged.
func checkRoundTrip(t *testing.T, e *Edition) {
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Parse(b)
	if err != nil {
		t.Fatalf("the JSON of an accepted edition is refused: %v\n%s", err, b)
	}
	if again.Hash() != e.Hash() {
		t.Fatalf("the JSON of an accepted edition parses to another edition:\n%s", b)
	}
}

// smallAliasBomb has the shape of aliasBomb at a size the fuzzer mutates
// quickly.
func smallAliasBomb() []byte {
	return []byte(`a: &a [x, x]
b: &b [*a, *a, *a, *a]
c: &c [*b, *b, *b, *b]
cities:
  - &city {name: Lyon, time_zone: Europe/Paris, coordinators: [*c, *c, *c]}
  - *city
  - *city
`)
}
