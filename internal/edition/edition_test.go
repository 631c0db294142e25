package edition

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func readExample(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("../../examples/ncc-2027.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parseExample(t *testing.T) *Edition {
	t.Helper()
	e, err := Parse(readExample(t))
	if err != nil {
		t.Fatalf("example: %v", err)
	}
	return e
}

func TestExample(t *testing.T) {
	e := parseExample(t)
	if e.ID != "ncc-2027" || e.TimeZone != "Europe/Paris" || e.AccompanimentMonths != 12 {
		t.Errorf("edition = %s %s %d", e.ID, e.TimeZone, e.AccompanimentMonths)
	}
	if len(e.Cities) != 9 || len(e.Themes) != 6 || len(e.Milestones) != 7 {
		t.Errorf("got %d cities, %d themes, %d milestones; want 9, 6, 7", len(e.Cities), len(e.Themes), len(e.Milestones))
	}
	if c, ok := e.City("aubervilliers"); !ok || c.Name != "Aubervilliers" {
		t.Errorf(`City("aubervilliers") = %+v, %v`, c, ok)
	}
	if _, ok := e.City("Atlantis"); ok {
		t.Error(`City("Atlantis") found`)
	}
	if th, ok := e.Theme("ruralite"); !ok || th.Title.FR != "Ruralité" || th.Title.EN != "Rural life" {
		t.Errorf(`Theme("ruralite") = %+v, %v`, th, ok)
	}
	if _, ok := e.Theme("Ruralite"); ok {
		t.Error(`Theme("Ruralite") found: theme ids are exact`)
	}
	if got, want := e.End(), utc("2028-03-07T17:00:00Z"); !got.Equal(want) {
		t.Errorf("End() = %v, want %v", got, want)
	}
}

func TestSnapshot(t *testing.T) {
	e := parseExample(t)
	for _, tc := range []struct {
		city                                string
		wantCity, zone, meetup, coordinator string
		start, end, accompanimentEnd        string
		offsets                             int // 0: more than one
	}{
		{"Lyon", "Lyon", "Europe/Paris", "first tuesday 19:00", "coordination-lyon@nuitducodecitoyen.example",
			"2027-03-05T17:00:00Z", "2027-03-07T17:00:00Z", "2028-03-07T17:00:00Z", 0},
		{"lyon", "Lyon", "Europe/Paris", "first tuesday 19:00", "coordination-lyon@nuitducodecitoyen.example",
			"2027-03-05T17:00:00Z", "2027-03-07T17:00:00Z", "2028-03-07T17:00:00Z", 0},
		{"Tunis", "Tunis", "Africa/Tunis", "first thursday 18:30", "coordination-tunis@nuitducodecitoyen.example",
			"2027-03-05T17:00:00Z", "2027-03-07T17:00:00Z", "2028-03-07T17:00:00Z", 1},
		{"Narbonne", "Narbonne", "Europe/Paris", "last thursday 18:30", "coordination-narbonne@nuitducodecitoyen.example",
			"2027-03-05T17:00:00Z", "2027-03-07T17:00:00Z", "2028-03-07T17:00:00Z", 0},
		{"", "", "Europe/Paris", "", "",
			"2027-03-05T17:00:00Z", "2027-03-07T17:00:00Z", "2028-03-07T17:00:00Z", 0},
	} {
		s, err := e.Snapshot(tc.city)
		if err != nil {
			t.Fatalf("Snapshot(%q): %v", tc.city, err)
		}
		if s.Edition != "ncc-2027" || s.City != tc.wantCity || s.Zone.Name != tc.zone || s.Meetup != tc.meetup {
			t.Errorf("Snapshot(%q) = edition %q city %q zone %q meetup %q", tc.city, s.Edition, s.City, s.Zone.Name, s.Meetup)
		}
		if tc.coordinator == "" && s.Coordinators != nil || tc.coordinator != "" && !reflect.DeepEqual(s.Coordinators, []string{tc.coordinator}) {
			t.Errorf("Snapshot(%q).Coordinators = %q", tc.city, s.Coordinators)
		}
		if !s.HackathonStart.Equal(utc(tc.start)) || !s.HackathonEnd.Equal(utc(tc.end)) || !s.AccompanimentEnd.Equal(utc(tc.accompanimentEnd)) {
			t.Errorf("Snapshot(%q) = %v to %v, accompaniment to %v", tc.city, s.HackathonStart, s.HackathonEnd, s.AccompanimentEnd)
		}
		if n := len(s.Zone.Offsets); tc.offsets == 1 && n != 1 || tc.offsets == 0 && n < 2 {
			t.Errorf("Snapshot(%q) has %d offsets", tc.city, n)
		}
		// The zone covers a year before the hackathon to 3 years after the
		// accompaniment: its first offset starts a year early...
		if from := s.Zone.Offsets[0].From; from.After(utc("2026-03-06T00:00:00Z")) || from.Before(utc("2026-03-04T00:00:00Z")) {
			t.Errorf("Snapshot(%q) zone starts %v", tc.city, from)
		}
		// ...and, where clocks change, it knows the changes of 2030.
		if tc.offsets == 0 && !s.Zone.Offsets[len(s.Zone.Offsets)-1].From.After(utc("2030-10-01T00:00:00Z")) {
			t.Errorf("Snapshot(%q) zone ends too early: %+v", tc.city, s.Zone.Offsets)
		}
	}
}

func TestSnapshotMilestones(t *testing.T) {
	s, err := parseExample(t).Snapshot("Lyon")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		id       string
		due      Date
		evidence string
		optional bool
	}{
		{"open-licence", "2027-03-21", "repository", false},
		{"demo", "2027-03-07", "url", false},
		{"explainer-video", "2027-05-07", "video", false},
		{"first-external-contributor", "2027-07-07", "repository", true},
		{"first-release", "2027-08-07", "url", false},
		{"six-month-review", "2027-09-07", "none", false},
		{"twelve-month-review", "2028-03-07", "none", false},
	}
	if len(s.Milestones) != len(want) {
		t.Fatalf("%d milestones, want %d", len(s.Milestones), len(want))
	}
	for i, w := range want {
		m := s.Milestones[i]
		if m.ID != w.id || m.Due != w.due || m.Evidence != w.evidence || m.Optional != w.optional || m.Title.FR == "" || m.Title.EN == "" {
			t.Errorf("milestone %d = %+v, want %+v", i, m, w)
		}
	}
	if got := s.Milestones[2].Title.EN; got != "Technology explained to my grandmother" {
		t.Errorf("explainer-video title = %q", got)
	}
}

