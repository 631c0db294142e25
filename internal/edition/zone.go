package edition

import (
	"fmt"
	"time"
	// Embedded so NewZone gives the same answer on a slim container without
	// /usr/share/zoneinfo as on a developer's laptop.
	_ "time/tzdata"

	"github.com/codecitoyen/suivi/internal/validate"
)

// Zone snapshots a time zone's UTC offsets over a period, so deterministic
// workflow code can convert wall times without loading a time zone database
// (which could change under a running workflow, or be missing on a worker).
type Zone struct {
	Name    string   `json:"name"`
	Offsets []Offset `json:"offsets"` // sorted; the first one applies before its From too
}

// Offset is one period of constant UTC offset within a Zone.
type Offset struct {
	From    time.Time `json:"from"`    // UTC instant from which Seconds applies
	Seconds int       `json:"seconds"` // offset east of UTC
}

// loadZone is time.LoadLocation minus the names that would silently mean
// something other than the coordinator intended: "" (UTC) and "Local" (the
// machine's zone, different on every worker).
func loadZone(name string) (*time.Location, error) {
	if name == "" {
		return nil, fmt.Errorf("time zone is required: write an IANA name such as Europe/Paris")
	}
	if len(name) > MaxTimeZoneLength {
		return nil, fmt.Errorf("time zone %s is %d bytes long; an IANA name such as Europe/Paris is at most %d", validate.Quote(name), len(name), MaxTimeZoneLength)
	}
	if name == "Local" {
		return nil, fmt.Errorf("time zone \"Local\" depends on the machine: write an IANA name such as Europe/Paris")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		// LoadLocation's own message repeats the name unquoted; this one says
		// what to write instead.
		return nil, fmt.Errorf("unknown time zone %s: write an IANA name such as Europe/Paris or Africa/Tunis", validate.Quote(name))
	}
	return loc, nil
}

// NewZone loads the named zone and records every offset change between from
// and to. It asks the zone database for each period's end (Time.ZoneBounds)
// rather than sampling, so it finds changes to the second, even two on the
// same day. Changes that keep the same offset (an abbreviation renamed) are
// merged, because only the offset matters for arithmetic.
func NewZone(name string, from, to time.Time) (Zone, error) {
	loc, err := loadZone(name)
	if err != nil {
		return Zone{}, err
	}
	if to.Before(from) {
		return Zone{}, fmt.Errorf("zone %s: period ends (%s) before it starts (%s)", name, to.UTC().Format(time.RFC3339), from.UTC().Format(time.RFC3339))
	}
	_, off := from.In(loc).Zone()
	z := Zone{Name: name, Offsets: []Offset{{From: from.UTC(), Seconds: off}}}
	for t := from; ; {
		_, end := t.In(loc).ZoneBounds()
		// A zero end means the current period lasts forever; the second
		// check guards against looping if the database ever misbehaves.
		if end.IsZero() || end.After(to) || !end.After(t) {
			break
		}
		if _, off := end.In(loc).Zone(); off != z.Offsets[len(z.Offsets)-1].Seconds {
			z.Offsets = append(z.Offsets, Offset{From: end.UTC(), Seconds: off})
		}
		t = end
	}
	return z, nil
}

// At returns the UTC instant of the local wall time hour:minute on d, by
// arithmetic on Offsets only. When the clocks jump, it uses the offset in
// effect before the change, as RFC 5545 and JavaScript Temporal's
// "compatible" mode do: a wall time in a spring-forward gap is pushed forward
// by the gap (02:30 on 28 March 2027 in Paris is 03:30 CEST), and a wall time
// in an autumn overlap is its earlier occurrence (02:30 on 31 October 2027 is
// 02:30 CEST, not CET). A Zone without offsets is UTC.
func (z Zone) At(d Date, hour, minute int) time.Time {
	wall := d.Time().Add(time.Duration(hour)*time.Hour + time.Duration(minute)*time.Minute)
	for i, o := range z.Offsets {
		t := wall.Add(-seconds(o.Seconds))
		if i+1 < len(z.Offsets) && !t.Before(z.Offsets[i+1].From) {
			continue // this wall time is read with a later period's offset
		}
		if i > 0 && t.Before(o.From) {
			// Too late for the previous period, too early for this one:
			// the clocks jumped forward over this wall time.
			return wall.Add(-seconds(z.Offsets[i-1].Seconds))
		}
		return t
	}
	return wall
}

// DateOf returns the local civil date of the instant t, by arithmetic on
// Offsets only.
func (z Zone) DateOf(t time.Time) Date {
	return DateOf(t.UTC().Add(seconds(z.offsetAt(t))))
}

// offsetAt returns the offset in effect at t: that of the last period
// starting at or before t, or the first period's for earlier instants.
func (z Zone) offsetAt(t time.Time) int {
	off := 0
	for i, o := range z.Offsets {
		if i > 0 && t.Before(o.From) {
			break
		}
		off = o.Seconds
	}
	return off
}

func seconds(n int) time.Duration { return time.Duration(n) * time.Second }
