package edition

import (
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/codecitoyen/suivi/internal/validate"
)

// parseErrors parses src and returns its problems, failing the test if it
// was accepted.
func parseErrors(t *testing.T, src []byte) ErrorList {
	t.Helper()
	e, err := Parse(src)
	var list ErrorList
	if !errors.As(err, &list) || e != nil {
		t.Fatalf("Parse = %v, %v; want an ErrorList", e, err)
	}
	return list
}

// wantOne checks list holds exactly one problem, at line (0: any), whose
// message contains every want.
func wantOne(t *testing.T, list ErrorList, line int, want ...string) {
	t.Helper()
	if len(list) != 1 || line != 0 && list[0].Line != line {
		t.Fatalf("errors:\n%v\nwant exactly one, at line %d", list, line)
	}
	for _, w := range want {
		if !strings.Contains(list[0].Error(), w) {
			t.Errorf("error %q does not contain %q", list[0].Error(), w)
		}
	}
}

func TestParseRefusesAliases(t *testing.T) {
	for _, tc := range []struct {
		name, old, new string
		line           int
	}{
		{"anchor on a scalar", "time_zone: Europe/Paris\ncall", "time_zone: &tz Europe/Paris\ncall", 3},
		{"anchor on a mapping", "name: {fr: Nuit 2027, en: Night 2027}", "name: &n {fr: Nuit 2027, en: Night 2027}", 2},
		{"anchor on a key", "accompaniment_months: 12", "&k accompaniment_months: 12", 10},
		{"alias", "    time_zone: Europe/Paris", "    time_zone: *tz", 16},
		{"merge key", "  - name: Lyon\n", "  - <<: *city\n    name: Lyon\n", 15},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := mutate(t, minimal, tc.old, tc.new)
			if tc.name == "alias" || tc.name == "merge key" {
				// Give the alias an anchor, or it is refused for that.
				src = mutate(t, src, "time_zone: Europe/Paris\ncall", "time_zone: &tz Europe/Paris\ncall")
				src = strings.Replace(src, "*city", "*tz", 1)
				tc.line = 3 // the anchor comes first
			}
			wantOne(t, parseErrors(t, []byte(src)), tc.line, "YAML anchors and aliases (&a, *a) are not allowed in an edition file; write the value out")
		})
	}
	t.Run("alias without anchor", func(t *testing.T) {
		src := mutate(t, minimal, "    time_zone: Europe/Paris", "    time_zone: *"+strings.Repeat("z", 100_000))
		list := parseErrors(t, []byte(src))
		wantOne(t, list, 16, "YAML anchors and aliases")
		if len(list.Error()) > 200 {
			t.Errorf("the error repeats the alias: %d bytes", len(list.Error()))
		}
	})
	t.Run("ampersand and star inside values", func(t *testing.T) {
		src := mutate(t, minimal, "en: Rural life", "en: R&D *and* rural life")
		if _, err := Parse([]byte(src)); err != nil {
			t.Errorf("& and * inside a value are not anchors: %v", err)
		}
	})
}

// aliasBomb is 58 KB: 2,000 cities, each an alias of one whose 10,000
// coordinators are each an alias. Decoding it expands to 20 million
// addresses, which took 23 s and 2.7 GB before aliases were refused.
func aliasBomb() []byte {
	var b strings.Builder
	b.WriteString(minimal[:strings.Index(minimal, "cities:")])
	b.WriteString("coordinator: &e coordination-lyon@nuitducodecitoyen.example\n")
	b.WriteString("cities:\n  - &city\n    name: Lyon\n    time_zone: Europe/Paris\n    coordinators: [")
	b.WriteString(strings.Repeat("*e, ", 9_999) + "*e]\n")
	b.WriteString(strings.Repeat("  - *city\n", 1_999))
	b.WriteString(minimal[strings.Index(minimal, "milestones:"):])
	return []byte(b.String())
}