func TestSnapshotSummerTime(t *testing.T) {
	// In July Paris is UTC+2, so the same wall times are an hour earlier in
	// UTC than in March: the snapshot must use the offset of the day.
	src := mutate(t, minimal, `starts: "2027-03-05 18:00"`, `starts: "2027-07-02 18:00"`)
	src = mutate(t, src, `ends: "2027-03-07 18:00"`, `ends: "2027-07-04 18:00"`)
	e, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	s, err := e.Snapshot("Lyon")
	if err != nil {
		t.Fatal(err)
	}
	if !s.HackathonStart.Equal(utc("2027-07-02T16:00:00Z")) || !s.HackathonEnd.Equal(utc("2027-07-04T16:00:00Z")) || !s.AccompanimentEnd.Equal(utc("2028-07-04T16:00:00Z")) {
		t.Errorf("got %v to %v, accompaniment to %v", s.HackathonStart, s.HackathonEnd, s.AccompanimentEnd)
	}
}

func TestSnapshotUnknownCity(t *testing.T) {
	_, err := parseExample(t).Snapshot("Atlantis")
	if err == nil {
		t.Fatal("Snapshot(Atlantis) succeeded")
	}
	for _, s := range []string{`"Atlantis"`, "Tunis, Montpellier, Lille, Rennes, Lyon, Paris, Narbonne, Toulouse, Aubervilliers"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not contain %q", err, s)
		}
	}
}

