package edition

import (
	"strings"
	"testing"
	"time"
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func TestNewZoneParis(t *testing.T) {
	z, err := NewZone("Europe/Paris", utc("2027-01-01T00:00:00Z"), utc("2029-01-01T00:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Offset{
		{utc("2027-01-01T00:00:00Z"), 3600},
		{utc("2027-03-28T01:00:00Z"), 7200}, // 02:00 CET becomes 03:00 CEST
		{utc("2027-10-31T01:00:00Z"), 3600}, // 03:00 CEST becomes 02:00 CET
		{utc("2028-03-26T01:00:00Z"), 7200},
		{utc("2028-10-29T01:00:00Z"), 3600},
	}
	if z.Name != "Europe/Paris" || len(z.Offsets) != len(want) {
		t.Fatalf("NewZone = %+v, want %d offsets", z, len(want))
	}
	for i, o := range z.Offsets {
		if !o.From.Equal(want[i].From) || o.Seconds != want[i].Seconds {
			t.Errorf("offset %d = %v %d, want %v %d", i, o.From, o.Seconds, want[i].From, want[i].Seconds)
		}
	}
}

func TestNewZoneWithoutDST(t *testing.T) {
	for _, tc := range []struct {
		name    string
		seconds int
	}{
		{"Africa/Tunis", 3600},
		{"Asia/Kolkata", 5*3600 + 1800},
		{"UTC", 0},
	} {
		z, err := NewZone(tc.name, utc("2026-01-01T00:00:00Z"), utc("2031-01-01T00:00:00Z"))
		if err != nil {
			t.Fatal(err)
		}
		if len(z.Offsets) != 1 || z.Offsets[0].Seconds != tc.seconds {
			t.Errorf("NewZone(%s) offsets = %+v, want one of %d s", tc.name, z.Offsets, tc.seconds)
		}
	}
}

// TestNewZoneMergesSameOffset uses Libya's 2013 switch from CEST to EET,
// both UTC+2: only the abbreviation changed, so it is not an offset change.
func TestNewZoneMergesSameOffset(t *testing.T) {
	z, err := NewZone("Africa/Tripoli", utc("2013-01-01T00:00:00Z"), utc("2014-01-01T00:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	if len(z.Offsets) != 2 || z.Offsets[0].Seconds != 3600 || z.Offsets[1].Seconds != 7200 {
		t.Errorf("offsets = %+v, want CET then UTC+2 for the rest of the year", z.Offsets)
	}
}

func TestNewZoneErrors(t *testing.T) {
	from, to := utc("2027-01-01T00:00:00Z"), utc("2028-01-01T00:00:00Z")
	for _, tc := range []struct {
		name     string
		from, to time.Time
		want     string
	}{
		{"Europe/Pariss", from, to, `unknown time zone "Europe/Pariss"`},
		{"", from, to, "time zone is required"},
		{"Local", from, to, `"Local" depends on the machine`},
		{"Europe/Paris", to, from, "before it starts"},
	} {
		if _, err := NewZone(tc.name, tc.from, tc.to); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewZone(%q) error = %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
}

// TestZoneAgreesWithLoadLocation compares the pure arithmetic of At and
// DateOf with the time package for every day of 2027 and 2028, including
// zones with half-hour offsets and a half-hour DST shift (Lord Howe).
func TestZoneAgreesWithLoadLocation(t *testing.T) {
	for _, name := range []string{"Europe/Paris", "Africa/Tunis", "America/New_York", "Australia/Lord_Howe", "America/St_Johns"} {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		z, err := NewZone(name, utc("2026-06-01T00:00:00Z"), utc("2029-06-01T00:00:00Z"))
		if err != nil {
			t.Fatal(err)
		}
		for d := Date("2027-01-01"); d < "2029-01-01"; d = d.AddDays(1) {
			y, m, day := d.Time().Date()
			for _, hm := range [][2]int{{9, 0}, {0, 0}, {23, 59}, {12, 30}} {
				want := time.Date(y, m, day, hm[0], hm[1], 0, 0, loc)
				if got := z.At(d, hm[0], hm[1]); !got.Equal(want) {
					t.Fatalf("%s: At(%s, %02d:%02d) = %v, want %v", name, d, hm[0], hm[1], got, want.UTC())
				}
				if got := z.DateOf(want); got != d {
					t.Fatalf("%s: DateOf(%v) = %s, want %s", name, want.UTC(), got, d)
				}
			}
			// One second before local midnight is still the day before.
			midnight := time.Date(y, m, day, 0, 0, 0, 0, loc)
			if got, want := z.DateOf(midnight.Add(-time.Second)), d.AddDays(-1); got != want {
				t.Fatalf("%s: DateOf(%v) = %s, want %s", name, midnight.Add(-time.Second).UTC(), got, want)
			}
		}
	}
}

// TestZoneAtAroundChanges pins the documented choice in a gap and an overlap.
func TestZoneAtAroundChanges(t *testing.T) {
	z, err := NewZone("Europe/Paris", utc("2027-01-01T00:00:00Z"), utc("2028-01-01T00:00:00Z"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		d            Date
		hour, minute int
		want         string
	}{
		{"2027-03-28", 1, 59, "2027-03-28T00:59:00Z"}, // CET, just before the gap
		{"2027-03-28", 2, 0, "2027-03-28T01:00:00Z"},  // gap: read as CET, i.e. 03:00 CEST
		{"2027-03-28", 2, 30, "2027-03-28T01:30:00Z"}, // gap: 03:30 CEST
		{"2027-03-28", 3, 0, "2027-03-28T01:00:00Z"},  // CEST, first instant after the gap
		{"2027-10-31", 1, 59, "2027-10-30T23:59:00Z"}, // CEST
		{"2027-10-31", 2, 0, "2027-10-31T00:00:00Z"},  // overlap: the earlier, CEST
		{"2027-10-31", 2, 30, "2027-10-31T00:30:00Z"}, // overlap: the earlier, CEST
		{"2027-10-31", 3, 0, "2027-10-31T02:00:00Z"},  // CET, after the overlap
		{"2026-07-01", 9, 0, "2026-07-01T08:00:00Z"},  // before the first From: its offset (CET) applies
	} {
		if got := z.At(tc.d, tc.hour, tc.minute); !got.Equal(utc(tc.want)) {
			t.Errorf("At(%s, %02d:%02d) = %v, want %s", tc.d, tc.hour, tc.minute, got, tc.want)
		}
	}
	for _, tc := range []struct {
		t    string
		want Date
	}{
		{"2027-03-27T22:59:59Z", "2027-03-27"}, // 23:59:59 CET
		{"2027-03-27T23:00:00Z", "2027-03-28"}, // 00:00 CET
		{"2027-10-30T21:59:59Z", "2027-10-30"}, // 23:59:59 CEST
		{"2027-10-30T22:00:00Z", "2027-10-31"}, // 00:00 CEST
		{"2027-10-31T23:00:00Z", "2027-11-01"}, // 00:00 CET
	} {
		if got := z.DateOf(utc(tc.t)); got != tc.want {
			t.Errorf("DateOf(%s) = %s, want %s", tc.t, got, tc.want)
		}
	}
}

func TestEmptyZoneIsUTC(t *testing.T) {
	var z Zone
	if got, want := z.At("2027-03-05", 18, 0), utc("2027-03-05T18:00:00Z"); !got.Equal(want) {
		t.Errorf("At = %v, want %v", got, want)
	}
	if got := z.DateOf(utc("2027-03-05T23:59:59Z")); got != "2027-03-05" {
		t.Errorf("DateOf = %s", got)
	}
}