func TestParseAliasBombIsCheap(t *testing.T) {
	bomb := aliasBomb()
	if len(bomb) < 50_000 || len(bomb) > MaxFileSize {
		t.Fatalf("the bomb is %d bytes; want about 58 KB, under MaxFileSize", len(bomb))
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	list := parseErrors(t, bomb)
	runtime.ReadMemStats(&after)
	// Parsing 58 KB into a node tree takes a few MB; expanding the aliases
	// took gigabytes.
	if n := after.TotalAlloc - before.TotalAlloc; n > 50<<20 {
		t.Errorf("refusing the bomb allocated %d MB, want under 50 MB", n>>20)
	}
	wantOne(t, list, 14, "YAML anchors and aliases (&a, *a) are not allowed")
}

// padded returns minimal followed by comment lines up to size bytes.
func padded(size int) []byte {
	b := []byte(minimal)
	for len(b) < size {
		line := "# " + strings.Repeat("x", min(100, size-len(b)-3)) + "\n"
		b = append(b, line[:min(len(line), size-len(b))]...)
	}
	return b
}

func TestParseFileSize(t *testing.T) {
	if _, err := Parse(padded(MaxFileSize)); err != nil {
		t.Errorf("a file of exactly MaxFileSize: %v", err)
	}
	wantOne(t, parseErrors(t, padded(MaxFileSize+1)), 0, "the file is 257 KiB; an edition file is at most 256 KiB")
	wantOne(t, parseErrors(t, padded(10<<20)), 0, "the file is 10240 KiB; an edition file is at most 256 KiB")
}

func TestParseBinary(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  []byte
		line int
		want string
	}{
		{"PNG", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), 1, "not a text file: byte 0 is not UTF-8 text; an edition file is YAML text"},
		{"NUL", []byte("id: ncc-2027\nname:\x00 x\n"), 2, "not a text file: byte 18 is not UTF-8 text"},
		{"only NULs", make([]byte, 64), 1, "not a text file: byte 0 is not UTF-8 text"},
		{"Latin-1", []byte(minimal[:30] + "\xe9" + minimal[30:]), 2, "not a text file: byte 30 is not UTF-8 text"},
		{"UTF-16", []byte("\xff\xfei\x00d\x00:\x00"), 1, "the file is UTF-16 text; save it as UTF-8"},
		{"control character", []byte("id: ncc-2027\nname: a\x01b\n"), 2, "byte 20 is the control character U+0001, which a YAML file cannot hold: remove it"},
		{"C1 control", []byte("id: ncc-2027\n\nname: a\u009bb\n"), 3, "byte 21 is the control character U+009B"},
		{"DEL", []byte("id: ncc-2027\x7f\n"), 1, "byte 12 is the control character U+007F"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantOne(t, parseErrors(t, tc.src), tc.line, tc.want)
		})
	}
	for _, src := range []string{"", "   \n\n", "# nothing yet\n", "\ufeff"} {
		wantOne(t, parseErrors(t, []byte(src)), 1, "the file is empty")
	}
}

// repeat returns n copies of the YAML list entry f(i).
func repeat(n int, f func(i int) string) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(f(i))
	}
	return b.String()
}

func TestParseListLimits(t *testing.T) {
	// minimal has one of each already, so adding max entries makes one too
	// many, and adding max-1 makes exactly max.
	for _, tc := range []struct {
		name, at string
		max      int
		entry    func(i int) string
		line     int
		want     string
	}{
		{"themes", "themes:\n", MaxThemes, func(i int) string { return fmt.Sprintf("  - {id: theme-%d, title: {fr: T, en: T}}\n", i) },
			12, "line 12: themes has 31 entries; an edition has at most 30 themes: remove some"},
		{"cities", "cities:\n", MaxCities, func(i int) string { return fmt.Sprintf("  - {name: City %d, time_zone: Europe/Paris}\n", i) },
			15, "line 15: cities has 51 entries; an edition has at most 50 cities"},
		{"coordinators", "coordinators: [", MaxCoordinators, func(i int) string { return fmt.Sprintf("c%d@example.org, ", i) },
			18, "line 18: cities.coordinators has 21 entries; a city has at most 20 coordinators"},
		{"milestones", "milestones:\n", MaxMilestones, func(i int) string {
			return fmt.Sprintf("  - {id: step-%d, title: {fr: E, en: S}, due: \"+%dd\", evidence: none}\n", i, i)
		}, 20, "line 20: milestones has 41 entries; an edition has at most 40 milestones"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := mutate(t, minimal, tc.at, tc.at+repeat(tc.max, tc.entry))
			wantOne(t, parseErrors(t, []byte(src)), tc.line, tc.want)
			src = mutate(t, minimal, tc.at, tc.at+repeat(tc.max-1, tc.entry))
			if _, err := Parse([]byte(src)); err != nil {
				t.Errorf("at the limit: %v", err)
			}
		})
	}
}

