package edition

import (
	"strings"
	"testing"
	"time"
)

func TestParseRule(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Rule
	}{
		{"first tuesday 19:00", Rule{1, time.Tuesday, 19, 0}},
		{"second wednesday 18:30", Rule{2, time.Wednesday, 18, 30}},
		{"third monday 9:05", Rule{3, time.Monday, 9, 5}},
		{"fourth saturday 10:00", Rule{4, time.Saturday, 10, 0}},
		{"last friday 23:59", Rule{-1, time.Friday, 23, 59}},
		{"LAST Sunday 00:00", Rule{-1, time.Sunday, 0, 0}},
		{"  first   thursday\t19:00 ", Rule{1, time.Thursday, 19, 0}},
		{"first tuesday at 19:00", Rule{1, time.Tuesday, 19, 0}},
		{"premier mardi 19h00", Rule{1, time.Tuesday, 19, 0}},
		{"Deuxième Jeudi 18H30", Rule{2, time.Thursday, 18, 30}},
		{"deuxieme lundi 18h30", Rule{2, time.Monday, 18, 30}},
		{"troisième mercredi 19:00", Rule{3, time.Wednesday, 19, 0}},
		{"quatrième samedi 10h", Rule{4, time.Saturday, 10, 0}},
		{"dernier vendredi à 18h45", Rule{-1, time.Friday, 18, 45}},
		{"DERNIER DIMANCHE 9h30", Rule{-1, time.Sunday, 9, 30}},
	} {
		got, err := ParseRule(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseRule(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

func TestParseRuleErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "want three words"},
		{"every tuesday 19:00", `unknown ordinal "every"`},
		{"fifth monday 19:00", `unknown ordinal "fifth"`},
		{"first funday 19:00", `unknown weekday "funday"`},
		{"first tuesday", "want three words"},
		{"first tuesday 19:00 sharp", "want three words"},
		{"first tuesday 24:00", `invalid time "24:00"`},
		{"first tuesday 19:60", `invalid time "19:60"`},
		{"first tuesday 1900", `invalid time "1900"`},
		{"first tuesday 19h5", `invalid time "19h5"`},
		{"first tuesday 7pm", `invalid time "7pm"`},
		{"first tuesday -1:00", `invalid time "-1:00"`},
	} {
		_, err := ParseRule(tc.in)
		if err == nil {
			t.Errorf("ParseRule(%q) succeeded, want an error", tc.in)
			continue
		}
		// Every error shows both accepted forms.
		for _, s := range []string{tc.want, `"first tuesday 19:00"`, `"premier mardi 19h00"`} {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("ParseRule(%q) error %q does not contain %q", tc.in, err, s)
			}
		}
	}
}

func TestRuleString(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"premier mardi 19h00", "first tuesday 19:00"},
		{"dernier jeudi 18h30", "last thursday 18:30"},
		{"third monday 9:05", "third monday 09:05"},
		{"quatrième dimanche 7h", "fourth sunday 07:00"},
	} {
		r, err := ParseRule(tc.in)
		if err != nil {
			t.Fatalf("ParseRule(%q): %v", tc.in, err)
		}
		if got := r.String(); got != tc.want {
			t.Errorf("ParseRule(%q).String() = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRuleDate(t *testing.T) {
	for _, tc := range []struct {
		rule  string
		year  int
		month time.Month
		want  Date
	}{
		{"first tuesday 19:00", 2027, time.April, "2027-04-06"},
		{"last friday 19:00", 2027, time.February, "2027-02-26"},
		{"first monday 19:00", 2027, time.March, "2027-03-01"},    // the 1st itself
		{"last sunday 19:00", 2027, time.February, "2027-02-28"},  // the last day itself
		{"last tuesday 19:00", 2028, time.February, "2028-02-29"}, // leap day
		{"fourth thursday 19:00", 2027, time.November, "2027-11-25"},
		{"second wednesday 19:00", 2027, time.December, "2027-12-08"},
	} {
		r, err := ParseRule(tc.rule)
		if err != nil {
			t.Fatalf("ParseRule(%q): %v", tc.rule, err)
		}
		if got := r.Date(tc.year, tc.month); got != tc.want {
			t.Errorf("%q in %s %d = %s, want %s", tc.rule, tc.month, tc.year, got, tc.want)
		}
	}
	if got := (Rule{}).Date(2027, time.April); got != "" {
		t.Errorf("zero Rule's Date = %q, want empty", got)
	}
}

// TestRuleDateEveryMonth checks the defining properties of every rule over
// ten years, rather than trusting a handful of hand-picked dates.
func TestRuleDateEveryMonth(t *testing.T) {
	for _, ord := range []int{1, 2, 3, 4, -1} {
		for wd := time.Sunday; wd <= time.Saturday; wd++ {
			r := Rule{Ordinal: ord, Weekday: wd, Hour: 19}
			for y := 2026; y < 2036; y++ {
				for m := time.January; m <= time.December; m++ {
					d := r.Date(y, m).Time()
					daysInMonth := time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
					ok := d.Year() == y && d.Month() == m && d.Weekday() == wd
					if ord > 0 {
						ok = ok && (d.Day()-1)/7+1 == ord
					} else {
						ok = ok && d.Day()+7 > daysInMonth
					}
					if !ok {
						t.Fatalf("%s in %s %d = %s", r, m, y, r.Date(y, m))
					}
				}
			}
		}
	}
}

func FuzzParseRule(f *testing.F) {
	for _, s := range []string{
		"first tuesday 19:00", "premier mardi 19h00", "dernier vendredi à 18h45",
		"Deuxième Jeudi 18H30", "last sunday 0:00", "quatrième samedi 10h", "every tuesday", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRule(s)
		if err != nil {
			return
		}
		again, err := ParseRule(r.String())
		if err != nil || again != r {
			t.Fatalf("ParseRule(%q) = %+v, whose String %q parses to %+v, %v", s, r, r.String(), again, err)
		}
		if r.Date(2027, time.April) == "" {
			t.Fatalf("ParseRule(%q) = %+v has no date", s, r)
		}
	})
}
