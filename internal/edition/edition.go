// Package edition reads the YAML file that declares an edition of La Nuit du
// Code Citoyen (call for projects, hackathon weekend, cities, themes,
// milestones), checks it, and freezes what one program needs into a
// Snapshot that deterministic workflow code can use for years without a time
// zone database.
package edition

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/codecitoyen/suivi/internal/validate"
)

// Edition is one edition as declared in its YAML file.
type Edition struct {
	ID                  string      `yaml:"id" json:"id"`
	Name                Text        `yaml:"name" json:"name"`
	TimeZone            string      `yaml:"time_zone" json:"time_zone"` // for programs without a city
	CallForProjects     Window      `yaml:"call_for_projects" json:"call_for_projects"`
	Hackathon           Weekend     `yaml:"hackathon" json:"hackathon"`
	AccompanimentMonths int         `yaml:"accompaniment_months" json:"accompaniment_months"`
	Themes              []Theme     `yaml:"themes" json:"themes"`
	Cities              []City      `yaml:"cities" json:"cities"`
	Milestones          []Milestone `yaml:"milestones" json:"milestones"`
}

// Text is a French and English wording, because every page and email is
// bilingual.
type Text struct {
	FR string `yaml:"fr" json:"fr"`
	EN string `yaml:"en" json:"en"`
}

// Window is the call for projects, open from Opens to Closes inclusive.
type Window struct {
	Opens  Date `yaml:"opens" json:"opens"`
	Closes Date `yaml:"closes" json:"closes"`
}

// Weekend is the hackathon, as local wall times "2027-03-05 18:00" that hold
// in each city's own zone, since every city starts at the same local hour.
type Weekend struct {
	Starts string `yaml:"starts" json:"starts"`
	Ends   string `yaml:"ends" json:"ends"`
}

// Theme is one of the edition's themes, which projects pick from.
type Theme struct {
	ID    string `yaml:"id" json:"id"`
	Title Text   `yaml:"title" json:"title"`
}

// City is a host city, with the zone its times are read in and its monthly
// meetup rule.
type City struct {
	Name         string   `yaml:"name" json:"name"`
	TimeZone     string   `yaml:"time_zone" json:"time_zone"`
	Meetup       string   `yaml:"meetup" json:"meetup"`
	Coordinators []string `yaml:"coordinators" json:"coordinators"`
}

// Milestone is one step of the accompaniment template every program follows.
type Milestone struct {
	ID       string `yaml:"id" json:"id"`
	Title    Text   `yaml:"title" json:"title"`
	Due      string `yaml:"due" json:"due"`           // "2027-04-01" absolute, or relative to the hackathon's end date: "+14d", "+2w", "+6m"
	Evidence string `yaml:"evidence" json:"evidence"` // url | video | repository | none
	Optional bool   `yaml:"optional" json:"optional"`
}

// evidenceKinds lists what a holder may submit for a milestone; "none" means
// a mentor validates it without a deliverable.
var evidenceKinds = []string{"url", "video", "repository", "none"}

// wallLayout is how the hackathon's local wall times are written.
const wallLayout = "2006-01-02 15:04"

// parseWall reads a wall time as if it were UTC, so its fields can be moved
// into any zone afterwards.
func parseWall(s string) (time.Time, error) {
	t, err := time.Parse(wallLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid local time %s, want YYYY-MM-DD HH:MM%s", validate.Quote(s), parseReason(err))
	}
	return t, nil
}

// due is a parsed Milestone.Due: an absolute date, or n days or months after
// the hackathon's end date.
type due struct {
	abs    Date
	days   int
	months int
}

// maxRelative bounds "+N…" to ten years (3650 days, 521 weeks, 120
// months), which no accompaniment reaches, so a typo such as "+60000m" is
// refused as too large rather than overflowing; within that, Parse compares
// the date with the accompaniment's end.
const maxRelative = 3650