func TestParseStringLimits(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	for _, tc := range []struct {
		name, old, new string
		want           string
	}{
		{"id", "id: ncc-2027", "id: " + long(MaxIDLength+1), "line 1: id \"aaaa"},
		{"milestone id", "id: demo", "id: " + long(MaxIDLength+1), "line 20: milestone id \"aaa"},
		{"name", "en: Night 2027", "en: " + long(MaxTitleLength+1), "line 2: name.en is 201 characters long; the limit is 200"},
		{"title in emoji", "en: Rural life", "en: " + strings.Repeat("🌾", MaxTitleLength+1), "line 13: theme ruralite: title.en is 201 characters long; the limit is 200"},
		{"city name", "name: Lyon", "name: " + long(MaxCityNameLength+1), "line 15: city name is 101 characters long; the limit is 100"},
		{"time zone", "time_zone: Europe/Paris\ncall", "time_zone: " + long(MaxTimeZoneLength+1) + "\ncall", "line 3: time zone \"aaaa"},
		{"meetup", "meetup: first tuesday 19:00", "meetup: first tuesday " + long(MaxMeetupLength) + " 19:00", "line 17: city Lyon: meetup rule \"first tuesday aaaa"},
		{"email", "[coordination-lyon@nuitducodecitoyen.example]", "[" + long(MaxEmailLength) + "@example.org]", "line 18: city Lyon: coordinator email address \"aaaa"},
		{"due with leading zeros", `due: "+0d"`, `due: "+` + strings.Repeat("0", MaxDueLength) + `1d"`, "line 22: milestone demo: due \"+0000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list := parseErrors(t, []byte(mutate(t, minimal, tc.old, tc.new)))
			wantOne(t, list, 0, tc.want)
			limit := map[string]int{"id": MaxIDLength, "milestone id": MaxIDLength, "time zone": MaxTimeZoneLength, "meetup": MaxMeetupLength, "email": MaxEmailLength, "due with leading zeros": MaxDueLength}
			if n, ok := limit[tc.name]; ok && !strings.Contains(list[0].Msg, fmt.Sprint(n)) {
				t.Errorf("error %q does not name the limit %d", list[0].Msg, n)
			}
		})
	}
}

func TestParseDateSpan(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit [][2]string
		want string
	}{
		{"hackathon in 9999", [][2]string{{`starts: "2027-03-05 18:00"`, `starts: "9999-03-05 18:00"`}, {`ends: "2027-03-07 18:00"`, `ends: "9999-03-07 18:00"`}},
			"hackathon.starts: year 9999 is out of range: an edition's dates are between 2000 and 2100"},
		{"call in 1999", [][2]string{{"opens: 2026-11-01", "opens: 1999-11-01"}}, "line 5: call_for_projects.opens: year 1999 is out of range"},
		{"hackathon of a year", [][2]string{{`ends: "2027-03-07 18:00"`, `ends: "2028-03-07 18:00"`}}, "line 9: hackathon ends (2028-03-07 18:00) more than 14 days after it starts (2027-03-05 18:00)"},
		{"relative due after the accompaniment", [][2]string{{`due: "+0d"`, `due: "+3000d"`}},
			"line 22: milestone demo: due +3000d falls on 2035-05-24, after the accompaniment ends on 2028-03-07"},
		{"absolute due after the accompaniment", [][2]string{{`due: "+0d"`, `due: 2028-03-08`}},
			"line 22: milestone demo: due 2028-03-08 is after the accompaniment ends on 2028-03-07"},
		{"due far too large", [][2]string{{`due: "+0d"`, `due: "+100000w"`}}, `line 22: milestone demo: due "+100000w" is too large: at most 521 weeks`},
		{"due of 25 digits", [][2]string{{`due: "+0d"`, `due: "+9999999999999999999999999d"`}}, "is too large: at most 3650 days"},
		{"months out of range", [][2]string{{"accompaniment_months: 12", "accompaniment_months: 99999999999"}}, "line 10: accompaniment_months must be between 1 and 60, not 99999999999"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := minimal
			for _, e := range tc.edit {
				src = mutate(t, src, e[0], e[1])
			}
			list := parseErrors(t, []byte(src))
			if !strings.Contains(list.Error(), tc.want) {
				t.Errorf("errors:\n%v\nwant one containing %q", list, tc.want)
			}
		})
	}
	// The last day of the accompaniment is still in it.
	if _, err := Parse([]byte(mutate(t, minimal, `due: "+0d"`, `due: "+12m"`))); err != nil {
		t.Errorf("due on the accompaniment's last day: %v", err)
	}
	if _, err := Parse([]byte(mutate(t, minimal, `due: "+0d"`, `due: 2028-03-07`))); err != nil {
		t.Errorf("due on the accompaniment's last day: %v", err)
	}
}

