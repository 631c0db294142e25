package edition

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	for _, tc := range []struct {
		in      string
		wantErr bool
	}{
		{"2027-03-07", false},
		{"2028-02-29", false}, // leap year
		{"2027-02-29", true},  // not a leap year
		{"2027-13-01", true},
		{"2027-3-7", true}, // one spelling only, so equal dates are equal strings
		{"2027-03-07T00:00", true},
		{"07/03/2027", true},
		{"", true},
	} {
		d, err := ParseDate(tc.in)
		if (err != nil) != tc.wantErr {
			t.Errorf("ParseDate(%q) = %q, %v; want error %v", tc.in, d, err, tc.wantErr)
		}
		if err == nil && string(d) != tc.in {
			t.Errorf("ParseDate(%q) = %q", tc.in, d)
		}
	}
}

func TestDateArithmetic(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  Date
		want Date
	}{
		{"AddDays within month", Date("2027-03-07").AddDays(14), "2027-03-21"},
		{"AddDays across year", Date("2027-12-25").AddDays(10), "2028-01-04"},
		{"AddDays negative", Date("2027-03-01").AddDays(-1), "2027-02-28"},
		{"AddDays zero", Date("2027-03-07").AddDays(0), "2027-03-07"},
		{"AddDays leap day", Date("2028-02-28").AddDays(1), "2028-02-29"},
		{"AddMonths simple", Date("2027-03-07").AddMonths(2), "2027-05-07"},
		{"AddMonths across year", Date("2027-03-07").AddMonths(12), "2028-03-07"},
		{"AddMonths overflow normalises", Date("2027-01-31").AddMonths(1), "2027-03-03"},
		{"AddMonths overflow leap year", Date("2028-01-31").AddMonths(1), "2028-03-02"},
		{"AddMonths negative", Date("2027-03-07").AddMonths(-3), "2026-12-07"},
		{"invalid AddDays", Date("2027-02-30").AddDays(1), ""},
		{"invalid AddMonths", Date("tomorrow").AddMonths(1), ""},
		{"DateOf own location", DateOf(time.Date(2027, 3, 5, 23, 30, 0, 0, time.FixedZone("X", -5*3600))), "2027-03-05"},
		{"DateOf UTC", DateOf(time.Date(2027, 3, 5, 23, 30, 0, 0, time.UTC)), "2027-03-05"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}

func TestDateTime(t *testing.T) {
	if got, want := Date("2027-03-07").Time(), time.Date(2027, 3, 7, 0, 0, 0, 0, time.UTC); !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("Time() = %v, want %v", got, want)
	}
	if got := Date("2027-03-32").Time(); !got.IsZero() {
		t.Errorf("Time() of an invalid date = %v, want the zero Time", got)
	}
}