// relativeUnits maps the unit letter of a relative due to its name and
// largest count.
var relativeUnits = map[byte]struct {
	name string
	max  int
}{
	'd': {"days", maxRelative},
	'w': {"weeks", maxRelative / 7},
	'm': {"months", maxRelative * 12 / 365},
}

func parseDue(s string) (due, error) {
	rest, ok := strings.CutPrefix(s, "+")
	if !ok {
		d, err := ParseDate(s)
		if err != nil {
			return due{}, fmt.Errorf("due %s is neither a date (2027-04-01) nor relative to the hackathon's end (+14d, +2w, +6m): %w", validate.Quote(s), err)
		}
		return due{abs: d}, nil
	}
	bad := fmt.Errorf("due %s: write +Nd, +Nw or +Nm (days, weeks or months after the hackathon's end date), such as +14d", validate.Quote(s))
	if len(rest) < 2 {
		return due{}, bad
	}
	unit, ok := relativeUnits[rest[len(rest)-1]]
	if !ok {
		return due{}, bad
	}
	n, ok := parseNat(rest[:len(rest)-1], unit.max)
	switch {
	case !ok:
		return due{}, bad
	case n > unit.max:
		return due{}, fmt.Errorf("due %s is too large: at most %d %s after the hackathon's end", validate.Quote(s), unit.max, unit.name)
	case len(s) > MaxDueLength: // leading zeros
		return due{}, fmt.Errorf("due %s is longer than %d characters: write it as +%d%c", validate.Quote(s), MaxDueLength, n, rest[len(rest)-1])
	}
	switch rest[len(rest)-1] {
	case 'w':
		return due{days: 7 * n}, nil
	case 'm':
		return due{months: n}, nil
	}
	return due{days: n}, nil
}

// parseNat reads a decimal number, digits only (no sign, no spaces). Past
// max it stops counting and returns max+1, so any number of digits is
// "too large" rather than an overflow.
func parseNat(s string, max int) (int, bool) {
	if s == "" {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if n <= max {
			n = n*10 + int(c-'0')
		}
	}
	return min(n, max+1), true
}

// resolve returns the civil due date given the hackathon's end date.
func (d due) resolve(end Date) Date {
	if d.abs != "" {
		return d.abs
	}
	return end.AddDays(d.days).AddMonths(d.months)
}