// TestErrorsDoNotEchoHugeValues puts a 100,000-character value in each
// field, and a 10 MB one in each function that reads a value: no error may
// repeat it whole.
func TestErrorsDoNotEchoHugeValues(t *testing.T) {
	huge := strings.Repeat("x", 100_000)
	check := func(t *testing.T, what string, err error) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: accepted", what)
			return
		}
		for _, line := range strings.Split(err.Error(), "\n") {
			if len(line) > 600 || strings.Contains(line, strings.Repeat("x", validate.QuoteLimit+1)) {
				t.Errorf("%s: an error of %d bytes repeats the value: %.100s…", what, len(line), line)
			}
		}
	}
	for _, tc := range [][2]string{
		{"id: ncc-2027", "id: " + huge},
		{"en: Night 2027", "en: " + huge},
		{"time_zone: Europe/Paris\ncall", "time_zone: " + huge + "\ncall"},
		{"opens: 2026-11-01", "opens: " + huge},
		{`starts: "2027-03-05 18:00"`, "starts: " + huge},
		{"accompaniment_months: 12", "accompaniment_months: " + huge},
		{"id: ruralite", "id: " + huge},
		{"name: Lyon", "name: " + huge},
		{"    time_zone: Europe/Paris", "    time_zone: " + huge},
		{"meetup: first tuesday 19:00", "meetup: " + huge},
		{"meetup: first tuesday 19:00", "meetup: first " + huge + " 19:00"},
		{"[coordination-lyon@nuitducodecitoyen.example]", "[" + huge + "]"},
		{"[coordination-lyon@nuitducodecitoyen.example]", "[" + huge + "@example.org]"},
		{"id: demo", "id: " + huge},
		{`due: "+0d"`, "due: " + huge},
		{`due: "+0d"`, "due: +" + huge + "d"},
		{"evidence: url", "evidence: " + huge},
		{"evidence: url", "evidence: url\n    optional: " + huge},
		{"themes:\n", huge + ": 1\nthemes:\n"},
		{"name: {fr: Nuit 2027, en: Night 2027}", "name: " + huge},
	} {
		_, err := Parse([]byte(mutate(t, minimal, tc[0], tc[1])))
		check(t, tc[1][:min(len(tc[1]), 30)], err)
	}

	tenMB := strings.Repeat("x", 10<<20)
	_, err := ParseDate(tenMB)
	check(t, "ParseDate", err)
	_, err = parseWall(tenMB)
	check(t, "parseWall", err)
	_, err = ParseRule(tenMB)
	check(t, "ParseRule", err)
	_, err = ParseRule("first " + tenMB[:60] + " 19:00")
	check(t, "ParseRule weekday", err)
	_, err = parseDue(tenMB)
	check(t, "parseDue", err)
	_, err = NewZone(tenMB, utc("2027-01-01T00:00:00Z"), utc("2028-01-01T00:00:00Z"))
	check(t, "NewZone", err)
	_, err = NewZone(tenMB[:60], utc("2027-01-01T00:00:00Z"), utc("2028-01-01T00:00:00Z"))
	check(t, "NewZone short", err)
	_, err = parseExample(t).Snapshot(tenMB)
	check(t, "Snapshot", err)
	check(t, "Parse", func() error { _, err := Parse([]byte(tenMB)); return err }())
}