// TestSnapshotJSON checks a snapshot survives the JSON round trip of a
// workflow input or continue-as-new unchanged.
func TestSnapshotJSON(t *testing.T) {
	s, err := parseExample(t).Snapshot("Lyon")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back Snapshot
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, s) {
		t.Errorf("round trip changed the snapshot:\n%+v\n%+v", s, back)
	}
	if !bytes.Contains(b, []byte(`"hackathon_start":"2027-03-05T17:00:00Z"`)) || !bytes.Contains(b, []byte(`"due":"2027-03-21"`)) {
		t.Errorf("unexpected JSON: %s", b)
	}
}

// stripAndReformat drops every comment and re-encodes in block style with a
// different indentation.
func stripAndReformat(t *testing.T, src []byte) []byte {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal(src, &n); err != nil {
		t.Fatal(err)
	}
	var clean func(*yaml.Node)
	clean = func(n *yaml.Node) {
		n.HeadComment, n.LineComment, n.FootComment = "", "", ""
		n.Style &^= yaml.FlowStyle
		for _, c := range n.Content {
			clean(c)
		}
	}
	clean(&n)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(4)
	if err := enc.Encode(&n); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestHash(t *testing.T) {
	src := readExample(t)
	e := parseExample(t)
	h := e.Hash()
	if len(h) != 64 || strings.Trim(h, "0123456789abcdef") != "" {
		t.Fatalf("Hash() = %q, want 64 hex digits", h)
	}

	reformatted := stripAndReformat(t, src)
	if bytes.Contains(reformatted, []byte("#")) || bytes.Equal(reformatted, src) {
		t.Fatal("reformatting did not change the file")
	}
	asJSON, err := json.Marshal(e) // JSON is YAML too, in flow style
	if err != nil {
		t.Fatal(err)
	}
	for name, variant := range map[string][]byte{"same bytes": src, "no comments, block style": reformatted, "JSON": asJSON} {
		v, err := Parse(variant)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := v.Hash(); got != h {
			t.Errorf("%s: Hash() = %s, want %s", name, got, h)
		}
	}

	// An empty list and a missing key say the same thing.
	emptyThemes := mutate(t, minimal, "themes:\n  - id: ruralite\n    title: {fr: Ruralité, en: Rural life}\n", "themes: []\n")
	noThemes := mutate(t, minimal, "themes:\n  - id: ruralite\n    title: {fr: Ruralité, en: Rural life}\n", "")
	e1, err1 := Parse([]byte(emptyThemes))
	e2, err2 := Parse([]byte(noThemes))
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if e1.Hash() != e2.Hash() {
		t.Error("themes: [] and no themes key hash differently")
	}

	for name, change := range map[string][2]string{
		"meetup":   {"meetup: first tuesday 19:00", "meetup: second tuesday 19:00"},
		"optional": {"    optional: true", "    optional: false"},
		"title":    {"en: Rural life", "en: Rural areas"},
	} {
		v, err := Parse([]byte(mutate(t, string(src), change[0], change[1])))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if v.Hash() == h {
			t.Errorf("changing the %s kept the hash", name)
		}
	}
}

// minimal is a small valid edition whose line numbers the error tests rely on.
const minimal = `id: ncc-2027
name: {fr: Nuit 2027, en: Night 2027}
time_zone: Europe/Paris
call_for_projects:
  opens: 2026-11-01
  closes: 2027-02-14
hackathon:
  starts: "2027-03-05 18:00"
  ends: "2027-03-07 18:00"
accompaniment_months: 12
themes:
  - id: ruralite
    title: {fr: Ruralité, en: Rural life}
cities:
  - name: Lyon
    time_zone: Europe/Paris
    meetup: first tuesday 19:00
    coordinators: [coordination-lyon@nuitducodecitoyen.example]
milestones:
  - id: demo
    title: {fr: Démo, en: Demo}
    due: "+0d"
    evidence: url
`

// mutate replaces the first old in src, failing if old is missing so a
// stale test case cannot pass by changing nothing.
func mutate(t *testing.T, src, old, new string) string {
	t.Helper()
	if !strings.Contains(src, old) {
		t.Fatalf("%q not found in the source", old)
	}
	return strings.Replace(src, old, new, 1)
}

func TestParseMinimal(t *testing.T) {
	e, err := Parse([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if e.Cities[0].Coordinators[0] != "coordination-lyon@nuitducodecitoyen.example" || e.Milestones[0].Due != "+0d" || e.CallForProjects.Opens != "2026-11-01" {
		t.Errorf("parsed %+v", e)
	}
}

// TestParseConveniences covers what a coordinator may reasonably write:
// stray spaces, block scalars, weeks. (Anchors and aliases are refused: see
// TestParseRefusesAliases.)
func TestParseConveniences(t *testing.T) {
	src := mutate(t, minimal, "[coordination-lyon@nuitducodecitoyen.example]", `[" coordination-lyon@nuitducodecitoyen.example  "]`)
	src = mutate(t, src, "name: {fr: Nuit 2027, en: Night 2027}", "name:\n  fr: |\n    Nuit 2027\n  en: Night 2027")
	src = mutate(t, src, `due: "+0d"`, `due: "+2w"`)
	e, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Cities[0].Coordinators[0]; got != "coordination-lyon@nuitducodecitoyen.example" {
		t.Errorf("coordinator = %q, want it trimmed", got)
	}
	if e.Name.FR != "Nuit 2027" {
		t.Errorf("name.fr = %q, want it trimmed", e.Name.FR)
	}
	s, err := e.Snapshot("Lyon")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Milestones[0].Due; got != "2027-03-21" {
		t.Errorf("+2w after 2027-03-07 = %s, want 2027-03-21", got)
	}
}

// TestParseOneProblem breaks the minimal edition one way at a time and
// expects exactly that one problem, at its line.
func TestParseOneProblem(t *testing.T) {
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{"id not a slug", "id: ncc-2027", "id: NCC 2027", `line 1: id "NCC 2027" is not a valid slug`},
		{"id missing", "id: ncc-2027\n", "", "line 1: id is required"},
		{"name.en missing", ", en: Night 2027}", "}", "line 2: name.en is required"},
		{"name.en empty", "en: Night 2027", "en: ''", "line 2: name.en is required"},
		{"bad time zone", "time_zone: Europe/Paris", "time_zone: Mars/Olympus", `line 3: unknown time zone "Mars/Olympus"`},
		{"time zone missing", "time_zone: Europe/Paris\n", "", "line 1: time zone is required"},
		{"opens after closes", "opens: 2026-11-01", "opens: 2027-02-20", "line 6: call_for_projects closes (2027-02-14) must be after it opens (2027-02-20)"},
		{"closes after the hackathon starts", "closes: 2027-02-14", "closes: 2027-03-06", "line 6: call_for_projects closes 2027-03-06, after the hackathon starts (2027-03-05)"},
		{"bad date", "opens: 2026-11-01", "opens: 2026-11-31", `line 5: call_for_projects.opens: invalid date "2026-11-31"`},
		{"missing closes", "  closes: 2027-02-14\n", "", "line 5: call_for_projects.closes is required"},
		{"bad wall time", `starts: "2027-03-05 18:00"`, `starts: "2027-03-05T18:00"`, `line 8: hackathon.starts: invalid local time "2027-03-05T18:00"`},
		{"ends before starts", `ends: "2027-03-07 18:00"`, `ends: "2027-03-05 17:00"`, "line 9: hackathon ends (2027-03-05 17:00) must be after it starts (2027-03-05 18:00)"},
		{"months too many", "accompaniment_months: 12", "accompaniment_months: 61", "line 10: accompaniment_months must be between 1 and 60, not 61"},
		{"months zero", "accompaniment_months: 12", "accompaniment_months: 0", "line 10: accompaniment_months must be between 1 and 60, not 0"},
		{"months not a number", "accompaniment_months: 12", "accompaniment_months: twelve", `line 10: accompaniment_months must be a whole number, not "twelve"`},
		{"duplicate theme", "cities:\n", "  - id: ruralite\n    title: {fr: R, en: R}\ncities:\n", `line 14: duplicate theme id "ruralite" (first at line 12)`},
		{"theme title", "title: {fr: Ruralité, en: Rural life}", "title: {en: Rural life}", "line 13: theme ruralite: title.fr is required"},
		{"themes not a list", "themes:\n  - id: ruralite\n    title: {fr: Ruralité, en: Rural life}\n", "themes: ruralite\n", `line 11: themes must be a list (lines starting with "- "), not "ruralite"`},
		{"duplicate city", "milestones:\n", "  - name: LYON\n    time_zone: Europe/Paris\nmilestones:\n", `line 19: duplicate city "LYON" (first at line 15)`},
		{"city without zone", "    time_zone: Europe/Paris\n", "", "line 15: city Lyon: time zone is required"},
		{"city unknown field", "    meetup: first tuesday 19:00\n", "    meetup: first tuesday 19:00\n    colour: blue\n", `line 18: unknown field "colour" in cities: the fields here are name, time_zone, meetup, coordinators`},
		{"bad meetup", "meetup: first tuesday 19:00", "meetup: every tuesday", `line 17: city Lyon: meetup rule "every tuesday": want three words`},
		{"bad email", "[coordination-lyon@nuitducodecitoyen.example]", "[coordination-lyon@nuitducodecitoyen.example, lyon-at-example.org]", `line 18: city Lyon: coordinator "lyon-at-example.org" is not an email address`},
		{"milestone id", "id: demo", "id: Demo!", `line 20: milestone id "Demo!" is not a valid slug`},
		{"milestone title", "title: {fr: Démo, en: Demo}", "title: {fr: Démo}", "line 21: milestone demo: title.en is required"},
		{"due before the hackathon ends", `due: "+0d"`, "due: 2027-03-06", "line 22: milestone demo: due 2027-03-06 is before the hackathon ends (2027-03-07)"},
		{"bad relative due", `due: "+0d"`, `due: "+3x"`, `line 22: milestone demo: due "+3x": write +Nd, +Nw or +Nm`},
		{"negative due", `due: "+0d"`, `due: "-3d"`, `line 22: milestone demo: due "-3d" is neither a date`},
		{"huge due", `due: "+0d"`, `due: "+99999m"`, `line 22: milestone demo: due "+99999m" is too large: at most 120 months`},
		{"missing due", "    due: \"+0d\"\n", "", "line 20: milestone demo: due is required"},
		{"bad evidence", "evidence: url", "evidence: photo", `line 23: milestone demo: evidence "photo" must be one of url, video, repository, none`},
		{"bad optional", "evidence: url", "evidence: url\n    optional: maybe", `line 24: milestones.optional must be true or false, not "maybe"`},
		{"unknown top-level field", "time_zone: Europe/Paris\n", "time_zone: Europe/Paris\ncolour: blue\n", `line 4: unknown field "colour" in the edition`},
		{"repeated key", "accompaniment_months: 12\n", "accompaniment_months: 12\naccompaniment_months: 6\n", `line 11: field "accompaniment_months" appears twice in the edition (first at line 10)`},
		{"text where a mapping belongs", "name: {fr: Nuit 2027, en: Night 2027}", "name: Nuit 2027", `line 2: name must be a mapping of keys to values, not "Nuit 2027"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Parse([]byte(mutate(t, minimal, tc.old, tc.new)))
			var list ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("Parse = %v, %v; want an ErrorList", e, err)
			}
			if e != nil {
				t.Error("Parse returned an edition along with errors")
			}
			if len(list) != 1 || !strings.Contains(list[0].Error(), tc.want) {
				t.Errorf("errors:\n%v\nwant exactly one containing %q", err, tc.want)
			}
		})
	}
}

// bad has several problems at once; Parse must report every one.
const bad = `# An edition with many mistakes.
id: ncc-2027
name: {fr: Nuit 2027, en: Night 2027}
time_zone: Europe/Paris
colour: blue
call_for_projects: {opens: 2026-11-01, closes: 2027-02-14}
hackathon: {starts: "2027-03-05 18:00", ends: "2027-03-07 18:00"}
accompaniment_months: 12
cities:
  - name: Lyon
    time_zone: Europe/Pariss
    meetup: every tuesday
    coordinators:
      - coordination-lyon@nuitducodecitoyen.example
      - not-an-email
milestones:
  - id: open-licence
    title: {fr: Licence ouverte, en: Open licence}
    due: "+14d"
    evidence: repository
  - id: demo
    title: {fr: Démo, en: Demo}
    due: 2027-03-01
    evidence: url
  - id: demo
    title: {fr: Démo bis, en: Demo again}
    due: "+1d"
    evidence: url
    colour: red
`

func TestParseEveryProblem(t *testing.T) {
	_, err := Parse([]byte(bad))
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("Parse error = %v, want an ErrorList", err)
	}
	want := []string{
		`line 5: unknown field "colour"`,
		`line 11: city Lyon: unknown time zone "Europe/Pariss"`,
		`line 12: city Lyon: meetup rule "every tuesday": `,
		`line 15: city Lyon: coordinator "not-an-email" is not an email address`,
		`line 23: milestone demo: due 2027-03-01 is before the hackathon ends (2027-03-07)`,
		`line 25: duplicate milestone id "demo" (first at line 21)`,
		`line 29: unknown field "colour" in milestones`,
	}
	if len(list) != len(want) {
		t.Errorf("got %d errors, want %d:\n%v", len(list), len(want), err)
	}
	for i, w := range want {
		if i >= len(list) || !strings.HasPrefix(list[i].Error(), w) {
			t.Errorf("error %d should start with %q", i, w)
		}
	}
	if lines := strings.Split(err.Error(), "\n"); len(lines) != len(list) {
		t.Errorf("Error() has %d lines for %d problems", len(lines), len(list))
	}
}

func TestParseSyntax(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"unclosed flow", "id: ncc-2027\nname: {fr: Nuit\ntime_zone: Europe/Paris\n", "line "},
		{"bad indentation", "id: ncc-2027\nname:\n  fr: Nuit\n en: Night\n", "line 3: YAML syntax: did not find expected key"},
		{"tab", "id: ncc-2027\n\tname: x\n", "line 2: YAML syntax:"},
		{"empty", "", "line 1: the file is empty"},
		{"comments only", "# nothing yet\n", "line 1: the file is empty"},
		{"two documents", minimal + "---\nid: ncc-2028\n", "line 24: a second YAML document"},
		{"not a mapping", "- id: ncc-2027\n", "line 1: the edition must be a mapping"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Parse([]byte(tc.src))
			var list ErrorList
			if !errors.As(err, &list) || e != nil {
				t.Fatalf("Parse = %v, %v; want an ErrorList", e, err)
			}
			if len(list) != 1 || !strings.Contains(list[0].Error(), tc.want) || list[0].Line < 1 {
				t.Errorf("errors:\n%v\nwant one with a line, containing %q", err, tc.want)
			}
		})
	}
}

func TestLineError(t *testing.T) {
	l := ErrorList{{Line: 3, Msg: "a"}, {Line: 12, Msg: "b"}}
	if got, want := l.Error(), "line 3: a\nline 12: b"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// TestEndInvalid checks End does not invent an instant for a bad edition.
func TestEndInvalid(t *testing.T) {
	e := &Edition{TimeZone: "Europe/Paris", Hackathon: Weekend{Starts: "soon", Ends: "later"}, AccompanimentMonths: 12}
	if got := e.End(); !got.IsZero() {
		t.Errorf("End() = %v, want the zero Time", got)
	}
	e.Hackathon = Weekend{Starts: "2027-03-05 18:00", Ends: "2027-03-07 18:00"}
	if got, want := e.End(), time.Date(2028, 3, 7, 17, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("End() = %v, want %v", got, want)
	}
}