// Hash identifies the edition's content: the sha256 of its canonical JSON
// encoding, so reformatting or commenting the YAML file keeps the hash and
// any real change alters it. Programs record it to tell which version of the
// edition they were started from.
func (e *Edition) Hash() string {
	b, err := json.Marshal(e)
	if err != nil {
		// Only strings, ints and bools: Marshal cannot fail.
		panic(fmt.Errorf("edition: encoding for hash: %w", err))
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// City finds a city by name, ignoring case, because people type "lyon".
func (e *Edition) City(name string) (City, bool) {
	for _, c := range e.Cities {
		if strings.EqualFold(c.Name, name) {
			return c, true
		}
	}
	return City{}, false
}

// CitySlug is a city's name as it stands in IDs ("saint-denis"): its
// meetups' schedule and workflow IDs and their calendar UIDs.
func CitySlug(name string) string {
	return strings.ReplaceAll(strings.ToLower(name), " ", "-")
}

// Theme finds a theme by its id.
func (e *Edition) Theme(id string) (Theme, bool) {
	for _, t := range e.Themes {
		if t.ID == id {
			return t, true
		}
	}
	return Theme{}, false
}

// End is the instant the accompaniment ends: the hackathon's end wall time
// plus AccompanimentMonths, in the edition's time_zone. It is the zero Time
// if the edition is invalid (Parse never returns one).
func (e *Edition) End() time.Time {
	s, err := e.Snapshot("")
	if err != nil {
		return time.Time{}
	}
	return s.AccompanimentEnd
}

// Snapshot is what a program's workflow needs from its edition, frozen at
// start, so later edits to the file or to the zone database cannot change a
// running program's dates.
type Snapshot struct {
	Edition          string          `json:"edition"`
	City             string          `json:"city,omitempty"`
	Zone             Zone            `json:"zone"`            // from 1 year before the hackathon to 3 years after the accompaniment ends
	HackathonStart   time.Time       `json:"hackathon_start"` // UTC instants, computed in the city's zone
	HackathonEnd     time.Time       `json:"hackathon_end"`
	AccompanimentEnd time.Time       `json:"accompaniment_end"`
	Meetup           string          `json:"meetup,omitempty"` // canonical rule
	Coordinators     []string        `json:"coordinators,omitempty"`
	Milestones       []MilestoneSpec `json:"milestones"`
}

// MilestoneSpec is a milestone with its due date resolved for one program.
type MilestoneSpec struct {
	ID       string `json:"id"`
	Title    Text   `json:"title"`
	Due      Date   `json:"due"` // resolved civil date
	Evidence string `json:"evidence"`
	Optional bool   `json:"optional,omitempty"`
}

// Snapshot freezes the edition for a program in city; city "" means a
// program without a city: the edition's time_zone, no meetup and no
// coordinators. Every instant is computed with the snapshot's own Zone, so
// the workflow, which only has the Zone, gets the same answers.
func (e *Edition) Snapshot(city string) (Snapshot, error) {
	s := Snapshot{Edition: e.ID}
	zoneName := e.TimeZone
	if city != "" {
		c, ok := e.City(city)
		if !ok {
			names := make([]string, len(e.Cities))
			for i, c := range e.Cities {
				names[i] = c.Name
			}
			return Snapshot{}, fmt.Errorf("edition %s has no city %s: known cities are %s", e.ID, validate.Quote(city), strings.Join(names, ", "))
		}
		s.City, zoneName = c.Name, c.TimeZone
		if c.Meetup != "" {
			r, err := ParseRule(c.Meetup)
			if err != nil {
				return Snapshot{}, fmt.Errorf("edition %s: city %s: meetup rule %s: %w", e.ID, c.Name, validate.Quote(c.Meetup), err)
			}
			s.Meetup = r.String()
		}
		s.Coordinators = slices.Clone(c.Coordinators)
	}

	start, err := parseWall(e.Hackathon.Starts)
	if err != nil {
		return Snapshot{}, fmt.Errorf("edition %s: hackathon starts: %w", e.ID, err)
	}
	end, err := parseWall(e.Hackathon.Ends)
	if err != nil {
		return Snapshot{}, fmt.Errorf("edition %s: hackathon ends: %w", e.ID, err)
	}
	accEnd := end.AddDate(0, e.AccompanimentMonths, 0)
	// The wall times stand in for instants here: a day's error at either end
	// of a four-year span does not matter.
	s.Zone, err = NewZone(zoneName, start.AddDate(-1, 0, 0), accEnd.AddDate(3, 0, 0))
	if err != nil {
		return Snapshot{}, fmt.Errorf("edition %s: %w", e.ID, err)
	}
	at := func(w time.Time) time.Time { return s.Zone.At(DateOf(w), w.Hour(), w.Minute()) }
	s.HackathonStart, s.HackathonEnd, s.AccompanimentEnd = at(start), at(end), at(accEnd)

	endDate := DateOf(end)
	s.Milestones = make([]MilestoneSpec, len(e.Milestones))
	for i, m := range e.Milestones {
		d, err := parseDue(m.Due)
		if err != nil {
			return Snapshot{}, fmt.Errorf("edition %s: milestone %s: %w", e.ID, m.ID, err)
		}
		s.Milestones[i] = MilestoneSpec{ID: m.ID, Title: m.Title, Due: d.resolve(endDate), Evidence: m.Evidence, Optional: m.Optional}
	}
	return s, nil
}