func TestParseRefusesBidiAndControls(t *testing.T) {
	for _, tc := range []struct{ name, old, new, want string }{
		{"title", "en: Rural life", "en: \"Rural \u202elife\"", "line 13: theme ruralite: title.en contains the invisible bidirectional formatting character U+202E"},
		{"name", "en: Night 2027", "en: \"Night \u2066 2027\"", "line 2: name.en contains the invisible bidirectional formatting character U+2066"},
		{"city", "name: Lyon", "name: \"Ly\u200fon\"", "line 15: city name contains the invisible bidirectional formatting character U+200F"},
		{"coordinator", "[coordination-lyon@nuitducodecitoyen.example]", "[\"\u202ecoordination@example.org\"]", `line 18: city Lyon: coordinator email address "\u202ecoordination@example.org" contains control or bidirectional formatting characters`},
		{"escape in a title", "en: Rural life", `en: "Rural \e[2K life"`, "line 13: theme ruralite: title.en contains control characters"},
		{"label of a bad city", "meetup: first tuesday 19:00", "meetup: every day", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := mutate(t, minimal, tc.old, tc.new)
			if tc.name == "label of a bad city" {
				// A refused name still labels the city's other problems,
				// escaped rather than raw.
				src = mutate(t, src, "name: Lyon", "name: \"Ly\u202eon\"")
				list := parseErrors(t, []byte(src))
				if len(list) != 2 || strings.ContainsRune(list.Error(), '\u202e') || !strings.Contains(list[1].Msg, `city "Ly\u202eon": meetup rule`) {
					t.Errorf("errors:\n%v\nwant the name escaped", list)
				}
				return
			}
			wantOne(t, parseErrors(t, []byte(src)), 0, tc.want)
		})
	}
}

func TestParseDuplicateCities(t *testing.T) {
	for _, other := range []string{"LYON", "lyon", "Lyon "} {
		src := mutate(t, minimal, "milestones:\n", "  - {name: \""+other+"\", time_zone: Europe/Paris}\nmilestones:\n")
		wantOne(t, parseErrors(t, []byte(src)), 19, "duplicate city", "(first at line 15)")
	}
	// Names Edition.City or CitySlug cannot tell apart.
	for _, pair := range [][2]string{{"Saint Denis", "saint-denis"}, {"σ", "ς"}} {
		src := mutate(t, minimal, "name: Lyon", "name: "+pair[0])
		src = mutate(t, src, "milestones:\n", "  - {name: "+pair[1]+", time_zone: Europe/Paris}\nmilestones:\n")
		wantOne(t, parseErrors(t, []byte(src)), 19, "duplicate city")
	}
}

func TestParseCapsErrors(t *testing.T) {
	src := mutate(t, minimal, "themes:\n", repeat(500, func(i int) string { return fmt.Sprintf("colour-%d: blue\n", i) })+"themes:\n")
	list := parseErrors(t, []byte(src))
	if len(list) != MaxErrors+1 || list[MaxErrors-1].Line != MaxErrors+10 {
		t.Fatalf("got %d errors, the last at line %d; want %d and a summary", len(list), list[len(list)-2].Line, MaxErrors)
	}
	if got := list[MaxErrors].Error(); got != "and 400 more problems: fix these first, then check the file again" {
		t.Errorf("summary = %q", got)
	}
}

// maxEdition writes an edition with every list full and every string at
// its longest, its titles made of title (one character, repeated).
// Snapshots hold one city, so only the first city has the longest name and
// the most coordinators (all of them would not fit in MaxFileSize).
func maxEdition(title, zone string) string {
	long := func(c string, n int) string { return "'" + strings.Repeat(c, n) + "'" }
	t := long(title, MaxTitleLength)
	id := func(prefix string, i int) string {
		s := fmt.Sprintf("%s-%d-", prefix, i)
		return s + strings.Repeat("a", MaxIDLength-len(s))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "id: %s\nname: {fr: %s, en: %s}\ntime_zone: %s\n", id("edition", 0), t, t, zone)
	fmt.Fprintf(&b, "call_for_projects: {opens: 2026-11-01, closes: 2027-02-14}\n")
	fmt.Fprintf(&b, "hackathon: {starts: \"2027-03-05 18:00\", ends: \"2027-03-19 18:00\"}\n")
	fmt.Fprintf(&b, "accompaniment_months: %d\nthemes:\n", MaxAccompanimentMonths)
	b.WriteString(repeat(MaxThemes, func(i int) string {
		return fmt.Sprintf("  - {id: %s, title: {fr: %s, en: %s}}\n", id("theme", i), t, t)
	}))
	b.WriteString("cities:\n")
	// The longest address: 254 bytes, escaped to 6 bytes each by JSON.
	addr := strings.Repeat("&", 200) + "@" + strings.Repeat("&", MaxEmailLength-205) + ".org"
	b.WriteString(repeat(MaxCities, func(i int) string {
		if i > 0 {
			return fmt.Sprintf("  - {name: City %d, time_zone: %s, meetup: last wednesday 19:00}\n", i, zone)
		}
		return fmt.Sprintf("  - name: %s\n    time_zone: %s\n    meetup: troisième mercredi à 19h00\n    coordinators: [%s]\n",
			long("<", MaxCityNameLength), zone, strings.TrimSuffix(repeat(MaxCoordinators, func(int) string { return "'" + addr + "', " }), ", "))
	}))
	b.WriteString("milestones:\n")
	b.WriteString(repeat(MaxMilestones, func(i int) string {
		return fmt.Sprintf("  - {id: %s, title: {fr: %s, en: %s}, due: \"+%dm\", evidence: repository, optional: true}\n",
			id("milestone", i), t, t, MaxAccompanimentMonths*i/MaxMilestones)
	}))
	return b.String()
}

// TestSnapshotAtEveryMaximum checks MaxSnapshotBytes holds for the largest
// edition Parse accepts: titles of "<" (6 bytes of JSON each) or of 4-byte
// characters, in the zones with the most clock changes, in every year.
func TestSnapshotAtEveryMaximum(t *testing.T) {
	largest := 0
	for _, title := range []string{"<", "🌾", "é"} {
		for _, zone := range []string{"Europe/Paris", "Africa/Casablanca", "America/Santiago", "Australia/Lord_Howe"} {
			src := maxEdition(title, zone)
			if len(src) > MaxFileSize {
				t.Fatalf("the largest edition is %d bytes, over MaxFileSize", len(src))
			}
			e, err := Parse([]byte(src))
			if err != nil {
				t.Fatalf("the largest edition (%s, %s) is refused:\n%v", title, zone, err)
			}
			city := e.Cities[0].Name
			// Move the hackathon through the years: the zone's clock
			// changes differ (Morocco's follow Ramadan).
			for year := MinYear; year <= MaxYear; year++ {
				e.Hackathon.Starts = fmt.Sprintf("%d-03-05 18:00", year)
				e.Hackathon.Ends = fmt.Sprintf("%d-03-19 18:00", year)
				s, err := e.Snapshot(city)
				if err != nil {
					t.Fatal(err)
				}
				b, err := json.Marshal(s)
				if err != nil {
					t.Fatal(err)
				}
				largest = max(largest, len(b))
			}
		}
	}
	t.Logf("largest snapshot: %d bytes (%.1f KiB); MaxSnapshotBytes is %d KiB", largest, float64(largest)/1024, MaxSnapshotBytes>>10)
	if largest > MaxSnapshotBytes {
		t.Errorf("a snapshot of %d bytes exceeds MaxSnapshotBytes (%d)", largest, MaxSnapshotBytes)
	}
	// A bound far above what the largest edition gives would say nothing.
	if largest < MaxSnapshotBytes*3/4 {
		t.Errorf("the largest snapshot is %d bytes, far under MaxSnapshotBytes (%d): is the edition really at every maximum?", largest, MaxSnapshotBytes)
	}
}

// TestMaxIDLengthIsSlugs keeps MaxIDLength equal to validate.Slug's limit.
func TestMaxIDLengthIsSlugs(t *testing.T) {
	if validate.Slug("id", strings.Repeat("a", MaxIDLength)) != nil || validate.Slug("id", strings.Repeat("a", MaxIDLength+1)) == nil {
		t.Errorf("validate.Slug no longer accepts exactly %d characters", MaxIDLength)
	}
}

// TestParseWorstShapesAreBounded parses files of MaxFileSize shaped to
// make the most nodes, keys, errors or nesting: each stays a few tens of MB
// of allocation, since nothing Parse does grows faster than the file.
func TestParseWorstShapesAreBounded(t *testing.T) {
	blockNest := func() string {
		var b strings.Builder
		for i := 0; b.Len() < MaxFileSize-1000; i++ {
			b.WriteString(strings.Repeat(" ", i) + "a:\n")
		}
		return b.String()
	}
	for name, src := range map[string]string{
		"flow list of 130,000 cities": "cities: [" + strings.Repeat("a,", MaxFileSize/2-10) + "a]",
		"block list of 65,000 themes": "themes:\n" + strings.Repeat("- a\n", MaxFileSize/4-10),
		"52,000 repeated keys":        strings.Repeat("k: 1\n", MaxFileSize/5-10),
		"one long value":              "id: " + strings.Repeat("x", MaxFileSize-10),
		"nested flow lists":           strings.Repeat("[", 9000) + strings.Repeat("]", 9000),
		"nested flow mappings":        strings.Repeat("{a: ", 9000) + "1" + strings.Repeat("}", 9000),
		"nested block mappings":       blockNest(),
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := Parse([]byte(src))
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 100<<20 {
			t.Errorf("%s: parsing %d bytes allocated %d MB", name, len(src), n>>20)
		}
	}
}

// hostileYAML are files made to hurt a YAML parser, each with what Parse
// must answer: the classic billion laughs, nesting far past yaml.v3's own
// depth limit, scalars as large as a file may be, and files over the size
// limit. FuzzParse starts from them too.
func hostileYAML() []struct{ name, src, want string } {
	laughs := `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]` + "\n"
	for i, c := range "bcdefghi" {
		prev := string("abcdefgh"[i])
		laughs += fmt.Sprintf("%c: &%c [%s]\n", c, c, strings.TrimSuffix(strings.Repeat("*"+prev+",", 9), ","))
	}
	const depth = "nested more than 10000 levels deep; an edition nests four at most"
	return []struct{ name, src, want string }{
		{"billion laughs", laughs, "line 1: " + anchorMsg},
		{"billion laughs in an edition", string(aliasBomb()), "line 14: " + anchorMsg},
		{"100,000 [", strings.Repeat("[", 100_000), depth},
		{"100,000 [ closed", strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000), depth},
		{"60,000 {a:", strings.Repeat("{a: ", 60_000), depth},
		{"100,000 block lists", strings.Repeat("- ", 100_000) + "x", depth},
		{"nesting under a key", "id: ncc-2027\ncities: " + strings.Repeat("[", 20_000), depth},
		{"huge plain scalar", "id: " + strings.Repeat("x", MaxFileSize-4), `line 1: id "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"… (262140 characters) is not a valid slug`},
		{"huge quoted scalar", `id: "` + strings.Repeat(`\u00e9`, MaxFileSize/6-2) + `"`, "(43688 characters) is not a valid slug"},
		{"huge block scalar", "id: |\n" + strings.Repeat("  "+strings.Repeat("x", 98)+"\n", MaxFileSize/101), "is not a valid slug"},
		// YAML allows implicit keys of 1,024 characters at most.
		{"huge key", strings.Repeat("k", MaxFileSize-3) + ": 1", "YAML syntax: mapping values are not allowed in this context"},
		{"one byte over the limit", string(padded(MaxFileSize + 1)), "the file is 257 KiB; an edition file is at most 256 KiB"},
		{"64 MiB", strings.Repeat("a", 64<<20), "the file is 65536 KiB; an edition file is at most 256 KiB"},
	}
}

// TestParseRefusesHostileYAMLQuickly: each hostile file is refused in well
// under a second (the bound below is loose for slow machines and the race
// detector; the billion laughs took 23 s before aliases were refused), with
// bounded allocation and a first message that says what is wrong in one
// short line.
func TestParseRefusesHostileYAMLQuickly(t *testing.T) {
	for _, tc := range hostileYAML() {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			e, err := Parse([]byte(tc.src))
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			var list ErrorList
			if e != nil || !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("Parse = %v, %v; want a refusal", e, err)
			}
			if first := list[0].Error(); !strings.Contains(first, tc.want) || strings.Contains(first, "\n") || len(first) > 300 {
				t.Errorf("first problem %q; want one short line containing %q", first, tc.want)
			}
			if took > 5*time.Second {
				t.Errorf("refusing it took %v", took)
			}
			// Beyond the file itself (the 64 MiB one is refused by its
			// size, before anything reads it).
			if n := after.TotalAlloc - before.TotalAlloc; n > 100<<20 {
				t.Errorf("refusing %d bytes allocated %d MB", len(tc.src), n>>20)
			}
		})
	}
}
